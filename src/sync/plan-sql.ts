/**
 * SQL text of the plan, built from the practice field list (as pg-boss builds its statements in
 * src/plans.ts). The rules are those of src/sync/merge.ts, written set-based: one statement diffs
 * the staged roster against `practices` (base) and the run's PracticeList snapshot (remote), merges
 * field by field, decides the op, writes the outbox rows and returns the counts.
 *
 * Bindings: $1 run id, $2 source name. Field and column names come from PRACTICE_FIELDS (never
 * from input); the conflict policy is a validated enum and is inlined.
 */
import type { Knex } from 'knex';
import type pg from 'pg';
import { ADDRESS_FIELDS, COLUMN_OF, PRACTICE_FIELDS, WEBSITE_FIELDS, type PracticeField } from '../practice';
import type { ConflictPolicy } from './merge';

const COLS = PRACTICE_FIELDS.map((f) => [f, COLUMN_OF[f]] as const);
const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** PO box in an address line; the same pattern as src/sms/business-details.ts, in Postgres ARE syntax. */
export const PO_BOX_RE = String.raw`(\mp\.?\s*o\.?\s*(box|drawer)\M|\mpost\s*office\s*(box|drawer)\M|\mpostal\s+box\M|^\s*pob\s*#?\s*\d|^\s*box\s*#?\s*\d|^\s*p\.?\s*o\.?\s*b\.?\s*#?\s*\d)`;

/**
 * Ops that become outbox rows; 'unchanged', 'collision' and 'unreadable' (Updox lists the practice
 * but its record could not be read: remote_snapshots.unreadable) do not.
 */
export const ACTION_OPS = ['create', 'update', 'deactivate', 'reactivate'] as const;

/**
 * Remote value of a column: the snapshot's, or base when PracticeList did not return the key at all
 * (remote_snapshots.missing_fields, filled by snapshotRemote).
 */
export const remoteOf = (f: PracticeField, c: string) =>
  `CASE WHEN s.missing_fields IS NULL OR NOT (${lit(f)} = ANY (s.missing_fields)) THEN s.${c} ELSE p.${c} END`;

/**
 * The roster's value of a column. An optional field whose bad value the import dropped (a
 * `dropped` warning, normalize.ts OPTIONAL_FIELDS) stands for "keep": it takes the last-saved
 * value, so a junk website in the roster neither clears nor changes the one in Updox.
 */
const DROPPABLE: ReadonlySet<PracticeField> = new Set<PracticeField>(['fax', 'websiteUrl', 'alternativeWebsiteUrl', 'timeZone']);
const rosterOf = (f: PracticeField, c: string) => {
  if (f === 'active') return 'coalesce(r.active, true)';
  if (!DROPPABLE.has(f)) return `r.${c}`;
  return `CASE WHEN r.warnings IS NOT NULL AND r.warnings @> '[{"field":"${f}","rule":"dropped"}]'::jsonb THEN p.${c} ELSE r.${c} END`;
};

/** The three-way merge of one column (merge.ts `mergeField`), over the r_/b_/s_ columns of `j`. */
function mergedOf(c: string, managed: boolean, policy: ConflictPolicy): string {
  if (!managed) return `CASE WHEN j.has_remote THEN j.s_${c} ELSE j.b_${c} END`;
  const winner = policy === 'remote-wins' ? `j.s_${c}` : `j.r_${c}`;
  return `CASE WHEN j.same THEN j.s_${c}
      WHEN NOT j.has_base OR NOT j.has_remote THEN j.r_${c}
      WHEN ${conflictOf(c)} THEN ${winner}
      WHEN j.s_${c} IS DISTINCT FROM j.b_${c} THEN j.s_${c}
      ELSE j.r_${c} END`;
}
const conflictOf = (c: string) =>
  `(j.has_base AND j.has_remote AND j.r_${c} IS DISTINCT FROM j.b_${c} AND j.s_${c} IS DISTINCT FROM j.b_${c} AND j.r_${c} IS DISTINCT FROM j.s_${c})`;

