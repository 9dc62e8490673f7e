/**
 * The steps of a nightly run, as called by the BullMQ processors (jobs/*.ts) and by the CLI's
 * in-process `sync`. Each step reads the run's state from Postgres, does its part through the
 * feature entry points, and leaves its result in Postgres, so any step can be re-run alone.
 * A step that finds an earlier step failed (or the run held, halted or dry) skips itself.
 */
import type { Logger } from 'pino';
import type { AppDeps } from '../app';
import { BadInputError, SyncError } from '../errors';
import { importRoster } from '../roster/import';
import { createRun, FINAL_STATUSES, getRun, setRunStatus, finishRun } from '../sync/runs';
import { snapshotRemote } from '../sync/snapshot';
import { planRun } from '../sync/plan';
import { applyRun } from '../sync/apply';
import { auditPractices } from '../sms/audit';
import { pullNumbers } from '../sms/numbers';
import { sendReports } from '../reports/send';
import { findSource } from './source';

export interface OpenRunOptions {
  source: string;
  trigger: string;
  dryRun: boolean;
  /** Input file overriding the source's path (CLI `sync --file`). */
  file?: string;
}

/** Opens a sync run for a source; a second request while one is active is recorded as skipped. */
export async function openSyncRun(deps: AppDeps, opts: OpenRunOptions): Promise<{ runId: string; skipped: boolean }> {
  findSource(deps.config, opts.source); // fail fast on an unknown source
  const { run, skipped } = await createRun(deps.db, {
    kind: 'sync',
    partnerId: deps.config.partner.id,
    source: opts.source,
    dryRun: opts.dryRun,
    trigger: opts.trigger,
  });
  return { runId: run.id, skipped };
}

export async function stepImport(deps: AppDeps, runId: string, log: Logger, file?: string): Promise<unknown> {
  const run = await getRun(deps.db, runId);
  if (!run || FINAL_STATUSES.has(run.status)) return { skipped: true, reason: run?.status ?? 'missing run' };
  const source = findSource(deps.config, run.source ?? '');
  await setRunStatus(deps.db, runId, 'importing');
  try {
    const res = await importRoster(deps, { runId, source, ...(file ? { file } : {}) });
    log.info({ ...res.stats, byReason: undefined }, 'import done');
    return res.stats;
  } catch (err) {
    if (err instanceof BadInputError) {
      // A file-level problem fails the run before any API call; nothing downstream runs.
      await finishRun(deps.db, runId, 'failed', { code: err.code, message: err.message });
      log.error({ code: err.code }, 'import failed');
      return { failed: true, code: err.code };
    }
    throw err;
  }
}

export async function stepPlan(deps: AppDeps, runId: string, log: Logger): Promise<unknown> {
  const run = await getRun(deps.db, runId);
  if (!run || FINAL_STATUSES.has(run.status) || run.import_stats == null) return { skipped: true, reason: run?.status ?? 'missing run' };
  const source = findSource(deps.config, run.source ?? '');
  await setRunStatus(deps.db, runId, 'planning');
  await snapshotRemote(deps, deps.updox, runId);
  const plan = await planRun(deps, { runId, source, client: deps.updox });
  log.info({ counts: plan.counts, held: plan.held }, plan.held ? 'run held by guardrail' : 'plan done');
  return plan;
}

export async function stepApply(
  deps: AppDeps,
  runId: string,
  opts: { workerId: string; signal?: AbortSignal; concurrency?: number },
  log: Logger,
): Promise<unknown> {
  const run = await getRun(deps.db, runId);
  if (!run) return { skipped: true, reason: 'missing run' };
  if (run.dry_run || !['planned', 'applying'].includes(run.status)) return { skipped: true, reason: run.dry_run ? 'dry run' : run.status };
  const res = await applyRun(deps, deps.updox, {
    runId,
    workerId: opts.workerId,
    concurrency: opts.concurrency ?? deps.config.sync.applyConcurrency,
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  if (opts.signal?.aborted) throw new SyncError('retryable', 'APPLY_INTERRUPTED', 'apply interrupted by shutdown; another worker resumes from the outbox');
  log.info(res, 'apply done');
  return res;
}

export async function stepAudit(deps: AppDeps, runId: string | undefined, log: Logger): Promise<unknown> {
  const res = await auditPractices(deps, runId ? { runId } : {});
  log.info(res, 'audit done');
  return res;
}

export async function stepNumbers(deps: AppDeps, runId: string | undefined, log: Logger): Promise<unknown> {
  const res = await pullNumbers(deps, deps.updox, runId ? { runId } : {});
  log.info({ ...res }, 'numbers pulled');
  return res;
}

export async function stepReport(deps: AppDeps, period: string | undefined, log: Logger): Promise<unknown> {
  const res = await sendReports(deps, period ? { period } : {});
  log.info(res, 'reports done');
  return res;
}
