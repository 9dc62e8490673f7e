/**
 * The supervisor's transitions: claiming a run whose lease expired (exactly one supervisor wins)
 * and giving back outbox rows whose claim belongs to a dead attempt. The rules that decide what
 * happens to a taken-over run are in src/runs/takeover-rules.ts (pure).
 */
import { asQueryable, type Db } from './db';
import { emitRunEvent } from './events';
import type { RunRow } from './row';
import { LEASED_STATUSES } from './status';

/** Runs in a leased status whose lease has expired (or that never had one), oldest first. */
export async function expiredLeases(db: Db, limit = 50): Promise<RunRow[]> {
  return (await asQueryable(db).query<RunRow>(`SELECT * FROM runs WHERE status = ANY($1)
    AND (lease_expires_at IS NULL OR lease_expires_at < now()) ORDER BY created_at LIMIT $2`, [LEASED_STATUSES, limit])).rows;
}

/**
 * Takes the run over for `owner` if its lease is still expired (or its owner is still the one
 * known dead) (so two supervisors never both
 * win), counting the takeover. The lease granted covers the enqueue of its next step.
 */
export async function takeOver(db: Db, runId: string, owner: string, leaseMs: number, opts: { previousOwner?: string | null } = {}): Promise<RunRow | undefined> {
  // With previousOwner (known dead: a killed local process), the lease need not have run out.
  const run = (await asQueryable(db).query<RunRow>(`UPDATE runs SET owner = $2, lease_expires_at = now() + make_interval(secs => $3),
      takeovers = takeovers + 1, updated_at = now()
    WHERE id = $1 AND status = ANY($4)
      AND (lease_expires_at IS NULL OR lease_expires_at < now() OR ($5::text IS NOT NULL AND owner = $5)) RETURNING *`,
  [runId, owner, leaseMs / 1000, LEASED_STATUSES, opts.previousOwner ?? null])).rows[0];
  emitRunEvent('taken_over', run);
  return run;
}

/** Extends a run's lease without changing its owner (its next step's job is alive in the queue). */
export async function extendLease(db: Db, runId: string, leaseMs: number): Promise<void> {
  await asQueryable(db).query(`UPDATE runs SET lease_expires_at = now() + make_interval(secs => $2)
    WHERE id = $1 AND status = ANY($3)`, [runId, leaseMs / 1000, LEASED_STATUSES]);
}

/**
 * Gives back outbox rows claimed by an attempt that is dead: its claim lease ran out (a live
 * attempt renews its own rows every third of the lease, and only its own). The
 * rows go back to pending, marked needs_reconcile (the dead attempt's call may have landed), so
 * the next attempt reads PracticeGet before writing again. Claims name one attempt
 * (`<worker>:<uuid>`), never a reusable worker id, so no later attempt renews them by mistake.
 */
export async function releaseDeadClaims(db: Db): Promise<number> {
  const r = await asQueryable(db).query(`UPDATE sync_actions a SET status = 'pending', needs_reconcile = true, claimed_by = NULL, lease_expires_at = NULL
    WHERE a.status = 'in_flight' AND (a.lease_expires_at IS NULL OR a.lease_expires_at < now())`);
  return r.rowCount ?? 0;
}
