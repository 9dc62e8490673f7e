/**
 * Runs: one row per sync (or upgrade, numbers, audit, report) run. The row is the truth about a run's
 * state; steps read it to decide whether to act (a failed import stops plan and apply; a held run
 * waits for approval). One run at a time per (kind, source): the partial unique index
 * `runs_one_active_per_source` makes a second concurrent request fail to insert, and that request
 * is recorded as a `skipped` run pointing at the active one.
 */
import type { Knex } from 'knex';
import { BadInputError } from '../errors';

export type RunStatus =
  | 'queued' | 'importing' | 'planning' | 'planned' | 'held' | 'applying'
  | 'succeeded' | 'completed_with_errors' | 'failed' | 'halted' | 'skipped' | 'cancelled';

/** Statuses after which nothing more happens to a run. */
export const FINAL_STATUSES: ReadonlySet<string> = new Set(['failed', 'halted', 'skipped', 'succeeded', 'completed_with_errors', 'cancelled']);

export interface RunRow {
  id: string;
  kind: string;
  partner_id: string;
  source: string | null;
  status: RunStatus;
  dry_run: boolean;
  trigger: string;
  input: string | null;
  managed_fields: string[] | null;
  import_stats: Record<string, unknown> | null;
  plan_stats: Record<string, unknown> | null;
  apply_stats: Record<string, unknown> | null;
  held_reason: string | null;
  halt_reason: string | null;
  error_code: string | null;
  error_message: string | null;
  approved_at: Date | null;
  approved_by: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

export interface NewRun {
  kind: 'sync' | 'upgrade' | 'numbers' | 'audit' | 'report';
  partnerId: string;
  source: string | null;
  dryRun: boolean;
  trigger: string;
  input?: string;
}

const UNIQUE_VIOLATION = '23505';

/**
 * Creates a run in `queued`. When another run of the same kind and source is active, records a
 * `skipped` run (with the active run's id in its error message) and returns it with `skipped: true`.
 */
export async function createRun(db: Knex, r: NewRun): Promise<{ run: RunRow; skipped: boolean; activeRunId?: string }> {
  const base = {
    kind: r.kind, partner_id: r.partnerId, source: r.source, dry_run: r.dryRun, trigger: r.trigger,
    input: r.input ?? null,
  };
  try {
    const [run] = await db('runs').insert({ ...base, status: 'queued', started_at: db.fn.now() }).returning('*');
    return { run: run as RunRow, skipped: false };
  } catch (err) {
    if ((err as { code?: string }).code !== UNIQUE_VIOLATION) throw err;
    const active = await db('runs')
      .where({ kind: r.kind })
      .andWhereRaw("coalesce(source, '') = ?", [r.source ?? ''])
      .whereIn('status', ['queued', 'importing', 'planning', 'applying'])
      .first('id');
    const [run] = await db('runs').insert({
      ...base, status: 'skipped', finished_at: db.fn.now(),
      error_code: 'RUN_IN_PROGRESS', error_message: `another ${r.kind} run of this source is in progress: ${active?.id ?? 'unknown'}`,
    }).returning('*');
    return { run: run as RunRow, skipped: true, ...(active ? { activeRunId: active.id as string } : {}) };
  }
}

export async function getRun(db: Knex, id: string): Promise<RunRow | undefined> {
  return db('runs').where({ id }).first() as Promise<RunRow | undefined>;
}

/** Moves a run to `status`, with optional extra columns (snake_case). */
export async function setRunStatus(db: Knex, id: string, status: RunStatus, patch: Record<string, unknown> = {}): Promise<void> {
  await db('runs').where({ id }).update({ ...patch, status });
}

/** Ends a run; `err` records why it failed or halted. */
export async function finishRun(db: Knex, id: string, status: RunStatus, err?: { code: string; message: string }): Promise<void> {
  await db('runs').where({ id }).update({
    status,
    finished_at: db.fn.now(),
    ...(err ? { error_code: err.code, error_message: err.message } : {}),
  });
}

/** The most recent runs, newest first (for `updox-sync runs`). */
export async function listRuns(db: Knex, opts: { limit?: number; source?: string; kind?: string } = {}): Promise<RunRow[]> {
  const q = db('runs').orderBy('created_at', 'desc').limit(opts.limit ?? 20);
  if (opts.source) q.where({ source: opts.source });
  if (opts.kind) q.where({ kind: opts.kind });
  return q as Promise<RunRow[]>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Finds a run by its id or a unique prefix of it (at least 4 characters), for the CLI.
 * Throws BadInputError RUN_NOT_FOUND / RUN_AMBIGUOUS.
 */
export async function findRun(db: Knex, idOrPrefix: string): Promise<RunRow> {
  const key = idOrPrefix.trim().toLowerCase();
  if (UUID.test(key)) {
    const run = await getRun(db, key);
    if (!run) throw new BadInputError('RUN_NOT_FOUND', `run ${key} not found`);
    return run;
  }
  if (!/^[0-9a-f-]{4,}$/.test(key)) throw new BadInputError('RUN_NOT_FOUND', `"${idOrPrefix}" is not a run id (give the id from \`updox-sync runs\`, or at least its first 4 characters)`);
  const rows = (await db('runs').whereRaw('id::text LIKE ?', [`${key}%`]).limit(2)) as RunRow[];
  if (rows.length === 0) throw new BadInputError('RUN_NOT_FOUND', `no run id starts with "${key}"`);
  if (rows.length > 1) throw new BadInputError('RUN_AMBIGUOUS', `more than one run id starts with "${key}"; give more characters`);
  return rows[0]!;
}

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
  finished_at: Date | null;
}

/** A run's outbox rows (per-practice results), optionally filtered by status or op; by id. */
export async function listActions(db: Knex, runId: string, opts: { status?: string; op?: string; limit?: number } = {}): Promise<ActionRow[]> {
  const q = db('sync_actions')
    .where({ run_id: runId })
    .orderBy('id')
    .select('id', 'account_id', 'external_id', 'op', 'status', 'attempts', 'code', 'message', 'conflicts', 'flags', 'changed_fields', 'finished_at');
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
