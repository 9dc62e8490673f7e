/**
 * The supervisor: every worker runs one, every `intervalMs` (not only at start-up). Postgres is the
 * truth and the queue only transport, so each tick, from Postgres:
 * 1. gives back outbox rows whose claim belongs to a dead attempt (src/runs/takeover.ts);
 * 2. for each run in a leased status whose lease expired (or whose owner is a process of this
 *    machine that no longer exists): if the job of its next step is alive in BullMQ, the lease is
 *    extended (the work is only queued); otherwise the run is taken over (one supervisor wins)
 *    and, by src/runs/takeover-rules.ts, its remaining steps are enqueued again from its last
 *    completed step, or it is failed with a reason;
 * 3. registers the schedules from config again when any is missing (Redis lost or flushed);
 * 4. opens the partner steps of recent nights whose source flows have all ended.
 * docs/runs.md "The supervisor's rules" describes the same.
 */
import type { AppDeps } from '../src/app';
import { SUPERVISOR_DEFAULTS } from '../src/config-values';
import { coerceError } from '../src/errors';
import { openPartnerRunIfDue } from '../src/pipeline/partner-steps';
import {
  attemptId, decideTakeover, extendLease, failRun, LEASED_STATUSES, ownerIsGone, releaseDeadClaims, takeOver, type RunRow,
} from '../src/runs';
import { enqueueRunSteps, takeoverTag } from './flows';
import { jobIdFor, queueFor, type Queues } from './queues';
import { missingSchedules, registerSchedules } from './schedules';

export interface SupervisorOptions {
  intervalMs: number;
  /** Lease given to a taken-over run until its first step's job starts. */
  handoffMs: number;
  maxTakeovers: number;
}

export const DEFAULT_SUPERVISOR: SupervisorOptions = { ...SUPERVISOR_DEFAULTS };

export interface TickReport { released: number; extended: number; resumed: string[]; failed: string[]; schedulesRestored: number; partnerRuns: string[] }

const QUEUED = new Set(['waiting', 'delayed', 'waiting-children', 'prioritized']);

/**
 * Whether the job of the run's next step is alive in BullMQ. An `active` job counts only while its
 * run's owner lives: a job active under a killed worker waits for BullMQ's stall check (a minute),
 * so the run is taken over now (the stalled job, when it runs again, finds the run applied or joins it).
 */
async function jobAlive(q: Queues, run: RunRow, step: Parameters<typeof jobIdFor>[0], ownerGone: boolean): Promise<boolean> {
  const job = await queueFor(q, step).getJob(jobIdFor(step, run.id, takeoverTag(run.takeovers)));
  if (!job) return false;
  const state = await job.getState();
  return QUEUED.has(state) || (state === 'active' && !ownerGone);
}

export async function superviseOnce(deps: AppDeps, q: Queues, opts: SupervisorOptions): Promise<TickReport> {
  const { db, log } = deps;
  const report: TickReport = { released: 0, extended: 0, resumed: [], failed: [], schedulesRestored: 0, partnerRuns: [] };
  report.released = await releaseDeadClaims(db);
  if (report.released) log.warn({ rows: report.released }, 'outbox rows of dead attempts released');

  const leased = (await db('runs').whereIn('status', LEASED_STATUSES).orderBy('created_at').limit(200)) as RunRow[];
  const now = Date.now();
  for (const run of leased) {
    const gone = ownerIsGone(run.owner);
    const expired = !run.lease_expires_at || new Date(run.lease_expires_at).getTime() < now;
    if (!gone && !expired) continue;
    const decision = decideTakeover({ ...run, takeovers: run.takeovers + 1 }, opts.maxTakeovers);
    if (decision.action === 'resume' && await jobAlive(q, run, decision.from, gone)) {
      await extendLease(db, run.id, opts.handoffMs);
      report.extended++;
      continue;
    }
    const taken = await takeOver(db, run.id, attemptId('supervisor'), opts.handoffMs, { previousOwner: gone ? run.owner : null });
    if (!taken) continue;
    const rlog = log.child({ runId: run.id, source: run.source, kind: run.kind });
    if (decision.action === 'fail') {
      await failRun(db, run.id, { code: decision.code, message: decision.message });
      rlog.error({ code: decision.code, status: run.status }, 'run failed by the supervisor');
      report.failed.push(run.id);
      continue;
    }
    await enqueueRunSteps(q, taken, decision.from);
    rlog.warn({ status: run.status, from: decision.from, previousOwner: run.owner, takeovers: taken.takeovers }, 'run taken over');
    report.resumed.push(run.id);
  }

  const missing = await missingSchedules(deps, q);
  if (missing.length) {
    await registerSchedules(deps, q);
    report.schedulesRestored = missing.length;
    log.warn({ missing }, 'schedules registered again');
  }

  const nights = (await db('runs').where({ kind: 'sync', dry_run: false }).whereNotNull('night')
    .where('created_at', '>', db.raw("now() - interval '2 days'")).distinct('night').pluck('night')) as string[];
  for (const night of nights) {
    const partner = await openPartnerRunIfDue(deps, night, { owner: attemptId('supervisor'), leaseMs: opts.handoffMs });
    if (!partner) continue;
    await enqueueRunSteps(q, partner, 'audit');
    report.partnerRuns.push(partner.id);
  }
  return report;
}

export interface RunningSupervisor { stop(): Promise<void>; tick(): Promise<TickReport | null> }

export function startSupervisor(deps: AppDeps, q: Queues, opts: SupervisorOptions = DEFAULT_SUPERVISOR): RunningSupervisor {
  let current: Promise<TickReport | null> | null = null;
  let stopped = false;
  const tick = () => {
    current ??= superviseOnce(deps, q, opts).catch((err) => {
      // Redis or Postgres away: the next tick tries again.
      deps.log.warn({ err: coerceError(err).message }, 'supervisor tick failed');
      return null;
    }).finally(() => { current = null; });
    return current;
  };
  const timer = setInterval(() => { if (!stopped) void tick(); }, opts.intervalMs);
  timer.unref();
  void tick();
  return {
    tick,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await current;
    },
  };
}