const rowOf = (prefix: string, cols: ReadonlyArray<readonly [PracticeField, string]> = COLS) => `(${cols.map(([, c]) => `${prefix}${c}`).join(', ')})`;

export interface DiffSqlOptions {
  managed: ReadonlySet<PracticeField>;
  policy: ConflictPolicy;
  fullRoster: boolean;
  /** Merge only the roster rows the first pass left in plan_rest (plan-keys-sql.ts), and (full roster) the practices in plan_gone. */
  restricted?: boolean;
  /** Wire keys Updox reports that a save must not carry back (UPDOX_READ_ONLY_PRACTICE_FIELDS); validated keys. */
  readOnly?: readonly string[];
}

/** A practice of the source ($2) that the run's roster ($1) no longer lists, by external id or account id. */
const GONE_WHERE = `AND NOT EXISTS (SELECT 1 FROM roster_rows r WHERE r.run_id = $1 AND r.external_id = p.external_id)
      AND NOT EXISTS (SELECT 1 FROM roster_rows r WHERE r.run_id = $1 AND r.account_id = p.account_id)`;

/**
 * The practices a full roster no longer lists, for the restricted merge: a CREATE TABLE AS, which
 * Postgres may run in parallel (the merge's INSERT never is); 1.1 s → 0.9 s at 1,000,000.
 */
export const CREATE_PLAN_GONE_SQL = `CREATE TEMP TABLE plan_gone ON COMMIT DROP AS
  SELECT p.account_id FROM practices p WHERE p.source = $2 ${GONE_WHERE}`;

/** The run's roster rows, or (restricted) those of them in plan_rest. */
const rosterFrom = (restricted: boolean | undefined) =>
  restricted ? 'plan_rest k JOIN roster_rows r ON r.ctid = k.r_ctid' : 'roster_rows r';

/**
 * The diff as a query with one row per roster row (and, for a full roster, per practice of the
 * source absent from it), carrying r_/b_/s_/m_ columns, the conflict count and the op.
 *
 * Speed: `OFFSET 0` fences stop Postgres from inlining each layer's expressions into the next
 * (which evaluated every merge CASE many times per row), and `same` short-cuts the common row —
 * roster equal to base on every managed field and base equal to Updox on every field — to
 * "unchanged" without the per-field merge.
 */
