/**
 * The outbox side of apply: claiming rows under a lease, renewing leases, giving rows back, and
 * reading what is left (the run's own transitions are src/runs/). Every statement is one round trip and safe to run from many processes at
 * once: claims use FOR UPDATE SKIP LOCKED, and the lease (not a process being alive) decides who
 * owns a row. Times come from Postgres's now(), so workers on different machines agree.
 */
import type { Knex } from 'knex';
import type { UpdoxPractice } from '../updox/types';

/** An outbox row as a worker holds it. */
export interface ClaimedAction {
  id: number;
  runId: string;
  accountId: string;
  externalId: string | null;
  op: string;
  payload: UpdoxPractice;
  attempts: number;
  reconciles: number;
  /** The previous attempt's reply was not read (or its worker died): PracticeGet before writing. */
  needsReconcile: boolean;
  source: string | null;
  managerEmail: string | null;
}

/**
 * Claims up to `limit` rows of a run that is `applying`: pending rows that are due, and rows left
 * in flight by a worker whose lease expired (those are marked needs_reconcile, since their write
 * may have landed).
 */
export async function claimActions(db: Knex, runId: string, workerId: string, limit: number, leaseMs: number): Promise<ClaimedAction[]> {
  const { rows } = await db.raw(
    `WITH c AS (
       SELECT a.id, a.status AS prev_status
         FROM sync_actions a
        WHERE a.run_id = :runId
          AND ((a.status = 'pending' AND (a.next_attempt_at IS NULL OR a.next_attempt_at <= now()))
            OR (a.status = 'in_flight' AND (a.lease_expires_at IS NULL OR a.lease_expires_at < now())))
          AND EXISTS (SELECT 1 FROM runs r WHERE r.id = a.run_id AND r.status = 'applying')
        ORDER BY a.id
        LIMIT :limit
        FOR UPDATE OF a SKIP LOCKED)
     UPDATE sync_actions s
        SET status = 'in_flight', claimed_by = :workerId, claimed_at = now(),
            lease_expires_at = now() + make_interval(secs => :leaseSec),
            needs_reconcile = s.needs_reconcile OR c.prev_status = 'in_flight'
       FROM c WHERE s.id = c.id
     RETURNING s.id, s.run_id, s.account_id, s.external_id, s.op, s.payload, s.attempts, s.reconciles,
               s.needs_reconcile, s.source, s.manager_email`,
    { runId, workerId, limit, leaseSec: leaseMs / 1000 },
  );
  return (rows as Record<string, unknown>[])
    .map((r) => ({
      id: Number(r.id),
      runId: r.run_id as string,
      accountId: r.account_id as string,
      externalId: (r.external_id as string | null) ?? null,
      op: r.op as string,
      payload: r.payload as UpdoxPractice,
      attempts: Number(r.attempts),
      reconciles: Number(r.reconciles),
      needsReconcile: Boolean(r.needs_reconcile),
      source: (r.source as string | null) ?? null,
      managerEmail: (r.manager_email as string | null) ?? null,
    }))
    .sort((a, b) => a.id - b.id);
}

/** Extends the leases of this worker's rows; returns the run's status (a halt elsewhere shows here). */
export async function renewLeases(db: Knex, runId: string, workerId: string, leaseMs: number): Promise<string | null> {
  await db('sync_actions')
    .where({ run_id: runId, claimed_by: workerId, status: 'in_flight' })
    .update({ lease_expires_at: db.raw('now() + make_interval(secs => ?)', [leaseMs / 1000]) });
  const run = await db('runs').where({ id: runId }).first('status');
  return (run?.status as string | undefined) ?? null;
}

/** Gives rows this worker claimed but never sent back to pending (shutdown, halt elsewhere). */
export async function releaseActions(db: Knex, workerId: string, ids: number[]): Promise<void> {
  if (!ids.length) return;
  await db('sync_actions')
    .whereIn('id', ids)
    .andWhere({ claimed_by: workerId, status: 'in_flight' })
    .update({ status: 'pending', claimed_by: null, lease_expires_at: null });
}

export interface OutboxState {
  runStatus: string | null;
  /** Rows not yet final (pending or in flight). */
  open: number;
  /** Milliseconds until the next pending row is due or the next lease expires (0 = now). */
  nextInMs: number | null;
}

/** What is left of a run's outbox, for deciding to wait, to close the run, or to stop. */
export async function outboxState(db: Knex, runId: string): Promise<OutboxState> {
  const { rows } = await db.raw(
    `SELECT r.status AS run_status,
            (SELECT count(*) FROM sync_actions a WHERE a.run_id = r.id AND a.status IN ('pending', 'in_flight')) AS open,
            (SELECT greatest(0, extract(epoch FROM min(CASE WHEN a.status = 'pending' THEN coalesce(a.next_attempt_at, now())
                                                               ELSE coalesce(a.lease_expires_at, now()) END) - now()) * 1000)
               FROM sync_actions a WHERE a.run_id = r.id AND a.status IN ('pending', 'in_flight')) AS next_in_ms
       FROM runs r WHERE r.id = ?`,
    [runId],
  );
  const r = (rows as Record<string, unknown>[])[0];
  if (!r) return { runStatus: null, open: 0, nextInMs: null };
  return { runStatus: r.run_status as string, open: Number(r.open), nextInMs: r.next_in_ms == null ? null : Number(r.next_in_ms) };
}

/** Counts of a run's outbox by status. */
export async function outboxCounts(db: Knex, runId: string): Promise<Record<string, number>> {
  const rows = await db('sync_actions').where({ run_id: runId }).select('status').count<{ status: string; n: string }[]>({ n: '*' }).groupBy('status');
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}
