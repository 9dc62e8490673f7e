/** A run's outbox rows as the CLI shows them (`run RUN --actions`) and their counts by op and status. */
import type { Knex } from 'knex';

export interface ActionRow {
  id: string;
  account_id: string;
  external_id: string | null;
  op: string;
  status: string;
  attempts: number;
  code: number | null;
  message: string | null;
  conflicts: Array<{ field: string; roster: unknown; remote: unknown; base: unknown; resolved: string }> | null;
  flags: string[] | null;
  changed_fields: string[] | null;
  /** Set on a `needs_review` row: what the last write, PracticeGet and PracticeList answered. */
  evidence: Record<string, unknown> | null;
  finished_at: Date | null;
}

/** A run's outbox rows (per-practice results), optionally filtered by status or op; by id. */
export async function listActions(db: Knex, runId: string, opts: { status?: string; op?: string; limit?: number } = {}): Promise<ActionRow[]> {
  const q = db('sync_actions')
    .where({ run_id: runId })
    .orderBy('id')
    .select('id', 'account_id', 'external_id', 'op', 'status', 'attempts', 'code', 'message', 'conflicts', 'flags', 'changed_fields', 'evidence', 'finished_at');
  if (opts.status) q.where({ status: opts.status });
  if (opts.op) q.where({ op: opts.op });
  if (opts.limit !== undefined) q.limit(opts.limit);
  return q as Promise<ActionRow[]>;
}

/** Outbox rows of a run counted by op and status: `{ [op]: { [status]: n } }`. */
export async function actionCounts(db: Knex, runId: string): Promise<Record<string, Record<string, number>>> {
  const rows = (await db('sync_actions').where({ run_id: runId }).select('op', 'status').count({ n: '*' }).groupBy('op', 'status')) as unknown as { op: string; status: string; n: string }[];
  const out: Record<string, Record<string, number>> = {};
  for (const r of rows) (out[r.op] ??= {})[r.status] = Number(r.n);
  return out;
}
