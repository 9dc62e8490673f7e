/**
 * The transitions of a run's life: the only code that writes `runs.status` (test/unit/runs/
 * owner.test.ts fails on any other). Each is one guarded statement (or one transaction): it
 * changes the run only from the statuses it names, so two processes racing on one run never both
 * win, and returns the row it wrote (undefined when the guard refused). docs/runs.md draws them.
 */
import { asQueryable, inTransaction, isUniqueViolation, type Db, type Queryable } from './db';
import { emitRunEvent } from './events';
import type { NewRun, RunRow } from './row';
import { describeBlocker, findBlocker } from './queries';
import {
  LEASED_STATUSES, PAUSED_STATUSES, SUPERSEDABLE_STATUSES,
  type RunStatus, type SourceStep, type RunStep,
} from './status';

export const DEFAULT_LEASE_MS = 30_000;
const secs = (ms: number) => ms / 1000;
const NOT_FINAL = [...LEASED_STATUSES, ...PAUSED_STATUSES] as string[];

async function one(q: Queryable, sql: string, params: unknown[]): Promise<RunRow | undefined> {
  return (await q.query<RunRow>(sql, params)).rows[0];
}

export interface CreatedRun { run: RunRow; skipped: boolean; blocker?: RunRow }

/**
 * Opens a run in `queued` (leased to `owner` when given). When another non-dry run of the same
 * kind and source holds the source lock, records a `skipped` run whose message names the blocking
 * run, its status and age, and how to resolve it.
 */
export async function createRun(db: Db, r: NewRun): Promise<CreatedRun> {
  const q = asQueryable(db);
  const params = [r.kind, r.partnerId, r.source, r.dryRun, r.trigger, r.input ?? null, r.night ?? null];
  try {
    const run = (await one(q, `INSERT INTO runs (kind, partner_id, source, dry_run, trigger, input, night, status, started_at, owner, lease_expires_at, updated_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, 'queued', now(), $8, CASE WHEN $8::text IS NULL THEN NULL ELSE now() + make_interval(secs => $9) END, now())
      RETURNING *`, [...params, r.owner ?? null, secs(r.leaseMs ?? DEFAULT_LEASE_MS)]))!;
    emitRunEvent('created', run);
    return { run, skipped: false };
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    const blocker = await findBlocker(q, r.kind, r.source);
    const run = (await one(q, `INSERT INTO runs (kind, partner_id, source, dry_run, trigger, input, night, status, finished_at, error_code, error_message, updated_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, 'skipped', now(), 'RUN_IN_PROGRESS', $8, now()) RETURNING *`,
    [...params, describeBlocker(r.kind, r.source, blocker)]))!;
    emitRunEvent('skipped', run);
    return { run, skipped: true, ...(blocker ? { blocker } : {}) };
  }
}

const STEP_STATUS: Record<SourceStep, RunStatus> = { import: 'importing', plan: 'planning', apply: 'applying' };
const STEP_FROM: Record<SourceStep, readonly RunStatus[]> = {
  import: ['queued', 'importing'],
  plan: ['queued', 'importing', 'planning'],
  apply: ['planned', 'applying'],
};

/**
 * Starts a step under `owner`'s lease. A source step moves the status (import → importing, plan →
 * planning; apply goes through beginApply); a partner step keeps the run `applying`. Returns
 * undefined when the run is not in a status the step may start from, or (given `generation`) when
 * a takeover or release started a newer generation of its jobs.
 */
export async function startStep(
  db: Db, runId: string, step: RunStep, owner: string,
  opts: { leaseMs?: number; generation?: number | undefined } = {},
): Promise<RunRow | undefined> {
  const q = asQueryable(db);
  const source = step === 'import' || step === 'plan';
  const status = source ? STEP_STATUS[step] : 'applying';
  const from = source ? STEP_FROM[step] : ['queued', 'applying'];
  const run = await one(q, `UPDATE runs SET status = $2, step = $3, owner = $4, lease_expires_at = now() + make_interval(secs => $5), updated_at = now()
    WHERE id = $1 AND status = ANY($6) AND ($7::int IS NULL OR takeovers = $7) RETURNING *`,
  [runId, status, step, owner, secs(opts.leaseMs ?? DEFAULT_LEASE_MS), from, opts.generation ?? null]);
  emitRunEvent('step', run);
  return run;
}

