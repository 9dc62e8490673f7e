/**
 * The operator's transitions: approve a held run, cancel a run, resume a halted one. Each refuses
 * with a named BadInputError that says why and what to do instead; none needs SQL.
 */
import { BadInputError } from '../errors';
import { inTransaction, type Db, type Queryable } from './db';
import { emitRunEvent } from './events';
import type { RunRow } from './row';
import { newerPlanOf } from './queries';
import { cancelPendingActions } from './transitions';
import { isFinal, LEASED_STATUSES, PAUSED_STATUSES } from './status';

/**
 * A released run (approved, resumed) starts a new generation of jobs: `takeovers` + 1 tags their
 * ids (jobs/flows.ts takeoverTag), and its lease gives the enqueued apply time to start before a
 * supervisor would enqueue it again. `releases` + 1 keeps the release out of the supervisor's
 * count of takeovers (src/runs/takeover-rules.ts).
 */
export const RELEASE_HANDOFF_MS = 120_000;
const RELEASE_SET = 'owner = NULL, takeovers = takeovers + 1, releases = releases + 1, lease_expires_at = now() + make_interval(secs => $3)';
const secs = (ms: number) => ms / 1000;

async function lockRun(q: Queryable, runId: string): Promise<RunRow> {
  const run = (await q.query<RunRow>('SELECT * FROM runs WHERE id = $1 FOR UPDATE', [runId])).rows[0];
  if (!run) throw new BadInputError('RUN_NOT_FOUND', `run ${runId} not found`);
  return run;
}

async function refuseStale(q: Queryable, run: RunRow, verb: string): Promise<void> {
  const newer = await newerPlanOf(q, run);
  if (newer) {
    throw new BadInputError('RUN_SUPERSEDED', `run ${run.id} cannot be ${verb}: the newer run ${newer.id} (${newer.status}) of the same source has planned, so this plan is stale; start a new sync instead`);
  }
}

/**
 * Releases a run the guardrail held (`held` → `planned`), recording who approved it and when.
 * `q` may be the caller's transaction (approve also records the unchanged practices in it).
 */
export async function approveHeld(db: Db, runId: string, by: string): Promise<RunRow> {
  const run = await inTransaction(db, async (q) => {
    const r = await lockRun(q, runId);
    if (r.dry_run) throw new BadInputError('RUN_DRY_RUN', `run ${runId} is a dry run; nothing can be applied from it (run the sync without --dry-run)`);
    if (r.status !== 'held') {
      const already = r.approved_at ? ` (approved by ${r.approved_by ?? 'unknown'} at ${new Date(r.approved_at).toISOString()})` : '';
      throw new BadInputError('RUN_NOT_HELD', `run ${runId} is ${r.status}${already}; only a held run can be approved`);
    }
    await refuseStale(q, r, 'approved');
    return (await q.query<RunRow>(`UPDATE runs SET status = 'planned', approved_at = now(), approved_by = $2, updated_at = now(),
      ${RELEASE_SET} WHERE id = $1 RETURNING *`, [runId, by, secs(RELEASE_HANDOFF_MS)])).rows[0]!;
  });
  emitRunEvent('planned', run);
  return run;
}

/**
 * Cancels a run that has not ended: it stops sending (workers see the status at their next lease
 * renewal, within a third of the lease), its pending outbox rows become `cancelled`, and who
 * cancelled it is recorded. Rows already in flight keep their claim so the reply is recorded.
 */
export async function cancelRun(db: Db, runId: string, by: string): Promise<{ run: RunRow; cancelledActions: number }> {
  const res = await inTransaction(db, async (q) => {
    const r = await lockRun(q, runId);
    if (isFinal(r.status)) throw new BadInputError('RUN_FINISHED', `run ${runId} is already ${r.status}; there is nothing to cancel`);
    const run = (await q.query<RunRow>(`UPDATE runs SET status = 'cancelled', cancelled_by = $2, cancelled_at = now(), finished_at = now(),
      error_code = 'RUN_CANCELLED', error_message = 'cancelled by ' || $2, owner = NULL, lease_expires_at = NULL, updated_at = now()
      WHERE id = $1 RETURNING *`, [runId, by])).rows[0]!;
    const cancelledActions = await cancelPendingActions(q, runId, `cancelled by ${by}`);
    return { run, cancelledActions };
  });
  emitRunEvent('cancelled', res.run);
  return res;
}

/**
 * Resumes a run: a `halted` one goes back to `planned` (its apply continues from the outbox once
 * enqueued), if it is still the newest plan of its source. A run that is working under a lease is
 * refused (it needs no resume); a held run is approved instead.
 */
export async function resumeRun(db: Db, runId: string, by: string): Promise<RunRow> {
  const run = await inTransaction(db, async (q) => {
    const r = await lockRun(q, runId);
    if (r.status === 'held') throw new BadInputError('RUN_HELD', `run ${runId} is held by the guardrail (${r.held_reason ?? 'no reason recorded'}); release it with \`updox-sync approve ${runId}\``);
    if ((LEASED_STATUSES as readonly string[]).includes(r.status)) {
      throw new BadInputError('RUN_NOT_PAUSED', `run ${runId} is ${r.status} and owned by ${r.owner ?? 'nobody'}; it resumes by itself (a worker's supervisor takes over a run whose owner stopped)`);
    }
    if (!(PAUSED_STATUSES as readonly string[]).includes(r.status)) {
      throw new BadInputError('RUN_FINISHED', `run ${runId} is ${r.status}; only a halted run can be resumed (start a new sync instead)`);
    }
    if (r.plan_stats?.counts == null && r.kind === 'sync') {
      throw new BadInputError('RUN_NOT_PLANNED', `run ${runId} halted before its plan was written (${r.halt_reason ?? 'no reason recorded'}); fix the cause and start a new sync`);
    }
    await refuseStale(q, r, 'resumed');
    return (await q.query<RunRow>(`UPDATE runs SET status = 'planned', halt_reason = NULL, finished_at = NULL, updated_at = now(),
      error_code = NULL, error_message = 'resumed by ' || $2, ${RELEASE_SET} WHERE id = $1 RETURNING *`, [runId, by, secs(RELEASE_HANDOFF_MS)])).rows[0]!;
  });
  emitRunEvent('resumed', run);
  return run;
}
