/**
 * The steps of a source's run, import → plan → apply, as one definition that both drivers use
 * (in process: src/pipeline/in-process.ts; as a BullMQ flow: jobs/step.ts). Each step reads the
 * run from Postgres, takes it under its owner's lease, does its part through the feature's entry
 * point and leaves the result in Postgres, so a step re-run after a crash or a takeover starts
 * from what is recorded (an import that committed is not repeated; a plan that committed is not
 * recomputed; apply continues from the outbox).
 */
import type { Logger } from 'pino';
import type { AppDeps } from '../app';
import { PermanentError, RetryableError, SyncError } from '../errors';
import { importRoster } from '../roster/import';
import {
  beginApply, failRun, getRun, isAppliable, isFinal, isLeased, isPlannable, isSuccess, startStep, withRunLease, type RunRow,
} from '../runs';
import { applyRun } from '../sync/apply';
import { planRun } from '../sync/plan';
import { snapshotRemote } from '../sync/snapshot';
import { findSource } from '../nightly/source';
import { next, stop, wait, type StepOutcome } from './outcome';

export interface StepContext {
  deps: AppDeps;
  runId: string;
  /** This attempt's id: the run's owner while the step works. */
  owner: string;
  /** Shutdown: the step stops within seconds and leaves nothing claimed. */
  signal?: AbortSignal;
  log: Logger;
  /**
   * The generation of the job running the step (jobs/flows.ts): the step starts only while the run's
   * `takeovers` still equals it. Without it (in process) the step is not checked.
   */
  generation?: number;
  /** `sync --file`: read this file instead of the source's path. */
  file?: string;
}

/** How long a blocked apply waits before it looks again. */
export const BLOCKED_RETRY_MS = 15_000;

const ended = (run: RunRow | undefined): StepOutcome | null =>
  !run ? stop('missing run') : isFinal(run.status) ? stop(run.status) : null;

/**
 * Fails the run with a bad-input or permanent error's code and rethrows; only while the run is
 * still this attempt's (a transition that ended it, or a takeover, wins).
 */
async function failOn<T>(ctx: StepContext, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof SyncError && err.kind !== 'retryable' && !err.halt) {
      await failRun(ctx.deps.db, ctx.runId, { code: err.code, message: err.message }, { owner: ctx.owner });
    }
    throw err;
  }
}

export async function importStep(ctx: StepContext): Promise<StepOutcome> {
  const { deps, runId } = ctx;
  const run = await getRun(deps.db, runId);
  const done = ended(run);
  if (done) return done;
  if (run!.import_stats != null) return next({ alreadyImported: true });
  if (!isLeased(run!.status)) return stop(run!.status);
  const source = findSource(deps.config, run!.source ?? '');
  if (!(await startStep(deps.db, runId, 'import', ctx.owner, { generation: ctx.generation }))) return stop('not importable');
  return failOn(ctx, () => withRunLease(deps.db, runId, ctx.owner, async (lease) => {
    const res = await importRoster(deps, { runId, source, signal: lease.signal, ...(ctx.file ? { file: ctx.file } : {}) });
    ctx.log.info({ ...res.stats, byReason: undefined }, 'import done');
    return next(res.stats);
  }, leaseOpts(ctx)));
}

export async function planStep(ctx: StepContext): Promise<StepOutcome> {
  const { deps, runId } = ctx;
  const run = await getRun(deps.db, runId);
  const done = ended(run);
  if (done) return done;
  if (isAppliable(run!.status)) return next({ alreadyPlanned: true });
  if (run!.import_stats == null) throw new PermanentError('PLAN_NO_ROSTER', `run ${runId} has no imported roster; it cannot be planned`);
  if (!isPlannable(run!.status)) return stop(run!.status);
  const source = findSource(deps.config, run!.source ?? '');
  if (!(await startStep(deps.db, runId, 'plan', ctx.owner, { generation: ctx.generation }))) return stop('not plannable');
  return failOn(ctx, () => withRunLease(deps.db, runId, ctx.owner, async () => {
    await snapshotRemote(deps, deps.updox, runId);
    let plan;
    try {
      plan = await planRun(deps, { runId, source, client: deps.updox });
    } catch (err) {
      // Another attempt planned the run while this one took its snapshot: its plan stands.
      const now = err instanceof SyncError && err.code === 'PLAN_NOT_ALLOWED' ? await getRun(deps.db, runId) : undefined;
      if (now && isAppliable(now.status)) return next({ alreadyPlanned: true });
      if (now && isFinal(now.status)) return stop(now.status);
      throw err;
    }
    if (plan.held) return stop('held', plan);
    if (plan.dryRun) return stop('previewed', plan);
    return next(plan);
  }, leaseOpts(ctx)));
}

export async function applyStep(ctx: StepContext, opts: { concurrency?: number } = {}): Promise<StepOutcome> {
  const { deps, runId } = ctx;
  const begun = await beginApply(deps.db, runId, ctx.owner, { generation: ctx.generation });
  if (!begun.ok) {
    if (begun.reason === 'blocked') {
      return wait(BLOCKED_RETRY_MS, `run ${begun.blocker?.id ?? '?'} (${begun.blocker?.status ?? '?'}) holds the source; apply waits for it`);
    }
    if (begun.reason === 'superseded') {
      ctx.log.warn({ newer: begun.by.id }, 'plan superseded by a newer run; not applied');
      return stop('superseded');
    }
    if (begun.reason === 'stale') return stop(`stale job: the run is in generation ${begun.run.takeovers}`);
    return stop(begun.run?.status ?? 'missing run');
  }
  const res = await applyRun(deps, deps.updox, {
    runId, workerId: ctx.owner, owner: ctx.owner,
    concurrency: opts.concurrency ?? deps.config.sync.applyConcurrency,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  if (res.status === 'halted') {
    throw new PermanentError('RUN_HALTED', `run ${runId} halted: ${res.haltReason ?? 'no reason recorded'}`, { halt: true });
  }
  if (res.status === 'applying') {
    if (ctx.signal?.aborted) throw new RetryableError('APPLY_INTERRUPTED', 'apply interrupted by shutdown; the next attempt continues from the outbox');
    return stop('applying elsewhere');
  }
  ctx.log.info({ ...res, outbox: undefined }, 'apply done');
  return isSuccess(res.status) ? next(res) : stop(res.status, res);
}

const leaseOpts = (ctx: StepContext) => ({
  ...(ctx.signal ? { signal: ctx.signal } : {}),
  onRenewError: (err: Error) => ctx.log.warn({ err: err.message }, 'run lease renewal failed'),
});

export const SOURCE_STEP_FNS = { import: importStep, plan: planStep, apply: applyStep } as const;

