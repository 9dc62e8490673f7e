/**
 * The plan's first pass: set the unchanged practices aside before the field-level merge.
 *
 * On a quiet night nearly every roster row equals what we last saved and what Updox has. The
 * field-level merge (plan-sql.ts `diffSql`) carries three sides of every column through three
 * layers; at 1,000,000 rows its wide hash joins and materialized rows spill a gigabyte to disk.
 * This pass joins narrow rows instead, one digest per side:
 * - the roster row: a 64-bit hash of its managed columns (Postgres' hash_record_extended over a
 *   ROW(...), computed here; `active` counts as true when the roster leaves it out);
 * - the base (`practices`): `roster_digest` + `roster_fields`, the hash of the roster row last
 *   found equal to it on those managed columns, and `digest`, the snapshot digest of the remote
 *   row last found equal to it on every column (base standing in for a key the read left out);
 * - the remote (`remote_snapshots.digest`): md5 of the record as read (its practice columns, the
 *   keys left out, the fields we do not model; snapshot.ts `remoteDigest`), written with the
 *   snapshot, null when the entry is unreadable.
 * A roster row is **same** when base and remote exist, the last save did not fail, the remote
 * digest equals the base's and the roster hash equals the base's (for the same managed fields):
 * exactly diffSql's `same` short-cut, because a digest on `practices` is only copied from a row
 * proven equal and a trigger clears it whenever a practice column changes otherwise
 * (migrations/20261218000001_plan_digests.ts).
 *
 * Since the remote digest covers the unmodelled fields too, a practice whose record changed in
 * Updox only in a field we pass through (`metadata`, …) is not set aside: it goes through the
 * merge, which finds it unchanged (no write) and heals the digest. Set aside or not, a practice
 * that is written carries the extras of this run's snapshot (plan-sql.ts `payloadOf`).
 * Same rows are only counted. The others (not same, a collision, or a manager to record) go to the
 * temporary table `plan_rest` by their roster row's ctid (through `plan_keys`: the pass is a
 * CREATE TABLE AS so that Postgres can run it in parallel), and only those pass through the merge
 * (`diffSql({ restricted: true })`), found by ctid and the other sides' primary keys. After the
 * merge, HEAL_DIGESTS_SQL proves the rest equal where they are and stores their digests, so a
 * practice saved tonight is set aside again from the night after next.
 * Bindings: $1 run id, $2 source name, $3 the managed fields (`managedSignature`).
 */
import { COLUMN_OF, PRACTICE_FIELDS, type PracticeField } from '../practice';
import { remoteOf } from './plan-sql';

const COLS = PRACTICE_FIELDS.map((f) => [f, COLUMN_OF[f]] as const);

const managedColsOf = (managed: ReadonlySet<PracticeField>) => COLS.filter(([f]) => f === 'active' || managed.has(f));
const rowOf = (alias: string, cols: ReadonlyArray<readonly [PracticeField, string]>, rosterActive = false) =>
  `ROW(${cols.map(([f, c]) => (rosterActive && f === 'active' ? `coalesce(${alias}.active, true)` : `${alias}.${c}`)).join(', ')})`;

/** The managed fields as the plan compares them ($3): sorted, comma-separated, `active` always in. */
export const managedSignature = (managed: ReadonlySet<PracticeField>): string =>
  managedColsOf(managed).map(([f]) => f).sort().join(',');

/** Created in the plan's transaction; dropped at its end. */
export const CREATE_PLAN_REST_SQL = 'CREATE TEMP TABLE plan_rest (r_ctid tid NOT NULL, h bigint NOT NULL) ON COMMIT DROP';

/** Statistics for the restricted merge's join choices (a few thousand rows: milliseconds). */
export const ANALYZE_PLAN_REST_SQL = 'ANALYZE plan_rest';

export interface KeysRow {
  /** Roster rows set aside as unchanged. */
  same: number;
  /** Of those, practices we had not saved for this source (the guardrail's known_remote). */
  same_known_remote: number;
  /** Roster rows left for the merge. */
  rest: number;
}

/**
 * Settings of the plan's transaction for the first pass: Postgres runs it with parallel workers
 * when the setup looks cheap enough to it; at 1,000,000 rows two workers halve it (6.2 s → 3.4 s
 * here on 2 cores), so the estimate of a worker's cost is lowered to let it choose them.
 */
export const PARALLEL_KEYS_SQL = ['SET LOCAL parallel_setup_cost = 10', 'SET LOCAL parallel_tuple_cost = 0.001'];

