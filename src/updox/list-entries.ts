/**
 * Reading one entry of a PracticeList or SmsSendNumberList reply, tolerantly: a malformed entry is
 * skipped with a named reason instead of making the whole reply a bad reply, and the skips are
 * tallied (counts by reason, the first few entries as examples) for the run to report. A numeric
 * id is read as its string: the real client sends numbers itself ([S23] practice_test.rb), and
 * its Practice model turns `accountId` into a string. Pure.
 */
import { PRACTICE_FIELDS } from '../practice';
import type { UpdoxPractice, UpdoxSmsNumber } from './types';

export type SkipReason =
  | 'not_object' // the entry is not a JSON object
  | 'missing_id' // no accountId / number, or an empty one
  | 'bad_id' // an id that is neither a string nor a whole number
  | 'bad_field' // a known field of the wrong JSON type
  | 'duplicate' // the same id again, with the same content (ignored)
  | 'conflicting_duplicate'; // the same id again with other content: neither can be trusted

/** The reasons in the order a summary lists them. */
export const SKIP_REASONS: readonly SkipReason[] = ['not_object', 'missing_id', 'bad_id', 'bad_field', 'duplicate', 'conflicting_duplicate'];

export interface SkippedEntry { index: number; id: string | null; reason: SkipReason; detail: string }

export interface SkipTally {
  total: number;
  byReason: Partial<Record<SkipReason, number>>;
  /** The first SAMPLE_LIMIT skipped entries (position in the list, id when readable, why). */
  samples: SkippedEntry[];
}

export const SAMPLE_LIMIT = 20;

export const emptyTally = (): SkipTally => ({ total: 0, byReason: {}, samples: [] });

export function tallySkip(t: SkipTally, s: SkippedEntry): void {
  t.total++;
  t.byReason[s.reason] = (t.byReason[s.reason] ?? 0) + 1;
  if (t.samples.length < SAMPLE_LIMIT) t.samples.push(s);
}

/** "missing_id 2, bad_field 1" (for a run's one-line summary), in SKIP_REASONS order. */
export const describeTally = (t: Pick<SkipTally, 'byReason'>): string =>
  SKIP_REASONS.filter((r) => t.byReason[r]).map((r) => `${r} ${t.byReason[r]}`).join(', ');

type Read<T> = { ok: true; id: string; entry: T } | { ok: false; skip: Omit<SkippedEntry, 'index'> };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A whole-number or non-empty string id, as a trimmed string; or why not. */
function readId(v: unknown): { id: string } | { reason: 'missing_id' | 'bad_id'; detail: string } {
  if (v === undefined || v === null) return { reason: 'missing_id', detail: 'no id' };
  if (typeof v === 'string') return v.trim() ? { id: v.trim() } : { reason: 'missing_id', detail: 'empty id' };
  if (typeof v === 'number' && Number.isSafeInteger(v)) return { id: String(v) };
  return { reason: 'bad_id', detail: `id is a ${Array.isArray(v) ? 'array' : typeof v}` };
}

const STRING_FIELDS = PRACTICE_FIELDS.filter((f) => f !== 'active');

/**
 * One PracticeList entry. Modelled text fields may be strings, numbers (read as text) or
 * null; `active` and `vetted` booleans, "true"/"false" or null. Unknown fields are not checked:
 * they are passed back as they are.
 */
export function readPracticeEntry(item: unknown): Read<UpdoxPractice> {
  if (!isObject(item)) return { ok: false, skip: { id: null, reason: 'not_object', detail: `entry is ${Array.isArray(item) ? 'an array' : item === null ? 'null' : `a ${typeof item}`}` } };
  const id = readId(item.accountId);
  if ('reason' in id) return { ok: false, skip: { id: null, reason: id.reason, detail: `accountId: ${id.detail}` } };
  for (const f of STRING_FIELDS) {
    const v = item[f];
    if (v !== undefined && v !== null && typeof v !== 'string' && typeof v !== 'number') {
      return { ok: false, skip: { id: id.id, reason: 'bad_field', detail: `${f} is a ${Array.isArray(v) ? 'array' : typeof v}` } };
    }
  }
  for (const f of ['active', 'vetted']) {
    const v = item[f];
    if (v !== undefined && v !== null && typeof v !== 'boolean' && v !== 'true' && v !== 'false') {
      return { ok: false, skip: { id: id.id, reason: 'bad_field', detail: `${f} is not a boolean` } };
    }
  }
  return { ok: true, id: id.id, entry: { ...item, accountId: id.id } as UpdoxPractice };
}

/** One SmsSendNumberList entry: a number (digits, string or whole number) and a text status. */
export function readNumberEntry(item: unknown): Read<UpdoxSmsNumber> {
  if (!isObject(item)) return { ok: false, skip: { id: null, reason: 'not_object', detail: `entry is ${Array.isArray(item) ? 'an array' : item === null ? 'null' : `a ${typeof item}`}` } };
  const id = readId(item.number);
  if ('reason' in id) return { ok: false, skip: { id: null, reason: id.reason, detail: `number: ${id.detail}` } };
  const status = item.verificationStatus;
  if (typeof status !== 'string') return { ok: false, skip: { id: id.id, reason: 'bad_field', detail: `verificationStatus is ${status === undefined ? 'missing' : `a ${typeof status}`}` } };
  const rec: Record<string, unknown> = typeof item.ownerId === 'number' ? { ...item, ownerId: String(item.ownerId) } : item;
  for (const f of ['type', 'businessDetails', 'updatedAt', 'ownerType', 'ownerId']) {
    const v = rec[f];
    if (v !== undefined && v !== null && typeof v !== 'string') return { ok: false, skip: { id: id.id, reason: 'bad_field', detail: `${f} is a ${typeof v}` } };
  }
  return { ok: true, id: id.id, entry: { ...rec, number: id.id, verificationStatus: status } as UpdoxSmsNumber };
}
