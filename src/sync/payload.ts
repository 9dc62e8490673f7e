/**
 * The PracticeSave/1.1 payload ↔ our practice values. Pure.
 *
 * PracticeSave overwrites every field and clears what is not sent (partner notes; updox-api.md A7,
 * §3.4), so a payload is always the whole record: every field Updox holds that we do not model
 * (`metadata`, `practiceNpi`, any key we have never heard of) travels back verbatim under its wire
 * name (`extraFields`), and the fields we model carry the merged values. An empty modelled value
 * (null) is not sent: omitted and empty mean the same to Updox, and omitting avoids format checks
 * on empty strings (e.g. a Direct address). `active` is stored as "true"/"false"; the client puts
 * it on the wire in the configured form (UPDOX_ACTIVE_FORMAT).
 */
import { PRACTICE_FIELDS, emptyPracticeValues, type PracticeField, type PracticeValues } from '../practice';
import type { UpdoxPractice } from '../updox/types';

/** Wire key of each practice field (same names as the domain, by design). */
const WIRE_KEY: Record<PracticeField, keyof UpdoxPractice & string> = Object.fromEntries(
  PRACTICE_FIELDS.map((f) => [f, f]),
) as Record<PracticeField, keyof UpdoxPractice & string>;

/** Wire keys our model covers: the id and the practice fields. Every other key is an extra field. */
export const MODELLED_WIRE_KEYS: readonly string[] = ['accountId', ...PRACTICE_FIELDS.map((f) => WIRE_KEY[f])];
const MODELLED = new Set(MODELLED_WIRE_KEYS);

/**
 * The fields of a practice record (a read, or a payload we saved) that we do not model, verbatim,
 * minus `readOnly` (fields Updox sets itself and a save must not carry, e.g. `vetted`).
 */
export function extraFields(record: Record<string, unknown> | null | undefined, readOnly: readonly string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!record || typeof record !== 'object' || Array.isArray(record)) return out;
  for (const [k, v] of Object.entries(record)) {
    if (v === undefined || MODELLED.has(k) || readOnly.includes(k)) continue;
    out[k] = v;
  }
  return out;
}

/**
 * Domain values → the PracticeSave/1.1 body (without `auth`): the extra fields as given, then the
 * modelled ones (which always win over an extra of the same name).
 */
export function toPayload(accountId: string, v: PracticeValues, extras: Record<string, unknown> = {}): UpdoxPractice {
  const out: UpdoxPractice = { ...extraFields(extras), accountId };
  for (const f of PRACTICE_FIELDS) {
    const x = v[f];
    if (x === null || x === undefined || x === '') continue;
    if (f === 'active') out.active = x ? 'true' : 'false';
    else out[WIRE_KEY[f]] = String(x);
  }
  return out;
}

/** A practice as read from Updox (PracticeGet / PracticeList) or a payload → domain values. */
export function fromWire(p: UpdoxPractice): PracticeValues {
  const v = emptyPracticeValues() as unknown as Record<string, unknown>;
  for (const f of PRACTICE_FIELDS) {
    const x = p[WIRE_KEY[f]];
    if (f === 'active') v[f] = x === true || x === 'true' ? true : x === false || x === 'false' ? false : null;
    else v[f] = typeof x === 'string' && x.trim() !== '' ? x : typeof x === 'number' ? String(x) : null;
  }
  return v as unknown as PracticeValues;
}
