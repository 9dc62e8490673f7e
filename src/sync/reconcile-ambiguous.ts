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
 * A PracticeList lookup shared by the actions of one apply worker. The list is streamed and only
 * the entries of the accounts being looked up are kept, so its memory grows with the lookups, not
 * the partner. Lookups that arrive together (within `gatherMs`) share one list; one that arrives
 * while a list is being read waits for the next, which starts when that one ends (the entry it
 * needs may have gone by). A list answers for a row only if it was asked for after that row's
 * write (`notBefore`), so it cannot predate the write it is to confirm; its answers are kept
 * `ttlMs` for the accounts it was asked about; a failure is not kept. Entries are read as the
 * snapshot reads them; an id listed twice, or with an unreadable record, decides nothing.
 */
export function createListLookup(
  client: Pick<UpdoxClient, 'practiceList'> & Partial<Pick<UpdoxClient, 'practiceListStream'>>,
  o: { ttlMs?: number; gatherMs?: number; now?: () => number } = {},
): ListLookup {
  const ttlMs = o.ttlMs ?? 30_000;
  const gatherMs = o.gatherMs ?? 20;
  const now = o.now ?? Date.now;
  type Answer = Awaited<ReturnType<ListLookup>>;
  interface Waiter { accountId: string; resolve: (a: Answer) => void; signal?: AbortSignal }
  /** A finished list: what it said about the accounts it was asked about (null: listed, unreadable). */
  let cached: { startedAt: number; asked: Set<string>; found: Map<string, UpdoxPractice | null> } | null = null;
  let waiting: Waiter[] = [];
  let loading = false;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const answerOf = (found: Map<string, UpdoxPractice | null>, accountId: string): Answer => {
    if (!found.has(accountId)) return { state: 'absent' };
    const entry = found.get(accountId);
    if (entry) return { state: 'listed', entry };
    return { state: 'failed', result: { outcome: 'permanent', code: null, reason: 'UPDOX_BAD_REPLY', message: `PracticeList lists ${accountId} but its entry cannot be read`, httpStatus: 200, body: null, attempts: 1, ambiguous: false } };
  };

  const load = async (batch: Waiter[]): Promise<void> => {
    const asked = new Set(batch.map((w) => w.accountId));
    const startedAt = now();
    let found = new Map<string, UpdoxPractice | null>();
    const take = (entries: unknown[]) => {
      for (const item of entries) {
        const e = readPracticeEntry(item);
        const id = e.ok ? e.id : e.skip.id;
        if (id === null || !asked.has(id)) continue;
        found.set(id, found.has(id) || !e.ok ? null : e.entry);
      }
    };
    // Any waiter's signal stops the list only when every waiter of the batch has given up.
    // (The waiters' signals are often one long-lived signal: the listeners go when the list ends.)
    const abort = new AbortController();
    const signals = new Set(batch.map((w) => w.signal).filter((x): x is AbortSignal => Boolean(x)));
    const live = batch.every((w) => w.signal) ? [...signals] : [];
    const onAbort = () => { if (live.every((x) => x.aborted)) abort.abort(); };
    for (const x of live) x.addEventListener('abort', onAbort, { once: true });
    let res: CallResult<{ practiceList: unknown[] }>;
    try {
      if (client.practiceListStream) {
        res = await client.practiceListStream({
          begin: async () => { found = new Map(); },
          onEntries: async (entries) => take(entries),
        }, { signal: abort.signal });
      } else {
        res = await client.practiceList({ signal: abort.signal });
        if (res.outcome === 'ok' && Array.isArray(res.body?.practiceList)) take(res.body.practiceList);
      }
    } catch (err) {
      // A thrown call (not a failed one) decides nothing either; the rows stay undecided.
      res = { outcome: 'retryable', code: null, reason: 'UPDOX_TRANSPORT_ERROR', message: err instanceof Error ? err.message : String(err), httpStatus: null, body: null, attempts: 1, ambiguous: false };
    }
    for (const x of live) x.removeEventListener('abort', onAbort);
    const ok = res.outcome === 'ok' && Array.isArray(res.body?.practiceList);
    if (ok && (!cached || cached.startedAt <= startedAt)) cached = { startedAt, asked, found };
    for (const w of batch) w.resolve(ok ? answerOf(found, w.accountId) : { state: 'failed', result: res });
  };

  const pump = () => {
    if (loading || timer || !waiting.length) return;
    timer = setTimeout(() => {
      timer = null;
      const batch = waiting;
      waiting = [];
      loading = true;
      load(batch).finally(() => { loading = false; pump(); });
    }, gatherMs);
  };

  return (accountId, signal, notBefore = now()) => {
    const c = cached;
    if (c && c.asked.has(accountId) && c.startedAt >= notBefore && now() - c.startedAt <= ttlMs) return Promise.resolve(answerOf(c.found, accountId));
    return new Promise<Answer>((resolve) => {
      waiting.push({ accountId, resolve, ...(signal ? { signal } : {}) });
      pump();
    });
  };
}