export function diffSql(o: DiffSqlOptions): string {
  const isManaged = (f: PracticeField) => f === 'active' || o.managed.has(f);
  const managedCols = COLS.filter(([f]) => isManaged(f));
  const sides = COLS.map(([f, c]) => `${rosterOf(f, c)} AS r_${c}, p.${c} AS b_${c}, ${remoteOf(f, c)} AS s_${c}`).join(',\n      ');
  // A key the read lacks is unknown, not a difference (base stands in for it, as in the merge).
  const remoteRow = `(CASE WHEN s.missing_fields IS NULL THEN ${rowOf('s.')} ELSE (${COLS.map(([f, c]) => remoteOf(f, c)).join(', ')}) END)`;
  const same = `(p.account_id IS NOT NULL AND s.account_id IS NOT NULL AND s.unreadable IS NULL
          AND coalesce(p.last_status NOT IN ('failed', 'halted'), true)
          AND (${managedCols.map(([f, c]) => rosterOf(f, c)).join(', ')}) IS NOT DISTINCT FROM ${rowOf('p.', managedCols)}
          AND ${rowOf('p.')} IS NOT DISTINCT FROM ${remoteRow})`;
  const merged = COLS.map(([f, c]) => `${mergedOf(c, isManaged(f), o.policy)} AS m_${c}`).join(',\n      ');
  const conflictCount = managedCols.map(([, c]) => `${conflictOf(c)}::int`).join(' + ');
  const conflictCols = COLS.map(([f, c]) => `${isManaged(f) ? `(NOT j.same AND ${conflictOf(c)})` : 'false'} AS c_${c}`).join(', ');
  const rosterRows = `
    SELECT m.*,
      CASE WHEN m.collision THEN 'collision'
        WHEN m.unreadable IS NOT NULL THEN 'unreadable'
        WHEN m.same THEN 'unchanged'
        WHEN NOT m.has_remote THEN 'create'
        WHEN m.m_active IS TRUE AND m.s_active IS FALSE THEN 'reactivate'
        WHEN m.m_active IS FALSE AND m.s_active IS DISTINCT FROM false THEN 'deactivate'
        WHEN ${rowOf('m.m_')} IS DISTINCT FROM ${rowOf('m.s_')} THEN 'update'
        WHEN m.last_status IN ('failed', 'halted') THEN 'update'
        ELSE 'unchanged' END AS op
    FROM (
      SELECT j.account_id, j.external_id, j.manager_email, j.has_base, j.has_remote, j.last_status, j.collision, j.base_of_source, j.same, j.unreadable,
        ${COLS.map(([, c]) => `j.r_${c}, j.b_${c}, j.s_${c}`).join(', ')},
        ${merged},
        ${conflictCols},
        CASE WHEN j.same THEN 0 ELSE (${conflictCount}) END AS n_conflicts
      FROM (
        SELECT r.account_id, r.external_id, r.manager_email,
          p.account_id IS NOT NULL AS has_base, s.account_id IS NOT NULL AS has_remote, p.last_status,
          coalesce(p.source = $2, false) AS base_of_source, s.unreadable,
          coalesce(p.source IS NOT NULL AND p.external_id IS NOT NULL AND (p.source <> $2 OR p.external_id <> r.external_id), false) AS collision,
          ${same} AS same,
          ${sides}
        FROM ${rosterFrom(o.restricted)}
        LEFT JOIN practices p ON p.account_id = r.account_id
        LEFT JOIN remote_snapshots s ON s.run_id = $1 AND s.account_id = r.account_id
        WHERE r.run_id = $1 AND r.account_id IS NOT NULL
        OFFSET 0
      ) j
      OFFSET 0
    ) m`;
  if (!o.fullRoster) return rosterRows;
  // Practices of this source that the roster no longer lists, still active in Updox: deactivate
  // with the whole remote record (active false). Absent from Updox: nothing to deactivate.
  const gone = `
    SELECT p.account_id, p.external_id, p.manager_email, true AS has_base, true AS has_remote, p.last_status,
      false AS collision, true AS base_of_source, false AS same, NULL::text AS unreadable,
      ${COLS.map(([f, c]) => `NULL::${f === 'active' ? 'boolean' : 'text'} AS r_${c}, p.${c} AS b_${c}, ${remoteOf(f, c)} AS s_${c}`).join(',\n      ')},
      ${COLS.map(([f, c]) => `${f === 'active' ? 'false' : remoteOf(f, c)} AS m_${c}`).join(',\n      ')},
      ${COLS.map(([, c]) => `false AS c_${c}`).join(', ')},
      0 AS n_conflicts,
      'deactivate' AS op
    FROM ${o.restricted ? 'plan_gone g JOIN practices p ON p.account_id = g.account_id' : 'practices p'}
    JOIN remote_snapshots s ON s.run_id = $1 AND s.account_id = p.account_id
    WHERE p.source = $2 AND s.unreadable IS NULL
      AND (${remoteOf('active', 'active')}) IS DISTINCT FROM false
      ${o.restricted ? '' : GONE_WHERE}`;
  return `${rosterRows}\n    UNION ALL\n${gone}`;
}

/**
 * The payload (toPayload in SQL): the fields we do not model, verbatim — what Updox returned
 * (`s.raw`) over what we last saved (`p.extra_fields`, standing in for a key the read lacks) —
 * minus the read-only ones, then the merged modelled fields: non-empty values only, `active` as
 * "true"/"false". Expects `s` (the run's snapshot row) and `p` (practices) joined by account.
 */
function payloadOf(readOnly: readonly string[]): string {
  const pairs = COLS.map(([f, c]) =>
    f === 'active'
      ? `'active', CASE d.m_active WHEN true THEN 'true' WHEN false THEN 'false' END`
      : `${lit(f)}, nullif(d.m_${c}, '')`);
  const drop = `ARRAY[${['accountId', ...PRACTICE_FIELDS, ...readOnly].map(lit).join(', ')}]::text[]`;
  const extras = `((coalesce(p.extra_fields, '{}'::jsonb) - ${drop})
        || CASE WHEN d.has_remote AND jsonb_typeof(s.raw) = 'object' THEN s.raw - ${drop} ELSE '{}'::jsonb END)`;
  return `${extras} || jsonb_strip_nulls(jsonb_build_object('accountId', d.account_id, ${pairs.join(', ')}))`;
}