/**
 * Renews `owner`'s lease on the run. Returns the run's status, or null when the run is no longer
 * this owner's (taken over, cancelled, finished): the caller stops.
 */
export async function renewLease(db: Db, runId: string, owner: string, leaseMs = DEFAULT_LEASE_MS): Promise<RunStatus | null> {
  const q = asQueryable(db);
  const r = await one(q, `UPDATE runs SET lease_expires_at = now() + make_interval(secs => $3)
    WHERE id = $1 AND owner = $2 AND status = ANY($4) RETURNING status`, [runId, owner, secs(leaseMs), LEASED_STATUSES]);
  return r?.status ?? null;
}

/**
 * A step finished and the next one is queued: the lease is extended by `handoffMs` so the
 * supervisor leaves the run alone while the next step's job waits for a worker.
 */
export async function handOff(db: Db, runId: string, owner: string, handoffMs: number): Promise<void> {
  await asQueryable(db).query(`UPDATE runs SET lease_expires_at = now() + make_interval(secs => $3), updated_at = now()
    WHERE id = $1 AND owner = $2 AND status = ANY($4)`, [runId, owner, secs(handoffMs), LEASED_STATUSES]);
}

/**
 * Ends a run in `failed` from any unfinished status, recording why. Its pending outbox rows are
 * cancelled (rows in flight keep their claim: the reply in hand is still recorded). Given `owner`,
 * only while the run is still that attempt's: an attempt that lost the run never fails it.
 */
export async function failRun(db: Db, runId: string, err: { code: string; message: string }, opts: { owner?: string } = {}): Promise<RunRow | undefined> {
  const run = await inTransaction(db, async (q) => {
    const r = await one(q, `UPDATE runs SET status = 'failed', error_code = $2, error_message = $3, finished_at = now(),
      owner = NULL, lease_expires_at = NULL, updated_at = now() WHERE id = $1 AND status = ANY($4) AND ($5::text IS NULL OR owner = $5) RETURNING *`,
    [runId, err.code, err.message.slice(0, 2000), NOT_FINAL, opts.owner ?? null]);
    if (r) await cancelPendingActions(q, runId, `run failed: ${err.code}`);
    return r;
  });
  emitRunEvent('failed', run);
  return run;
}

/**
 * Pauses a run on a halt (credentials, activation): `halted` with the reason, every row in flight
 * back to pending and marked needs_reconcile (its call may be landing now). First halt wins.
 */
export async function haltRun(db: Db, runId: string, reason: string, code = 'RUN_HALTED'): Promise<RunRow | undefined> {
  const run = await inTransaction(db, async (q) => {
    const r = await one(q, `UPDATE runs SET status = 'halted', halt_reason = $2, error_code = coalesce(error_code, $3), finished_at = now(),
      owner = NULL, lease_expires_at = NULL, updated_at = now() WHERE id = $1 AND status = ANY($4) RETURNING *`,
    [runId, reason.slice(0, 2000), code, LEASED_STATUSES]);
    if (r) {
      await q.query(`UPDATE sync_actions SET status = 'pending', needs_reconcile = true, lease_expires_at = NULL
        WHERE run_id = $1 AND status = 'in_flight'`, [runId]);
    }
    return r;
  });
  emitRunEvent('halted', run);
  return run;
}

