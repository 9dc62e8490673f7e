/**
 * Before re-sending a write whose reply was never read (a timeout or reset after sending, a
 * "lost" response, or a row found in flight after its worker died), ask Updox what it holds.
 * When PracticeGet shows exactly our payload the write landed: the row succeeds without another
 * write. This is what keeps a crash from costing more than one extra write per account.
 *
 * Which codes mean "no such practice" is not confirmed by any source (updox-api.md §3.4): they are
 * configured (UPDOX_NOT_FOUND_CODES). Any other failure of PracticeGet is inconclusive; then
 * PracticeList decides by membership (the listed record is compared the same way), unless the
 * fallback is off. What each look found is returned as evidence for a row that stays undecided.
 */
import { readPracticeEntry } from '../updox/list-entries';
import type { CallResult, UpdoxClient, UpdoxPractice } from '../updox/types';
import { payloadDifferences, type FieldDifference } from './apply-rules';

/** What one look (PracticeGet or PracticeList) answered, for the evidence of an undecided row. */
export interface Look { outcome: string; code: number | null; message: string; reason?: string }

export interface Evidence {
  practiceGet?: Look;
  practiceList?: Look & { listed?: boolean };
}

export type ReconcileResult =
  | { state: 'applied'; via: 'PracticeGet' | 'PracticeList' }
  | { state: 'not_applied'; differences: FieldDifference[] | 'missing'; via: 'PracticeGet' | 'PracticeList' }
  | { state: 'unknown'; code: number | null; message: string; retryAfterMs?: number; evidence: Evidence }
  | { state: 'halt'; code: number | null; message: string };

/** PracticeList membership of one account: its entry, absent, or the failed call. */
export type ListLookup = (accountId: string, signal?: AbortSignal, notBefore?: number) => Promise<
  | { state: 'listed'; entry: UpdoxPractice }
  | { state: 'absent' }
  | { state: 'failed'; result: CallResult }
>;

export interface ReconcileOptions {
  /** PracticeGet codes meaning "no such practice". */
  notFoundCodes: readonly number[];
  /** PracticeList fallback for an inconclusive PracticeGet; absent: no fallback. */
  listLookup?: ListLookup;
  /** The list must have been asked for at or after this time (ms): after the write it confirms. */
  notBefore?: number;
  signal?: AbortSignal;
}

const look = (r: CallResult): Look => ({ outcome: r.outcome, code: r.code, message: r.message, ...(r.reason ? { reason: r.reason } : {}) });

export async function reconcileWithRemote(
  client: UpdoxClient, accountId: string, payload: UpdoxPractice, o: ReconcileOptions,
): Promise<ReconcileResult> {
  const r = await client.practiceGet(accountId, o.signal ? { signal: o.signal } : {});
  if (r.outcome === 'ok' && r.body?.practice) {
    const differences = payloadDifferences(r.body.practice, payload);
    return differences.length === 0 ? { state: 'applied', via: 'PracticeGet' } : { state: 'not_applied', differences, via: 'PracticeGet' };
  }
  if (r.outcome !== 'ok' && r.code !== null && o.notFoundCodes.includes(r.code)) return { state: 'not_applied', differences: 'missing', via: 'PracticeGet' };
  if (r.outcome === 'halt') return { state: 'halt', code: r.code, message: r.message };
  const get = r.outcome === 'ok' ? { ...look(r), message: 'PracticeGet answered without a practice' } : look(r);
  const unknown = (evidence: Evidence): ReconcileResult => ({
    state: 'unknown', code: r.code, message: get.message, ...(r.retryAfterMs !== undefined ? { retryAfterMs: r.retryAfterMs } : {}), evidence,
  });
  if (!o.listLookup) return unknown({ practiceGet: get });
  const l = await o.listLookup(accountId, o.signal, o.notBefore);
  if (l.state === 'listed') {
    const differences = payloadDifferences(l.entry, payload);
    return differences.length === 0 ? { state: 'applied', via: 'PracticeList' } : { state: 'not_applied', differences, via: 'PracticeList' };
  }
  if (l.state === 'absent') return { state: 'not_applied', differences: 'missing', via: 'PracticeList' };
  if (l.result.outcome === 'halt') return { state: 'halt', code: l.result.code, message: l.result.message };
  return unknown({ practiceGet: get, practiceList: look(l.result) });
}

/**
 * A PracticeList lookup shared by the actions of one apply worker: a burst of lost replies costs
 * one list, not one per row. A list answers for a row only if it was asked for after that row's
 * write (`notBefore`), so it cannot predate the write it is to confirm; it is kept `ttlMs`, a
 * failure is not kept. Entries are read as the snapshot reads them; an id listed twice, or with an
 * unreadable record, decides nothing.
 */
export function createListLookup(client: Pick<UpdoxClient, 'practiceList'>, ttlMs = 30_000, now: () => number = Date.now): ListLookup {
  type Loaded = { byId: Map<string, UpdoxPractice | null> } | { failed: CallResult };
  let cached: { startedAt: number; byId: Map<string, UpdoxPractice | null> } | null = null;
  let inFlight: { startedAt: number; p: Promise<Loaded> } | null = null;
  const load = async (signal?: AbortSignal): Promise<Loaded> => {
    const res = await client.practiceList(signal ? { signal } : {});
    if (res.outcome !== 'ok' || !Array.isArray(res.body?.practiceList)) return { failed: res };
    const byId = new Map<string, UpdoxPractice | null>();
    for (const item of res.body.practiceList) {
      const e = readPracticeEntry(item);
      const id = e.ok ? e.id : e.skip.id;
      if (id === null) continue;
      byId.set(id, byId.has(id) || !e.ok ? null : e.entry); // null: listed, but not readable
    }
    return { byId };
  };
  return async (accountId, signal, notBefore = now()) => {
    const fresh = (t: number) => t >= notBefore && now() - t <= ttlMs;
    let byId = cached && fresh(cached.startedAt) ? cached.byId : null;
    if (!byId) {
      if (!inFlight || inFlight.startedAt < notBefore) {
        const startedAt = now();
        const p = load(signal);
        inFlight = { startedAt, p };
        p.finally(() => { if (inFlight?.p === p) inFlight = null; }).catch(() => {});
      }
      const { startedAt, p } = inFlight;
      const got = await p;
      if ('failed' in got) return { state: 'failed', result: got.failed };
      if (!cached || cached.startedAt < startedAt) cached = { startedAt, byId: got.byId };
      byId = got.byId;
    }
    if (!byId.has(accountId)) return { state: 'absent' };
    const entry = byId.get(accountId);
    if (entry) return { state: 'listed', entry };
    return { state: 'failed', result: { outcome: 'permanent', code: null, reason: 'UPDOX_BAD_REPLY', message: `PracticeList lists ${accountId} but its entry cannot be read`, httpStatus: 200, body: null, attempts: 1, ambiguous: false } };
  };
}