/** sha256 hex of the payload's jsonb text (Postgres's canonical form); = merge.ts payloadHash. */
const hashOf = (payload: string) => `encode(sha256(convert_to((${payload})::text, 'UTF8')), 'hex')`;

function conflictsOf(managed: ReadonlySet<PracticeField>): string {
  const parts = COLS.filter(([f]) => f === 'active' || managed.has(f)).map(([f, c]) =>
    `CASE WHEN d.c_${c} THEN jsonb_build_array(jsonb_build_object('field', ${lit(f)}, 'roster', d.r_${c}, 'remote', d.s_${c}, 'base', d.b_${c}, 'resolved', d.resolved)) ELSE '[]'::jsonb END`);
  return `NULLIF(${parts.join('\n      || ')}, '[]'::jsonb)`;
}

function flagsOf(): string {
  const clears = (fs: readonly PracticeField[]) => fs.map((f) => `(d.s_${COLUMN_OF[f]} IS NOT NULL AND d.m_${COLUMN_OF[f]} IS NULL)`).join(' OR ');
  return `NULLIF(
      CASE WHEN d.has_remote AND (${clears(ADDRESS_FIELDS)}) THEN '["clears_address"]'::jsonb ELSE '[]'::jsonb END
      || CASE WHEN d.has_remote AND (${clears(WEBSITE_FIELDS)}) THEN '["clears_website"]'::jsonb ELSE '[]'::jsonb END
      || CASE WHEN d.m_address1 ~* ${lit(PO_BOX_RE)} THEN '["po_box"]'::jsonb ELSE '[]'::jsonb END
      || CASE WHEN d.last_status IN ('failed', 'halted') THEN '["retry_failed"]'::jsonb ELSE '[]'::jsonb END
      || CASE WHEN d.has_base AND NOT d.has_remote THEN '["recreate"]'::jsonb ELSE '[]'::jsonb END,
      '[]'::jsonb)`;
}

const changedOf = () =>
  `array_remove(ARRAY[${COLS.map(([f, c]) => `CASE WHEN d.m_${c} IS DISTINCT FROM (CASE WHEN d.has_remote THEN d.s_${c} END) THEN ${lit(f)} END`).join(', ')}], NULL)`;

/**
 * One statement: diff (materialized once), insert the outbox rows, return the counts: one row per
 * op (n, conflicts, conflict_fields, known_remote, adopted) with the outbox flag counts repeated.
 */
export function planStatementSql(o: DiffSqlOptions): string {
  const resolved = o.policy === 'remote-wins' ? 'remote' : 'roster';
  return `WITH diff AS MATERIALIZED (${diffSql(o)}
  ),
  ins AS (
    INSERT INTO sync_actions (run_id, account_id, external_id, op, payload, payload_hash, status, conflicts, flags, source, manager_email, changed_fields)
    SELECT $1, x.account_id, x.external_id, x.op, x.payload, ${hashOf('x.payload')}, 'pending', x.conflicts, x.flags, $2, x.manager_email, x.changed_fields
    FROM (
      SELECT d.account_id, d.external_id, d.op, d.manager_email, ${payloadOf(o.readOnly ?? [])} AS payload,
        ${conflictsOf(o.managed)} AS conflicts,
        ${flagsOf()} AS flags,
        ${changedOf()} AS changed_fields
      FROM (SELECT diff.*, ${lit(resolved)} AS resolved FROM diff) d
      LEFT JOIN remote_snapshots s ON s.run_id = $1 AND s.account_id = d.account_id
      LEFT JOIN practices p ON p.account_id = d.account_id
      WHERE d.op IN (${ACTION_OPS.map(lit).join(', ')})
    ) x
    RETURNING op, flags
  )
  SELECT d.op, count(*)::int AS n,
    count(*) FILTER (WHERE d.n_conflicts > 0)::int AS conflicts,
    coalesce(sum(d.n_conflicts), 0)::int AS conflict_fields,
    count(*) FILTER (WHERE d.has_remote AND NOT d.base_of_source)::int AS known_remote,
    count(*) FILTER (WHERE NOT d.has_base AND d.has_remote)::int AS adopted,
    max(f.clears_address) AS clears_address, max(f.clears_website) AS clears_website, max(f.po_box) AS po_box, max(f.retried) AS retried
  FROM diff d, (SELECT
      count(*) FILTER (WHERE jsonb_exists(flags, 'clears_address'))::int AS clears_address,
      count(*) FILTER (WHERE jsonb_exists(flags, 'clears_website'))::int AS clears_website,
      count(*) FILTER (WHERE jsonb_exists(flags, 'po_box'))::int AS po_box,
      count(*) FILTER (WHERE jsonb_exists(flags, 'retry_failed'))::int AS retried
    FROM ins) f
  GROUP BY d.op`;
}


