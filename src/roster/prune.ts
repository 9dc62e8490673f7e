/**
 * Staged-row retention. roster_rows holds a whole roster per import (1,000,000 rows, ~300 MB for a
 * large partner, every night); only a run still being planned, held or applied needs its rows, and
 * `upgrade-legacy` reads the newest import of a source. So after an import, the rows of its
 * source's older imports are deleted: those of the newest `keep` imports (this one included) and
 * of every unfinished run stay. Counts stay in runs.import_stats and bad rows in
 * roster_quarantine. Each pruned run is marked (runs.staged_rows_pruned_at) and never looked at
 * again; each is deleted in its own transaction.
 */
import type { Knex } from 'knex';
import { FINAL_STATUSES } from '../runs';

export async function pruneStagedRuns(db: Knex, runId: string, keep: number): Promise<{ runs: number; rows: number }> {
  const { rows: old } = await db.raw(
    `SELECT r.id FROM runs r, runs me
      WHERE me.id = ? AND r.source IS NOT DISTINCT FROM me.source
        AND r.import_stats IS NOT NULL AND r.staged_rows_pruned_at IS NULL AND r.id <> me.id
        AND r.status = ANY(?)
        AND r.id NOT IN (SELECT k.id FROM runs k WHERE k.source IS NOT DISTINCT FROM me.source AND k.import_stats IS NOT NULL
                         ORDER BY k.created_at DESC, k.id DESC LIMIT ?)
      ORDER BY r.created_at`,
    [runId, [...FINAL_STATUSES], keep],
  );
  let rows = 0;
  for (const { id } of old as { id: string }[]) {
    rows += await db.transaction(async (trx) => {
      const n = await trx('roster_rows').where({ run_id: id }).delete();
      await trx('runs').where({ id }).update({ staged_rows_pruned_at: trx.fn.now() });
      return n;
    });
  }
  return { runs: old.length, rows };
}
