/**
 * The PracticeSave/1.1 payload ↔ our practice values. Pure.
 *
 * PracticeSave overwrites every field and clears what is not sent (partner notes; updox-api.md A7),
 * so a payload is always the whole merged record. An empty value (null) is simply not sent: omitted
 * and empty mean the same to Updox, and omitting avoids format checks on empty strings (e.g. a
 * Direct address). `active` travels as "true"/"false" in requests and comes back as a boolean.
 */
import { PRACTICE_FIELDS, emptyPracticeValues, type PracticeField, type PracticeValues } from '../practice';
import type { UpdoxPractice } from '../updox/types';

/** Wire key of each practice field (same names as the domain, by design). */
const WIRE_KEY: Record<PracticeField, keyof UpdoxPractice & string> = Object.fromEntries(
  PRACTICE_FIELDS.map((f) => [f, f]),
) as Record<PracticeField, keyof UpdoxPractice & string>;

/** Domain values → the PracticeSave/1.1 body (without `auth`). */
export function toPayload(accountId: string, v: PracticeValues): UpdoxPractice {
  const out: UpdoxPractice = { accountId };
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
