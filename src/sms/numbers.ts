/**
 * `pullNumbers`: SmsSendNumberList for the accounts a pull asks (pull-accounts.ts: the due ones,
 * every active one, or those given), under the client's global rate limit. Accounts stream from
 * Postgres a page at a time; calls run with bounded concurrency (p-limit); the
 * replies are written in batches of accounts through the shared upsert path (one set of statements
 * per batch), pipelined so the next calls go out while a batch is written.
 * A 4015 (SMS not activated for these credentials) or another credentials failure halts the pull:
 * no further calls, what was fetched is written, then a halting PermanentError. A 4011 (account
 * unknown or inactive at the vendor) is recorded per account and the pull goes on.
 */
import pLimit from 'p-limit';
import type { AppDeps } from '../app';
import { PermanentError, RetryableError, SyncError } from '../errors';
import { emptyTally, readNumberEntry, tallySkip, type SkipTally } from '../updox/list-entries';
import type { UpdoxClient, UpdoxSmsNumber } from '../updox/types';
import { calendarFor } from './business-days';
import { checkPolicy, recordChecks } from './number-checks';
import { streamAccounts } from './pull-accounts';
import { markMissing, upsertNumbers, type NumberObservation } from './number-upsert';

export interface NumberRef { accountId: string; number: string; since: string }

export interface PullStats {
  /** Accounts asked. */
  accounts: number;
  /** Accounts that answered with a list. */
  listed: number;
  numbers: number;
  inserted: number;
  changed: number;
  unchanged: number;
  stale: number;
  events: number;
  /** Numbers newly flagged missing (no longer listed). */
  missing: number;
  /** List entries skipped (malformed or repeated); by reason with examples in `skipped`. */
  malformed: number;
  skipped: SkipTally;
  /** The lists below hold at most PULL_LIST_CAP entries each (the first seen); `totals` counts them all. */
  overdue: NumberRef[];
  rejected: NumberRef[];
  accountsWithoutNumber: string[];
  /** 4011: the vendor does not know the account or it is inactive there. */
  unauthorizedAccounts: string[];
  failedAccounts: { accountId: string; code: number | null; outcome: string; message: string }[];
  totals: Record<ListedKey, number>;
  durationMs: number;
  dbWriteMs: number;
  dbBatches: number;
  /** Mode `due`: accounts due tonight, the budget (calls), and the due accounts left for a later pull. */
  due: number | null;
  budget: number | null;
  leftDue: number;
}

export interface PullOptions {
  runId?: string;
  /** Only these accounts, asked as given (known to us or not, active or not). Default: every active practice. */
  accountIds?: readonly string[];
  /** Calls in flight. Default config.updox.maxInFlight. */
  concurrency?: number;
  /** Accounts per database write. */
  writeBatchAccounts?: number;
  /** Accounts read from Postgres at a time (keyset page, or cursor fetch in mode `due`). */
  pageSize?: number;
  /** Stops the pull within a call's time (shutdown): what was fetched is saved, then NUMBERS_INTERRUPTED is thrown. */
  signal?: AbortSignal;
  /**
   * `due` (the nightly and scheduled pulls, `numbers`): only the accounts due tonight, most urgent
   * first, at most `budget` calls (src/sms/number-checks.ts). `all` (default, `numbers --all`):
   * every active practice. Ignored when `accountIds` is given.
   */
  mode?: 'all' | 'due';
  /** Calls a `due` pull may make; default numbers.budget, else what the window leaves (pull-accounts.ts numbersBudget). */
  budget?: number;
}

type ListedKey = 'overdue' | 'rejected' | 'accountsWithoutNumber' | 'unauthorizedAccounts' | 'failedAccounts';

/** Entries kept per list of PullStats: a pull's memory does not grow with the partner (the report lists every one). */
export const PULL_LIST_CAP = 1000;

function note<K extends ListedKey>(stats: PullStats, key: K, item: PullStats[K][number]): void {
  stats.totals[key]++;
  if (stats[key].length < PULL_LIST_CAP) (stats[key] as unknown[]).push(item);
}

/**
 * `result`: the call was refused or failed (no list). `partial`: some entries of the list were
 * skipped, so a number it lacks may be one of them.
 */
interface Fetched { accountId: string; observedAt: Date; numbers: UpdoxSmsNumber[]; result?: 'refused' | 'failed'; partial?: boolean }

