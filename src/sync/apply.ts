/**
 * Apply: drain a run's outbox through the rate-limited client (DESIGN.md "Apply"). Any number of
 * workers, in any number of processes, run this on the same run at once: each claims rows under
 * a lease (claim.ts), keeps `concurrency` calls going (p-limit), records each result in one
 * transaction (record.ts), and keeps going until no row of the run is open, so a worker that dies
 * is covered by the ones still running (or by the next one started). The outbox row is the truth;
 * killing this process at any instant loses nothing (see docs/sync-apply.md "Crash safety").
 */
import { randomUUID } from 'node:crypto';
import pLimit from 'p-limit';
import type { AppDeps } from '../app';
import type { UpdoxClient } from '../updox/types';
import { DEFAULT_APPLY_BACKOFF, type BackoffRule } from './apply-rules';
import { asQueryable, beginApply, cancelPendingActions, finishApply, getRun, haltRun, isFinal, isSuccess, renewLease } from '../runs';
import { claimActions, outboxCounts, outboxState, releaseActions, renewLeases, type ClaimedAction } from './claim';
import { processAction, type ApplyPoint } from './process-action';
import { createListLookup } from './reconcile-ambiguous';
import { recordOutcome } from './record';

export type { ApplyPoint } from './process-action';

export interface ApplyOptions {
  runId: string;
  /**
   * Names this worker; the rows it claims carry `<workerId>:<attempt uuid>`, so a claim belongs to
   * this one call of applyRun and no later attempt under the same name renews it by mistake.
   */
  workerId: string;
  /** The run's owner (the step driving it): its run lease is renewed with the outbox leases. */
  owner?: string;
  /** Calls in flight in this process (the client's limiter caps the global rate). */
  concurrency: number;
  /** Stops claiming, gives unsent rows back and returns promptly; sent rows stay recoverable. */
  signal?: AbortSignal;
  /** Lease on a claimed row, renewed every third of it (default 30 s). A killed worker's rows are reclaimed after it. */
  leaseMs?: number;
  /** Rows claimed per query (default 2 × concurrency, at most 500). */
  claimBatch?: number;
  backoff?: Partial<BackoffRule>;
  /** Longest wait between looks at the outbox while other workers or backoffs hold the rest (default 1 s). */
  pollMs?: number;
  random?: () => number;
  onProgress?: (p: ApplyProgress) => void;
  /** Test seam (crash tests): called at named points of each action. Never set in production. */
  at?: (point: ApplyPoint, a: ClaimedAction) => void | Promise<void>;
}

export interface ApplyProgress { done: number; total: number; succeeded: number; failed: number }

export interface ApplyResult {
  runId: string;
  /** The run's status when this worker stopped. */
  status: string;
  /** Rows this worker settled, by outcome. */
  succeeded: number;
  failed: number;
  /** Rows whose lost write neither PracticeGet nor PracticeList could settle (final, with evidence). */
  needsReview: number;
  retried: number;
  /** Rows that succeeded without (another) write because PracticeGet showed the payload applied. */
  reconciledApplied: number;
  saves: number;
  reconcileReads: number;
  haltReason?: string;
  /** The run's outbox by status at the end. */
  outbox: Record<string, number>;
}

const DEFAULT_LEASE_MS = 30_000;

