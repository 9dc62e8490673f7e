/**
 * The three-way field merge and the conflict policy, as plain functions. Pure.
 *
 * The planner runs these rules set-based in Postgres (src/sync/plan-sql.ts builds the SQL from the
 * same field lists); this file is their specification in TypeScript: unit tests pin the rules here
 * and an integration test checks that the SQL agrees with it on generated data.
 *
 * Three sides per field: `roster` (this run's staged row), `base` (what we last saved, `practices`)
 * and `remote` (the PracticeList snapshot taken at the start of the run).
 * - A field this run's mapping does not manage is kept: remote, or base when Updox does not have it.
 * - A managed field changed only in Updox (remote ≠ base, roster = base) keeps the remote value: a
 *   Partner Portal edit is preserved.
 * - A managed field changed on both sides to different values is a conflict, resolved by policy
 *   (default roster wins) and recorded.
 * - Otherwise the roster value wins; a mapped empty cell (null) means clear.
 * - With no base (never saved: create, or adopt a practice that exists in Updox) there is nothing
 *   to be three-way about: the roster wins and no conflict is recorded.
 * - `active`: a practice listed in the roster is active unless the roster says otherwise, so
 *   `active` is always managed for roster rows (roster null → true).
 */
import { createHash } from 'node:crypto';
import { ADDRESS_FIELDS, PRACTICE_FIELDS, WEBSITE_FIELDS, type PracticeField, type PracticeValues } from '../practice';

export type ConflictPolicy = 'roster-wins' | 'remote-wins';
export type Side = 'roster' | 'remote';
export type PlanOp = 'create' | 'update' | 'deactivate' | 'reactivate';
export type PlanOutcome = PlanOp | 'unchanged' | 'collision';

export type FieldValue = string | boolean | null;

export interface Conflict {
  field: PracticeField;
  roster: FieldValue;
  remote: FieldValue;
  base: FieldValue;
  /** Which side the policy kept. */
  resolved: Side;
}

export interface FieldInput {
  roster: FieldValue;
  base: FieldValue;
  remote: FieldValue;
  hasBase: boolean;
  hasRemote: boolean;
  managed: boolean;
}

const differ = (a: FieldValue, b: FieldValue) => a !== b; // IS DISTINCT FROM on text/boolean (null-safe)

/** Merges one field; returns the value to send and the conflict, if both sides changed it differently. */
export function mergeField(f: FieldInput, policy: ConflictPolicy): { value: FieldValue; conflict: Side | null } {
  if (!f.managed) return { value: f.hasRemote ? f.remote : f.base, conflict: null };
  if (!f.hasBase || !f.hasRemote) return { value: f.roster, conflict: null };
  const rosterChanged = differ(f.roster, f.base);
  const remoteChanged = differ(f.remote, f.base);
  if (rosterChanged && remoteChanged && differ(f.roster, f.remote)) {
    const side: Side = policy === 'remote-wins' ? 'remote' : 'roster';
    return { value: side === 'roster' ? f.roster : f.remote, conflict: side };
  }
  if (remoteChanged) return { value: f.remote, conflict: null };
  return { value: f.roster, conflict: null };
}

export interface MergeInput {
  roster: PracticeValues;
  base: PracticeValues | null;
  /**
   * What Updox has. Fields whose key PracticeList did not return at all (as opposed to empty) are
   * unknown: pass their names in `remoteMissing` and the base value stands in for them, so a reply
   * that lacks the 1.1 fields never reads as "someone cleared the website in Updox".
   */
  remote: PracticeValues | null;
  remoteMissing?: ReadonlySet<PracticeField>;
  managed: ReadonlySet<PracticeField>;
  policy: ConflictPolicy;
}

/** The remote side as the plan sees it: unknown fields replaced by base. */
export function effectiveRemote(remote: PracticeValues, base: PracticeValues | null, missing?: ReadonlySet<PracticeField>): PracticeValues {
  if (!missing?.size) return remote;
  const out = { ...remote } as Record<PracticeField, FieldValue>;
  for (const f of missing) out[f] = base ? base[f] : null;
  return out as unknown as PracticeValues;
}

/** Merges a roster row with base and remote into the whole record to send. */
export function mergePractice(m: MergeInput): { values: PracticeValues; conflicts: Conflict[] } {
  const remote = m.remote ? effectiveRemote(m.remote, m.base, m.remoteMissing) : null;
  const values = {} as Record<PracticeField, FieldValue>;
  const conflicts: Conflict[] = [];
  for (const field of PRACTICE_FIELDS) {
    const roster = field === 'active' ? (m.roster.active ?? true) : m.roster[field];
    const input: FieldInput = {
      roster,
      base: m.base ? m.base[field] : null,
      remote: remote ? remote[field] : null,
      hasBase: m.base !== null,
      hasRemote: remote !== null,
      managed: field === 'active' || m.managed.has(field),
    };
    const r = mergeField(input, m.policy);
    values[field] = r.value;
    if (r.conflict) conflicts.push({ field, roster: input.roster, remote: input.remote, base: input.base, resolved: r.conflict });
  }
  return { values: values as unknown as PracticeValues, conflicts };
}

/**
 * What to do with a merged roster row. Compared with what Updox has (remote), so a practice equal
 * remotely costs no call and one that exists in Updox but was never saved by us is adopted
 * (update), not created. A practice whose last save failed is planned again even if equal.
 */
export function decideOp(d: {
  merged: PracticeValues;
  remote: PracticeValues | null;
  lastStatus: string | null;
  collision?: boolean;
}): PlanOutcome {
  if (d.collision) return 'collision';
  if (!d.remote) return 'create';
  if (d.merged.active === true && d.remote.active === false) return 'reactivate';
  if (d.merged.active === false && d.remote.active !== false) return 'deactivate';
  if (PRACTICE_FIELDS.some((f) => d.merged[f] !== d.remote![f])) return 'update';
  if (d.lastStatus === 'failed' || d.lastStatus === 'halted') return 'update';
  return 'unchanged';
}

/** Flags an action carries: clearing an address or website field (it disables SMS verification). */
export function planFlags(merged: PracticeValues, remote: PracticeValues | null): string[] {
  const flags: string[] = [];
  const clears = (f: PracticeField) => remote !== null && remote[f] !== null && merged[f] === null;
  if (ADDRESS_FIELDS.some(clears)) flags.push('clears_address');
  if (WEBSITE_FIELDS.some(clears)) flags.push('clears_website');
  return flags;
}

const byteLength = (s: string) => Buffer.byteLength(s, 'utf8');

/**
 * The text Postgres prints for a jsonb value (its canonical form): object keys ordered by byte
 * length, then bytewise; `": "` and `", "` separators. Payloads nest (an extra field may hold an
 * object or array), so the plan hashes `payload::text` and this reproduces it for the payloads
 * built in TypeScript (the legacy upgrade). Numbers print as JavaScript prints them, which is what
 * jsonb keeps for numbers that came from JSON.stringify.
 */
export function jsonbText(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map((x) => jsonbText(x === undefined ? null : x)).join(', ')}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort((a, b) => {
    const la = byteLength(a), lb = byteLength(b);
    return la !== lb ? la - lb : Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
  });
  return `{${keys.map((k) => `${JSON.stringify(k)}: ${jsonbText(o[k])}`).join(', ')}}`;
}

/** sha256 hex of a payload's jsonb text; the plan computes the same in SQL (sha256 of payload::text). */
export function payloadHash(payload: unknown): string {
  return createHash('sha256').update(jsonbText(payload), 'utf8').digest('hex');
}