/** Ends a run that completed its work (partner steps, a CLI import): `succeeded` or `completed_with_errors`. */
export async function finishRun(db: Db, runId: string, opts: { withErrors?: boolean; stats?: Record<string, unknown> } = {}): Promise<RunRow | undefined> {
  const status: RunStatus = opts.withErrors ? 'completed_with_errors' : 'succeeded';
  const stats = opts.stats ?? {};
  const run = await one(asQueryable(db), `UPDATE runs SET status = $2, apply_stats = coalesce(apply_stats, '{}'::jsonb) || $3::jsonb,
    finished_at = now(), owner = NULL, lease_expires_at = NULL, updated_at = now() WHERE id = $1 AND status = ANY($4) RETURNING *`,
  [runId, status, JSON.stringify(stats), LEASED_STATUSES]);
  emitRunEvent('finished', run);
  return run;
}

/**
 * Marks older plans of the run's source stale: every older non-dry run of the same kind and
 * source in `planned`, `held` or `halted` becomes `superseded` (pointing at `runId`) and its
 * pending outbox rows cancelled. Call inside the transaction that records the newer plan.
 */
export async function supersedeOlder(q: Queryable, run: Pick<RunRow, 'id' | 'kind' | 'source' | 'created_at'>): Promise<RunRow[]> {
  const { rows } = await q.query<RunRow>(`UPDATE runs SET status = 'superseded', superseded_by = $1, finished_at = now(),
      owner = NULL, lease_expires_at = NULL, updated_at = now(),
      error_code = 'RUN_SUPERSEDED', error_message = 'a newer run of the source planned: ' || $1::text
    WHERE kind = $2 AND source IS NOT DISTINCT FROM $3 AND id <> $1 AND NOT dry_run AND created_at <= $4 AND status = ANY($5)
    RETURNING *`, [run.id, run.kind, run.source, run.created_at, SUPERSEDABLE_STATUSES]);
  for (const r of rows) await cancelPendingActions(q, r.id, `superseded by run ${run.id}`);
  return rows;
}

/** Supersedes one run (its plan is stale: a newer run of the source planned). */
export async function supersedeRun(db: Db, runId: string, byRunId: string): Promise<RunRow | undefined> {
  const run = await inTransaction(db, async (q) => {
    const r = await one(q, `UPDATE runs SET status = 'superseded', superseded_by = $2, finished_at = now(), owner = NULL, lease_expires_at = NULL,
      updated_at = now(), error_code = 'RUN_SUPERSEDED', error_message = 'a newer run of the source planned: ' || $2::text
      WHERE id = $1 AND status = ANY($3) RETURNING *`, [runId, byRunId, [...SUPERSEDABLE_STATUSES, 'applying']]);
    if (r) await cancelPendingActions(q, runId, `superseded by run ${byRunId}`);
    return r;
  });
  emitRunEvent('superseded', run);
  return run;
}

export async function cancelPendingActions(q: Queryable, runId: string, why: string): Promise<number> {
  const r = await q.query(`UPDATE sync_actions SET status = 'cancelled', message = $2, finished_at = now(), lease_expires_at = NULL
    WHERE run_id = $1 AND status = 'pending'`, [runId, why.slice(0, 2000)]);
  return r.rowCount ?? 0;
}

/** Records a partner step's summary on its run (`apply_stats.<step>`), for `run RUN` and the report. */
export async function recordStepResult(db: Db, runId: string, step: RunStep, result: Record<string, unknown>): Promise<void> {
  await asQueryable(db).query(`UPDATE runs SET apply_stats = jsonb_set(coalesce(apply_stats, '{}'::jsonb), ARRAY[$2::text], $3::jsonb), updated_at = now()
    WHERE id = $1`, [runId, step, JSON.stringify(result)]);
}

/** Gives up `owner`'s lease at once (a process stopping): a supervisor takes the run over at its next tick. */
export async function releaseLease(db: Db, runId: string, owner: string): Promise<void> {
  await asQueryable(db).query('UPDATE runs SET lease_expires_at = now() WHERE id = $1 AND owner = $2', [runId, owner]);
}
