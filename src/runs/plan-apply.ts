/**
 * The transitions around a plan and its apply: recording a plan (planned, held, or previewed for
 * a dry run) and superseding older plans, starting an apply only from the newest plan, and
 * closing an apply whose outbox is drained.
 */
import { asQueryable, inTransaction, isUniqueViolation, type Db, type Queryable } from './db';
import { emitRunEvent } from './events';
import type { PlanStats, RunRow } from './row';
import { findBlocker, newerPlanOf } from './queries';
import { supersedeOlder, supersedeRun, DEFAULT_LEASE_MS } from './transitions';
import { APPLIABLE_STATUSES, type RunStatus } from './status';

export interface PlanOutcome { planStats: PlanStats; held: boolean; heldReason: string | null }

/**
 * Records a plan, inside the plan's transaction (`q` holds the run `FOR UPDATE`): a dry run ends
 * `previewed` (it never waits for anything and never holds the source); otherwise `held` (the
 * guardrail) or `planned`, and every older plan of the source is superseded.
 */
export async function recordPlan(q: Queryable, run: RunRow, o: PlanOutcome): Promise<{ run: RunRow; superseded: RunRow[] }> {
  const status: RunStatus = run.dry_run ? 'previewed' : o.held ? 'held' : 'planned';
  const updated = (await q.query<RunRow>(`UPDATE runs SET status = $2, plan_stats = $3, held_reason = $4, step = 'plan', updated_at = now(),
      finished_at = CASE WHEN $2 = 'previewed' THEN now() ELSE finished_at END,
      owner = CASE WHEN $2 = 'planned' THEN owner ELSE NULL END,
      lease_expires_at = CASE WHEN $2 = 'planned' THEN lease_expires_at ELSE NULL END
    WHERE id = $1 RETURNING *`, [run.id, status, JSON.stringify(o.planStats), o.held ? o.heldReason : null])).rows[0]!;
  const superseded = run.dry_run ? [] : await supersedeOlder(q, run);
  return { run: updated, superseded };
}

/** Emits the events of a committed plan (call after the plan's transaction committed). */
export function emitPlanEvents(r: { run: RunRow; superseded: RunRow[] }): void {
  emitRunEvent(r.run.status === 'held' ? 'held' : r.run.status === 'previewed' ? 'previewed' : 'planned', r.run);
  for (const s of r.superseded) emitRunEvent('superseded', s);
}

export type BeginApply =
  | { ok: true; run: RunRow }
  | { ok: false; reason: 'not_appliable'; run: RunRow | undefined }
  | { ok: false; reason: 'stale'; run: RunRow }
  | { ok: false; reason: 'superseded'; run: RunRow; by: RunRow }
  | { ok: false; reason: 'blocked'; run: RunRow; blocker: RunRow | undefined };

/**
 * Moves a run to `applying` under `owner`'s lease, only when it is the newest plan of its source:
 * a newer run that planned supersedes it here (its payloads are stale and never sent); a newer run
 * still importing or planning holds the source lock, and this apply waits for it (`blocked`).
 * Given `generation`, a job of an older generation than the run's (jobs/flows.ts) is refused
 * (`stale`).
 */
export async function beginApply(
  db: Db, runId: string, owner: string,
  opts: { leaseMs?: number; generation?: number | undefined } = {},
): Promise<BeginApply> {
  const q = asQueryable(db);
  const leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS;
  const generation = opts.generation ?? null;
  const run = (await q.query<RunRow>('SELECT * FROM runs WHERE id = $1', [runId])).rows[0];
  if (!run || !(APPLIABLE_STATUSES as readonly string[]).includes(run.status) || run.dry_run) return { ok: false, reason: 'not_appliable', run };
  if (generation !== null && run.takeovers !== generation) return { ok: false, reason: 'stale', run };
  const newer = await newerPlanOf(q, run);
  if (newer) {
    const s = await supersedeRun(db, runId, newer.id);
    return { ok: false, reason: 'superseded', run: s ?? run, by: newer };
  }
  try {
    const r = (await q.query<RunRow>(`UPDATE runs SET status = 'applying', step = 'apply', owner = $2,
        lease_expires_at = now() + make_interval(secs => $3), updated_at = now()
      WHERE id = $1 AND status = ANY($4) AND ($5::int IS NULL OR takeovers = $5) RETURNING *`, [runId, owner, leaseMs / 1000, APPLIABLE_STATUSES, generation])).rows[0];
    if (!r) return { ok: false, reason: 'not_appliable', run: (await q.query<RunRow>('SELECT * FROM runs WHERE id = $1', [runId])).rows[0] };
    if (run.status !== 'applying') emitRunEvent('applying', r);
    return { ok: true, run: r };
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    return { ok: false, reason: 'blocked', run, blocker: await findBlocker(q, run.kind, run.source, run.id) };
  }
}

/**
 * Closes an `applying` run whose outbox has no open row: `succeeded`, or `completed_with_errors`
 * when some rows failed or need review, with the outbox counts and the writes they cost. Safe to call from every
 * worker at once; only the first changes the run. Returns the run's status after the call.
 */
export async function finishApply(db: Db, runId: string): Promise<RunStatus | null> {
  const res = await inTransaction(db, async (q) => {
    const run = (await q.query<RunRow>('SELECT * FROM runs WHERE id = $1 FOR UPDATE', [runId])).rows[0];
    if (!run || run.status !== 'applying') return { status: run?.status ?? null, run: undefined };
    const counts = Object.fromEntries((await q.query<{ status: string; n: string }>(
      'SELECT status, count(*) AS n FROM sync_actions WHERE run_id = $1 GROUP BY status', [runId])).rows.map((r) => [r.status, Number(r.n)]));
    if ((counts.pending ?? 0) + (counts.in_flight ?? 0) > 0) return { status: 'applying' as RunStatus, run: undefined };
    const cost = (await q.query<{ writes: string | null; gets: string | null }>(
      'SELECT sum(attempts) AS writes, sum(reconciles) AS gets FROM sync_actions WHERE run_id = $1', [runId])).rows[0];
    const status: RunStatus = (counts.failed ?? 0) + (counts.needs_review ?? 0) > 0 ? 'completed_with_errors' : 'succeeded';
    const stats = { ...counts, apiWrites: Number(cost?.writes ?? 0), reconcileReads: Number(cost?.gets ?? 0) };
    const done = (await q.query<RunRow>(`UPDATE runs SET status = $2, finished_at = now(), apply_stats = $3, owner = NULL, lease_expires_at = NULL,
      updated_at = now() WHERE id = $1 RETURNING *`, [runId, status, JSON.stringify(stats)])).rows[0];
    return { status, run: done };
  });
  emitRunEvent('finished', res.run);
  return res.status;
}
