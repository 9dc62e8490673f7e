/**
 * approveRun: releases a run the guardrail held (`held` → `planned`), recording who approved it and
 * when. Applying is then enqueued by the caller (the CLI / the lead's wiring), as after any plan.
 * Refuses a dry run, a run that is not held, and a held run that a newer plan of the same source
 * has superseded (its actions were computed against an older state and must not be sent).
 */
import type { Knex } from 'knex';
import { BadInputError } from '../errors';
import { RECORD_UNCHANGED_SQL, withPgTransaction } from './plan-sql';
import type { RunRow } from './runs';

/** A newer run of the same source in one of these statuses supersedes a held run. */
const SUPERSEDING = ['planned', 'held', 'applying', 'succeeded', 'completed_with_errors', 'halted'];

export async function approveRun(db: Knex, runId: string, by: string): Promise<RunRow> {
  const approver = by.trim() || 'unknown';
  return withPgTransaction(db, async (c) => {
    const run = (await c.query('SELECT * FROM runs WHERE id = $1 FOR UPDATE', [runId])).rows[0] as RunRow | undefined;
    if (!run) throw new BadInputError('RUN_NOT_FOUND', `run ${runId} not found`);
    if (run.dry_run) throw new BadInputError('RUN_DRY_RUN', `run ${runId} is a dry run; nothing can be applied from it (run the sync without --dry-run)`);
    if (run.status !== 'held') {
      const already = run.approved_at ? ` (approved by ${run.approved_by ?? 'unknown'} at ${new Date(run.approved_at).toISOString()})` : '';
      throw new BadInputError('RUN_NOT_HELD', `run ${runId} is ${run.status}${already}; only a held run can be approved`);
    }
    const newer = await c.query(
      `SELECT id, status FROM runs WHERE kind = $1 AND source IS NOT DISTINCT FROM $2 AND id <> $5 AND created_at >= $3 AND NOT dry_run
        AND status = ANY($4) ORDER BY created_at DESC LIMIT 1`,
      [run.kind, run.source, run.created_at, SUPERSEDING, run.id]);
    if (newer.rowCount) {
      const n = newer.rows[0] as { id: string; status: string };
      throw new BadInputError('RUN_SUPERSEDED', `run ${runId} was superseded by the newer run ${n.id} (${n.status}) of the same source; its plan is stale, start a new sync instead`);
    }
    const updated = (await c.query(
      `UPDATE runs SET status = 'planned', approved_at = now(), approved_by = $2 WHERE id = $1 RETURNING *`,
      [runId, approver])).rows[0] as RunRow;
    if (run.source) for (const q of RECORD_UNCHANGED_SQL) await c.query(q, [runId, run.source]);
    return updated;
  });
}