export const emptyPullStats = (): PullStats => ({
  accounts: 0, listed: 0, numbers: 0, inserted: 0, changed: 0, unchanged: 0, stale: 0, events: 0, missing: 0, malformed: 0, skipped: emptyTally(),
  overdue: [], rejected: [], accountsWithoutNumber: [], unauthorizedAccounts: [], failedAccounts: [],
  totals: { overdue: 0, rejected: 0, accountsWithoutNumber: 0, unauthorizedAccounts: 0, failedAccounts: 0 }, durationMs: 0, dbWriteMs: 0, dbBatches: 0,
  due: null, budget: null, leftDue: 0,
});

/** Vendor `updatedAt` ("yyyy-MM-dd HH:mm:ss", A10; read as UTC) → Date, or null. */
export function parseVendorTime(v: unknown): Date | null {
  if (typeof v !== 'string') return null;
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})$/.exec(v.trim());
  const d = m ? new Date(`${m[1]}T${m[2]}Z`) : new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
}

export async function pullNumbers(deps: Pick<AppDeps, 'db' | 'config' | 'log' | 'clock'>, client: UpdoxClient, opts: PullOptions = {}): Promise<PullStats> {
  const log = deps.log.child({ step: 'numbers', ...(opts.runId ? { runId: opts.runId } : {}) });
  const started = performance.now();
  const stats = emptyPullStats();
  const concurrency = opts.concurrency ?? deps.config.updox.maxInFlight;
  const batchSize = opts.writeBatchAccounts ?? 200;
  const limit = pLimit(concurrency);
  const abort = new AbortController();
  const calendar = calendarFor(deps.config);
  const policy = checkPolicy(deps.config.numbers);
  let halt: SyncError | null = null;
  let writeError: unknown = null;
  let buffer: Fetched[] = [];
  let writer: Promise<void> = Promise.resolve();
  let writesQueued = 0;
  const onStop = () => abort.abort();
  opts.signal?.addEventListener('abort', onStop, { once: true });

  const write = async (batch: Fetched[]) => {
    const t0 = performance.now();
    const now = deps.clock.now();
    const obs: NumberObservation[] = [];
    for (const f of batch) {
      if (f.result) continue;
      for (const n of f.numbers) {
        const number = typeof n.number === 'string' ? n.number.trim() : '';
        if (!number) { stats.malformed++; continue; }
        obs.push({
          accountId: f.accountId, number, rawStatus: String(n.verificationStatus ?? ''), observedAt: f.observedAt,
          numberType: n.type ?? null, ownerType: n.ownerType ?? 'account', ownerId: n.ownerId ?? null,
          businessDetails: n.businessDetails ?? null, vendorUpdatedAt: parseVendorTime(n.updatedAt),
        });
      }
    }
    const res = await deps.db.transaction(async (trx) => {
      const up = await upsertNumbers(trx, obs, {
        source: 'poll', observedAt: now, now, pendingBusinessDays: deps.config.numbers.pendingBusinessDays, calendar,
      });
      // A list with skipped entries cannot prove a number is gone: those accounts are not swept.
      const missing = await markMissing(trx, batch.filter((f) => !f.result && !f.partial).map((f) => f.accountId), obs);
      await recordChecks(trx, batch.map((f) => ({
        accountId: f.accountId, at: f.observedAt,
        result: f.result ?? { statuses: f.numbers.map((n) => String(n.verificationStatus ?? '')) },
      })), policy, now);
      return { up, missing };
    });
    stats.numbers += obs.length;
    stats.inserted += res.up.inserted;
    stats.changed += res.up.changed;
    stats.unchanged += res.up.unchanged;
    stats.stale += res.up.stale;
    stats.events += res.up.events;
    stats.missing += res.missing;
    for (const r of res.up.rows) {
      const ref = { accountId: r.accountId, number: r.number, since: r.statusSince.toISOString() };
      if (r.overdue) note(stats, 'overdue', ref);
      if (r.status === 'rejected') note(stats, 'rejected', ref);
    }
    stats.dbWriteMs += performance.now() - t0;
    stats.dbBatches++;
  };
  const flush = () => {
    if (!buffer.length) return;
    const batch = buffer;
    buffer = [];
    writesQueued++;
    // Writes run one at a time, in order; a failure stops the pull (recorded, rethrown at the end).
    writer = writer.then(() => (writeError ? undefined : write(batch))).catch((err) => {
      writeError ??= err;
      abort.abort();
    }).finally(() => { writesQueued--; });
  };

  const fetchOne = async (accountId: string): Promise<void> => {
    if (halt || writeError || opts.signal?.aborted) return;
    stats.accounts++;
    const observedAt = deps.clock.now(); // before the call: a webhook committed meanwhile is newer
    const res = await client.smsSendNumberList(accountId, { signal: abort.signal });
    if (halt || writeError || opts.signal?.aborted) return;
    if (res.outcome === 'ok') {
      const numbers: UpdoxSmsNumber[] = [];
      const seenNumbers = new Set<string>();
      const skippedBefore = stats.skipped.total;
      (Array.isArray(res.body?.numbers) ? res.body.numbers : []).forEach((item, index) => {
        const r = readNumberEntry(item);
        if (r.ok && !seenNumbers.has(r.id)) {
          seenNumbers.add(r.id);
          numbers.push(r.entry);
        } else {
          stats.malformed++;
          tallySkip(stats.skipped, r.ok
            ? { index, id: r.id, reason: 'duplicate', detail: `account ${accountId}: the number again` }
            : { ...r.skip, index, detail: `account ${accountId}: ${r.skip.detail}` });
        }
      });
      stats.listed++;
      if (!numbers.length) note(stats, 'accountsWithoutNumber', accountId);
      buffer.push({ accountId, observedAt, numbers, partial: stats.skipped.total > skippedBefore });
      if (buffer.length >= batchSize) flush();
    } else if (res.code === 4011) {
      note(stats, 'unauthorizedAccounts', accountId);
      buffer.push({ accountId, observedAt, numbers: [], result: 'refused' });
      log.warn({ accountId, code: res.code }, 'account unknown or inactive at the vendor');
    } else if (res.code === 4015) {
      halt = new PermanentError('SMS_NOT_ACTIVATED',
        `SmsSendNumberList answered 4015 for account ${accountId}: the SMS API is not enabled for application ${deps.config.updox.applicationId}; ask Updox to activate SMS for these credentials`,
        { halt: true, details: { accountId, code: res.code, vendorMessage: res.message } });
      abort.abort();
    } else if (res.outcome === 'halt') {
      halt = new PermanentError('UPDOX_UNAUTHORIZED',
        `SmsSendNumberList answered ${res.code} (${res.message}) for account ${accountId}: check UPDOX_APPLICATION_ID / UPDOX_APPLICATION_PASSWORD`,
        { halt: true, details: { accountId, code: res.code } });
      abort.abort();
    } else {
      note(stats, 'failedAccounts', { accountId, code: res.code, outcome: res.outcome, message: res.message });
      buffer.push({ accountId, observedAt, numbers: [], result: 'failed' });
      log.warn({ accountId, code: res.code, outcome: res.outcome }, 'number list failed');
    }
  };

  const inFlight = new Set<Promise<void>>();
  let readError: unknown = null;
  try {
    for await (const accountId of streamAccounts(deps, opts, stats)) {
      if (halt || writeError || opts.signal?.aborted) break;
      const p: Promise<void> = limit(() => fetchOne(accountId)).finally(() => inFlight.delete(p));
      inFlight.add(p);
      // Backpressure: a bounded queue of calls, and at most two batches waiting for the database.
      // (`writer` joins the race only while it is pending, or the loop would spin without yielding.)
      while (inFlight.size >= concurrency * 2 || writesQueued > 2) {
        await Promise.race(writesQueued > 2 ? [...inFlight, writer] : [...inFlight]);
      }
    }
  } catch (err) {
    // Reading the accounts failed (Postgres went away): stop the calls, keep what was fetched, then fail.
    readError = err;
    abort.abort();
  }
  await Promise.allSettled(inFlight);
  flush();
  await writer;
  opts.signal?.removeEventListener('abort', onStop);
  if (readError) throw readError;
  stats.durationMs = Math.round(performance.now() - started);
  if (opts.signal?.aborted && !writeError && !halt) {
    throw new RetryableError('NUMBERS_INTERRUPTED', `numbers pull stopped by shutdown after ${stats.listed} account(s); the next pull asks again`);
  }
  stats.dbWriteMs = Math.round(stats.dbWriteMs);
  if (writeError) throw writeError;
  const summary = { ...stats, ...stats.totals, totals: undefined };
  if (halt) {
    log.error({ ...summary, code: (halt as SyncError).code }, 'numbers pull halted');
    throw halt;
  }
  log.info(summary, 'numbers pull finished');
  return stats;
}