/**
 * The first pass, one statement Postgres may run in parallel (a CREATE TABLE AS; an INSERT or a
 * data-modifying CTE never is): digest the three sides and keep, in the temporary table
 * plan_keys, the rows that need the merge (`rest`) and the unchanged ones the guardrail must count
 * as known from Updox (same practices not of this source). FILL_PLAN_REST_SQL and KEYS_COUNTS_SQL finish it.
 */
export function planKeysSql(managed: ReadonlySet<PracticeField>): string {
  return `CREATE TEMP TABLE plan_keys ON COMMIT DROP AS
    SELECT r_ctid, h, rest FROM (
      SELECT r.ctid AS r_ctid, r.h,
        coalesce(p.source = $2, false) AS base_of_source,
        NOT coalesce(s.digest IS NOT NULL AND p.digest = s.digest AND p.roster_digest = r.h AND p.roster_fields = $3
          AND (p.last_status IS NULL OR p.last_status NOT IN ('failed', 'halted')), false)
        OR coalesce(p.source IS NOT NULL AND p.external_id IS NOT NULL AND (p.source <> $2 OR p.external_id <> r.external_id), false)
        OR (p.account_id IS NOT NULL AND p.manager_email IS DISTINCT FROM r.manager_email) AS rest
      FROM (SELECT ctid, account_id, external_id, manager_email, hash_record_extended(${rowOf('r', managedColsOf(managed), true)}, 0) AS h
            FROM roster_rows r WHERE r.run_id = $1 AND r.account_id IS NOT NULL) r
      LEFT JOIN (SELECT account_id, source, external_id, manager_email, last_status, digest, roster_digest, roster_fields FROM practices) p
        ON p.account_id = r.account_id
      LEFT JOIN (SELECT account_id, digest FROM remote_snapshots WHERE run_id = $1) s ON s.account_id = r.account_id
    ) k WHERE rest OR NOT base_of_source`;
}

/** After planKeysSql: the rows to merge into plan_rest. */
export const FILL_PLAN_REST_SQL = 'INSERT INTO plan_rest (r_ctid, h) SELECT r_ctid, h FROM plan_keys WHERE rest';

/** After planKeysSql: the counts (KeysRow). Binding: $1 run id. */
export const KEYS_COUNTS_SQL = `SELECT (SELECT count(*) FROM roster_rows WHERE run_id = $1 AND account_id IS NOT NULL)::int - k.rest AS same, k.same_known_remote, k.rest
   FROM (SELECT count(*) FILTER (WHERE rest)::int AS rest, count(*) FILTER (WHERE NOT rest)::int AS same_known_remote FROM plan_keys) k`;

/**
 * After the merge (and after recordUnchangedSql, so adopted practices are included): for the
 * rows in plan_rest, store the digests of the sides proven equal column for column. Only cache
 * columns are written; the trigger leaves them alone since no practice column changes.
 */
export function healDigestsSql(managed: ReadonlySet<PracticeField>): string {
  const mc = managedColsOf(managed);
  // As diffSql's `same`: a key the read left out is unknown, base stands in for it.
  const baseIsRemote = `(s.digest IS NOT NULL AND s.unreadable IS NULL AND ${rowOf('p', COLS)} IS NOT DISTINCT FROM ROW(${COLS.map(([f, c]) => remoteOf(f, c)).join(', ')}))`;
  const rosterIsBase = `(${rowOf('r', mc, true)} IS NOT DISTINCT FROM ${rowOf('p', mc)})`;
  return `UPDATE practices p SET
      digest = CASE WHEN ${baseIsRemote} THEN s.digest ELSE p.digest END,
      roster_digest = CASE WHEN ${rosterIsBase} THEN k.h ELSE p.roster_digest END,
      roster_fields = CASE WHEN ${rosterIsBase} THEN $3 ELSE p.roster_fields END
    FROM plan_rest k
    JOIN roster_rows r ON r.ctid = k.r_ctid
    JOIN remote_snapshots s ON s.run_id = $1 AND s.account_id = r.account_id
    WHERE p.account_id = r.account_id AND p.source = $2 AND p.external_id = r.external_id
      AND ((${baseIsRemote} AND p.digest IS DISTINCT FROM s.digest)
        OR (${rosterIsBase} AND (p.roster_digest IS DISTINCT FROM k.h OR p.roster_fields IS DISTINCT FROM $3)))`;
}