/** Practices of the source we already know (saved by us); with the plan's known_remote, the guardrail's denominator. */
export const KNOWN_PRACTICES_SQL = 'SELECT count(*)::int AS n FROM practices WHERE source = $1';

/**
 * After a plan is released (planned, not dry): practices that need no call still get their
 * non-Updox columns right. An unchanged practice adopted from Updox (never saved by us) is
 * recorded with its remote values as the base of the next three-way diff; one we know gets its
 * manager from the roster. $1 run id, $2 source. No outbox row exists for these (no call).
 * Restricted: only the roster rows in plan_rest (inside the plan's transaction; a row set aside
 * by the first pass is a saved practice with its manager unchanged, so it needs neither).
 */
export const recordUnchangedSql = (restricted = false): string[] => [
  `INSERT INTO practices (account_id, source, external_id, ${COLS.map(([, c]) => c).join(', ')}, manager_email, last_run_id)
   SELECT r.account_id, $2, r.external_id, ${COLS.map(([f, c]) => `CASE WHEN s.missing_fields IS NULL OR NOT (${lit(f)} = ANY (s.missing_fields)) THEN s.${c} END`).join(', ')}, r.manager_email, $1
   FROM ${rosterFrom(restricted)} JOIN remote_snapshots s ON s.run_id = $1 AND s.account_id = r.account_id
   WHERE r.run_id = $1 AND s.unreadable IS NULL
     AND NOT EXISTS (SELECT 1 FROM practices p WHERE p.account_id = r.account_id)
     AND NOT EXISTS (SELECT 1 FROM sync_actions a WHERE a.run_id = $1 AND a.account_id = r.account_id)
   ON CONFLICT DO NOTHING`,
  `UPDATE practices p SET manager_email = r.manager_email, updated_at = now()
   FROM ${rosterFrom(restricted)}
   WHERE r.run_id = $1 AND p.account_id = r.account_id AND p.source = $2 AND p.external_id = r.external_id
     AND p.manager_email IS DISTINCT FROM r.manager_email
     AND NOT EXISTS (SELECT 1 FROM sync_actions a WHERE a.run_id = $1 AND a.account_id = r.account_id)`,
];
/** recordUnchangedSql over every roster row of the run (approve: no plan_rest outside the plan's transaction). */
export const RECORD_UNCHANGED_SQL = recordUnchangedSql(false);

/**
 * Runs fn on one pooled pg connection inside a transaction (COPY and multi-statement plans need one
 * connection); rolls back on error. The connection is disposed of if even the rollback fails.
 */
export async function withPgTransaction<T>(db: Knex, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const conn = (await db.client.acquireConnection()) as pg.Client;
  try {
    await conn.query('BEGIN');
    const out = await fn(conn);
    await conn.query('COMMIT');
    return out;
  } catch (err) {
    try {
      await conn.query('ROLLBACK');
    } catch {
      (conn as unknown as { __knex__disposed?: unknown }).__knex__disposed = 'rollback failed';
    }
    throw err;
  } finally {
    db.client.releaseConnection(conn);
  }
}
