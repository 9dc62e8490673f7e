/**
 * The partner-wide steps, audit → numbers → report, run once per partner per night (a run of kind
 * `partner` keyed by its night) after the night's source flows have ended. They never work on a
 * partial apply: the audit waits while any sync run is applying (or planned and about to), up to
 * PARTNER_WAIT_MAX_MS after the partner run opened; past that it goes on and records which runs
 * had not finished (`apply_stats.audit.unfinishedRuns`), which the report's runs table shows.
 */
import type { Knex } from 'knex';
import type { AppDeps } from '../app';
import {
  createRun, finishRun, getRun, isFinal, LEASED_STATUSES, listRuns, recordStepResult, startStep, withRunLease, type RunRow,
} from '../runs';
import { auditPractices } from '../sms/audit';
import { pullNumbers } from '../sms/numbers';
import { reportTimeZone, sendReports } from '../reports/send';
import { MINUTE } from '../time';
import { nightOf } from './night';
import { next, stop, wait, type StepOutcome } from './outcome';
import type { StepContext } from './source-steps';

export const PARTNER_WAIT_MAX_MS = 180 * MINUTE;
export const PARTNER_WAIT_POLL_MS = 30_000;

/** Sync runs (not dry) still importing, planning, planned or applying. */
async function unfinishedSyncRuns(db: Knex, night?: string): Promise<RunRow[]> {
  const q = db('runs').where({ kind: 'sync', dry_run: false }).whereIn('status', LEASED_STATUSES).orderBy('created_at').limit(100);
  if (night) q.where({ night });
  return q as Promise<RunRow[]>;
}

export async function auditStep(ctx: StepContext): Promise<StepOutcome> {
  const { deps, runId } = ctx;
  const run = await getRun(deps.db, runId);
  if (!run || isFinal(run.status)) return stop(run?.status ?? 'missing run');
  const busy = await unfinishedSyncRuns(deps.db);
  const waited = deps.clock.now().getTime() - new Date(run.created_at).getTime();
  if (busy.length && waited < PARTNER_WAIT_MAX_MS) {
    return wait(PARTNER_WAIT_POLL_MS, `waiting for ${busy.length} unfinished sync run(s): ${busy.slice(0, 3).map((r) => `${r.id} (${r.status})`).join(', ')}`);
  }
  if (!(await startStep(deps.db, runId, 'audit', ctx.owner, { generation: ctx.generation }))) return stop('not startable');
  return withRunLease(deps.db, runId, ctx.owner, async () => {
    const res = await auditPractices(deps, {});
    const unfinishedRuns = busy.map((r) => ({ id: r.id, source: r.source, status: r.status }));
    await recordStepResult(deps.db, runId, 'audit', { ...res, unfinishedRuns });
    ctx.log.info({ ...res, unfinished: unfinishedRuns.length }, 'audit done');
    return next(res);
  }, ctx.signal ? { signal: ctx.signal } : {});
}

export async function numbersStep(ctx: StepContext): Promise<StepOutcome> {
  const { deps, runId } = ctx;
  if (!(await startStep(deps.db, runId, 'numbers', ctx.owner, { generation: ctx.generation }))) return stop('not startable');
  return withRunLease(deps.db, runId, ctx.owner, async (lease) => {
    // The accounts due tonight, most urgent first, within the night's budget (src/sms/number-checks.ts).
    const res = await pullNumbers(deps, deps.updox, { runId, signal: lease.signal, mode: 'due' });
    const summary = {
      accounts: res.accounts, listed: res.listed, numbers: res.numbers, changed: res.changed, overdue: res.totals.overdue,
      rejected: res.totals.rejected, failedAccounts: res.totals.failedAccounts, durationMs: res.durationMs,
      due: res.due, budget: res.budget, leftDue: res.leftDue,
    };
    await recordStepResult(deps.db, runId, 'numbers', summary);
    ctx.log.info(summary, 'numbers pulled');
    return next(summary);
  }, ctx.signal ? { signal: ctx.signal } : {});
}

export async function reportStep(ctx: StepContext): Promise<StepOutcome> {
  const { deps, runId } = ctx;
  if (!(await startStep(deps.db, runId, 'report', ctx.owner, { generation: ctx.generation }))) return stop('not startable');
  return withRunLease(deps.db, runId, ctx.owner, async () => {
    const res = await sendReports(deps, {});
    const summary = { period: res.period, transport: res.transport, sent: res.sent };
    await recordStepResult(deps.db, runId, 'report', { ...summary, failed: res.failed });
    await finishRun(deps.db, runId, { withErrors: res.failed > 0 });
    ctx.log.info(summary, 'reports done');
    return next(summary);
  }, ctx.signal ? { signal: ctx.signal } : {});
}

export const PARTNER_STEP_FNS = { audit: auditStep, numbers: numbersStep, report: reportStep } as const;

/** Tonight's key in the partner's report time zone. */
export const tonight = (deps: Pick<AppDeps, 'config' | 'clock'>): string => nightOf(deps.clock.now(), reportTimeZone(deps.config));

/**
 * Opens the partner run of `night` when it is due: no partner run of that night yet, at least one
 * flow-driven sync run of that night (or `force`, the report schedule's fallback), and none of
 * them unfinished. Returns the new run, or undefined when not due (or another process opened it).
 */
export async function openPartnerRunIfDue(deps: AppDeps, night: string, opts: { owner: string; leaseMs: number; force?: boolean }): Promise<RunRow | undefined> {
  const { db } = deps;
  const existing = await db('runs').where({ kind: 'partner', night }).whereNot({ status: 'skipped' }).first('id');
  if (existing) return undefined;
  if (!opts.force) {
    const ran = await db('runs').where({ kind: 'sync', night, dry_run: false }).first('id');
    if (!ran || (await unfinishedSyncRuns(db, night)).length) return undefined;
  }
  const created = await createRun(db, {
    kind: 'partner', partnerId: deps.config.partner.id, source: null, dryRun: false, trigger: 'schedule', night,
    owner: opts.owner, leaseMs: opts.leaseMs,
  });
  // A race with another process is refused by runs_partner_once_per_night (recorded as skipped).
  return created.skipped ? undefined : created.run;
}

/** The partner run of a night, if any (not counting skipped ones). */
export async function partnerRunOf(db: Knex, night: string): Promise<RunRow | undefined> {
  const runs = await listRuns(db, { kind: 'partner', limit: 5 });
  return runs.find((r) => r.night === night && r.status !== 'skipped');
}