export async function applyRun(deps: AppDeps, client: UpdoxClient, opts: ApplyOptions): Promise<ApplyResult> {
  const { db } = deps;
  const { runId, signal } = opts;
  const workerId = `${opts.workerId}:${randomUUID().slice(0, 8)}`;
  const leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS;
  const concurrency = Math.max(1, opts.concurrency);
  const claimBatch = Math.min(500, opts.claimBatch ?? concurrency * 2);
  const pollMs = opts.pollMs ?? 1_000;
  const log = deps.log.child({ runId, workerId });
  const result: ApplyResult = { runId, status: 'unknown', succeeded: 0, failed: 0, needsReview: 0, retried: 0, reconciledApplied: 0, saves: 0, reconcileReads: 0, outbox: {} };

  let run = await getRun(db, runId);
  if (!run) throw new Error(`run ${runId} not found`);
  const owner = opts.owner ?? workerId;
  if (run.status === 'planned') {
    const begun = await beginApply(db, runId, owner, { leaseMs });
    run = begun.run ?? run;
    if (!begun.ok) log.warn({ reason: begun.reason, status: run.status }, 'apply not started');
  }

  const counts0 = await outboxCounts(db, runId);
  const total = Object.values(counts0).reduce((s, n) => s + n, 0);
  let done = (counts0.succeeded ?? 0) + (counts0.failed ?? 0) + (counts0.cancelled ?? 0);
  const progress = () => opts.onProgress?.({ done, total, succeeded: result.succeeded, failed: result.failed });
  progress();

  // rejectOnClear: a stop discards queued actions, and their promises must settle.
  const limit = pLimit({ concurrency, rejectOnClear: true });
  let stop = false;
  const stopNow = () => { stop = true; limit.clearQueue(); };
  const claimed = new Map<number, ClaimedAction>(); // claimed, not yet started
  const running = new Set<Promise<void>>();
  const ctx = {
    client, maxAttempts: deps.config.sync.maxAttempts, backoff: { ...DEFAULT_APPLY_BACKOFF, ...opts.backoff },
    notFoundCodes: deps.config.updox.notFoundCodes,
    ...(deps.config.updox.lostReplyListFallback ? { listLookup: createListLookup(client) } : {}),
    random: opts.random ?? Math.random, ...(signal ? { signal } : {}), ...(opts.at ? { at: opts.at } : {}),
  };
  const recordCtx = { runId, workerId, runSource: run.source, partner: deps.config.partner.businessDetails };

  const handle = async (a: ClaimedAction) => {
    claimed.delete(a.id);
    if (stop) return releaseActions(db, workerId, [a.id]);
    const p = await processAction(ctx, a);
    if (p.sent) result.saves++;
    result.reconcileReads += p.recorded.reconciles;
    const ok = await recordOutcome(db, a, p.recorded, { ...recordCtx, now: deps.clock.now() });
    if (ok) {
      if (p.recorded.status === 'succeeded') {
        result.succeeded++;
        if (!p.sent || p.recorded.message.startsWith('applied (')) result.reconciledApplied++;
      } else if (p.recorded.status === 'failed') result.failed++;
      else if (p.recorded.status === 'needs_review') result.needsReview++;
      else result.retried++;
      if (p.recorded.status !== 'pending') done++;
      progress();
    } else log.warn({ actionId: a.id, accountId: a.accountId }, 'outcome not recorded: the row is no longer ours');
    if (p.haltReason) {
      result.haltReason = p.haltReason;
      await haltRun(db, runId, p.haltReason, 'UPDOX_HALT');
      log.error({ actionId: a.id, accountId: a.accountId, reason: p.haltReason }, 'run halted');
      stopNow();
    }
    await opts.at?.('recorded', a);
  };

  const heartbeat = setInterval(() => {
    Promise.all([renewLeases(db, runId, workerId, leaseMs), renewLease(db, runId, owner, leaseMs)]).then(([status]) => {
      if (status !== 'applying') stopNow();
    }, (err: Error) => log.warn({ err: err.message }, 'lease renewal failed'));
  }, Math.max(50, Math.floor(leaseMs / 3)));
  heartbeat.unref();
  const onAbort = () => stopNow();
  signal?.addEventListener('abort', onAbort);

  try {
    while (!stop && !signal?.aborted) {
      // Refill in batches (one claim query per several actions), before the local queue runs dry.
      const room = claimBatch - (limit.activeCount + limit.pendingCount);
      if (room > 0 && limit.pendingCount <= Math.floor(concurrency / 2)) {
        const rows = await claimActions(db, runId, workerId, room, leaseMs);
        for (const a of rows) {
          claimed.set(a.id, a);
          await opts.at?.('claimed', a);
          const p: Promise<void> = limit(() => handle(a)).catch((err: Error) => {
            if (stop && err.name === 'AbortError') return; // queued, never started: released below
            log.error({ actionId: a.id, err: err.message }, 'apply action crashed; the lease returns it to the outbox');
          }).finally(() => running.delete(p));
          running.add(p);
        }
        if (rows.length > 0) continue;
      }
      if (running.size > 0) {
        await Promise.race(running);
        continue;
      }
      // Nothing claimable and nothing running here: finished, or waiting on backoffs or other workers.
      const st = await outboxState(db, runId);
      if (st.runStatus !== 'applying') break;
      if (st.open === 0) {
        await finishApply(db, runId);
        break;
      }
      await sleep(Math.min(pollMs, Math.max(20, st.nextInMs ?? pollMs)), signal);
    }
  } finally {
    clearInterval(heartbeat);
    signal?.removeEventListener('abort', onAbort);
    limit.clearQueue();
    await releaseActions(db, workerId, [...claimed.keys()]).catch((err: Error) => log.warn({ err: err.message }, 'could not release claimed rows; their lease returns them'));
    await Promise.allSettled(running);
  }

  let end = await getRun(db, runId);
  // Cancelled, failed or superseded while rows were claimed here: those given back are not sent either.
  if (end && isFinal(end.status) && !isSuccess(end.status)) {
    await cancelPendingActions(asQueryable(db), runId, `run ${end.status}`);
    end = await getRun(db, runId);
  }
  result.status = end?.status ?? 'unknown';
  result.haltReason ??= end?.halt_reason ?? undefined;
  if (result.haltReason === undefined) delete result.haltReason;
  result.outbox = await outboxCounts(db, runId);
  log.info({ ...result, outbox: undefined }, 'apply worker done');
  return result;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() { clearTimeout(t); signal?.removeEventListener('abort', done); resolve(); }
    signal?.addEventListener('abort', done, { once: true });
  });
}
