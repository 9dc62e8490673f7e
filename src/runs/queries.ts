/**
 * Reading runs: by id or prefix (CLI), recent runs, the run blocking a source, the newer plan that
 * makes a run stale, and the figures metrics and alerts read (runs by status, last success per
 * source).
 */
import type { Knex } from 'knex';
import { BadInputError } from '../errors';
import { asQueryable, type Db, type Queryable } from './db';
import type { RunRow } from './row';
import { LOCKING_STATUSES, PLANNED_STATUSES, SUCCESS_STATUSES, type RunStatus } from './status';

export async function getRun(db: Db, id: string): Promise<RunRow | undefined> {
  return (await asQueryable(db).query<RunRow>('SELECT * FROM runs WHERE id = $1', [id])).rows[0];
}

/** The most recent runs, newest first (for `updox-sync runs`). */
export async function listRuns(db: Knex, opts: { limit?: number; source?: string; kind?: string; status?: RunStatus[] } = {}): Promise<RunRow[]> {
  const q = db('runs').orderBy('created_at', 'desc').limit(opts.limit ?? 20);
  if (opts.source) q.where({ source: opts.source });
  if (opts.kind) q.where({ kind: opts.kind });
  if (opts.status) q.whereIn('status', opts.status);
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

/** The non-dry run holding the source lock of (kind, source), other than `except`. */
export async function findBlocker(q: Queryable, kind: string, source: string | null, except?: string): Promise<RunRow | undefined> {
  return (await q.query<RunRow>(`SELECT * FROM runs WHERE kind = $1 AND coalesce(source, '') = coalesce($2::text, '') AND NOT dry_run
    AND status = ANY($3) AND id IS DISTINCT FROM $4::uuid ORDER BY created_at LIMIT 1`, [kind, source, LOCKING_STATUSES, except ?? null])).rows[0];
}

/** Age as `3h 12m` / `45s`. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const d = Math.floor(s / 86_400), h = Math.floor((s % 86_400) / 3600), m = Math.floor((s % 3600) / 60);
  if (d) return `${d}d ${h}h`;
  if (h) return `${h}h ${m}m`;
  if (m) return `${m}m ${s % 60}s`;
  return `${s}s`;
}

/** The skipped run's message: who blocks, in which status, since when, and what to do. */
export function describeBlocker(kind: string, source: string | null, blocker: RunRow | undefined, now = Date.now()): string {
  const what = `another ${kind} run of ${source ? `source "${source}"` : 'the partner'} is in progress`;
  if (!blocker) return `${what} (it ended meanwhile: start this one again)`;
  const age = formatAge(now - new Date(blocker.created_at).getTime());
  const lease = blocker.lease_expires_at && new Date(blocker.lease_expires_at).getTime() < now
    ? '; its lease expired, a worker\'s supervisor takes it over shortly'
    : '';
  return `${what}: run ${blocker.id} (${blocker.status}, started ${age} ago${lease}). Wait for it to finish, `
    + `watch it with \`updox-sync run ${blocker.id}\`, or stop it with \`updox-sync cancel ${blocker.id}\``;
}

/** A newer non-dry run of the same kind and source that has planned: `run`'s plan is stale. */
export async function newerPlanOf(q: Queryable, run: Pick<RunRow, 'id' | 'kind' | 'source' | 'created_at'>): Promise<RunRow | undefined> {
  return (await q.query<RunRow>(`SELECT * FROM runs WHERE kind = $1 AND source IS NOT DISTINCT FROM $2 AND id <> $3 AND NOT dry_run
    AND created_at >= $4 AND status = ANY($5) ORDER BY created_at DESC LIMIT 1`,
  [run.kind, run.source, run.id, run.created_at, PLANNED_STATUSES])).rows[0];
}

/** Runs counted by kind and status (for metrics): `[{ kind, status, n }]`. Dry runs are counted apart. */
export async function runsByStatus(db: Db): Promise<{ kind: string; status: RunStatus; dryRun: boolean; n: number }[]> {
  const { rows } = await asQueryable(db).query<{ kind: string; status: RunStatus; dry_run: boolean; n: string }>(
    'SELECT kind, status, dry_run, count(*) AS n FROM runs GROUP BY kind, status, dry_run ORDER BY kind, status');
  return rows.map((r) => ({ kind: r.kind, status: r.status, dryRun: r.dry_run, n: Number(r.n) }));
}

/** Each (kind, source)'s last non-dry run that ended well (for metrics and alerts on stale sources). */
export async function lastSuccessPerSource(db: Db): Promise<{ kind: string; source: string | null; runId: string; finishedAt: Date }[]> {
  const { rows } = await asQueryable(db).query<{ kind: string; source: string | null; id: string; finished_at: Date }>(
    `SELECT DISTINCT ON (kind, source) kind, source, id, finished_at FROM runs
      WHERE NOT dry_run AND status = ANY($1) AND finished_at IS NOT NULL ORDER BY kind, source, finished_at DESC`, [SUCCESS_STATUSES]);
  return rows.map((r) => ({ kind: r.kind, source: r.source, runId: r.id, finishedAt: r.finished_at }));
}
