/**
 * Staging: one transaction on one connection. Every row (valid or not) is COPYed, as the text
 * chunks copy-rows.ts formats, straight into roster_rows while the file is still being read
 * (Postgres ingests on one core while the source parses on the other); then set-based SQL moves
 * invalid rows and every row of a duplicated external id (all of them, with a `duplicate`
 * reason) to roster_quarantine and deletes them from roster_rows.
 * Nothing is visible until commit; a file-level failure rolls it all back.
 */
import type { Knex } from 'knex';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { CSV_BOM, csvLines } from '../csv';
import type { Writable } from 'node:stream';
import { COPY_COLUMNS } from './copy-rows';

/**
 * Fresh statistics for the plan's joins and filters: only their columns (a sample, so its cost
 * does not grow with the table; all 25 columns took 0.6 s, these three 0.3 s).
 */
export async function analyzeRosterRows(db: Knex): Promise<void> {
  await db.raw('ANALYZE roster_rows (run_id, external_id, account_id)');
}

export interface Stager {
  /**
   * Writes COPY text (whole lines, from copy-rows.ts); resolves when more may be written and the
   * chunk's memory has been handed to the kernel (so a buffer can be reused once it resolves).
   */
  write(chunk: string | Uint8Array): Promise<void>;
  /**
   * Ends the COPY and moves invalid and duplicate rows out. `copied`: the formatter's counts and
   * the ids that may repeat (only those are checked), or null to check every row.
   */
  finish(copied: { valid: number; quarantined: number; duplicateSuspects: string[] | null }): Promise<{ valid: number; quarantined: number }>;
  /** Quarantined rows per `field:rule` (a row counts once per reason). */
  reasons(): Promise<Record<string, number>>;
  writeErrors(file: string): Promise<void>;
  updateRun(set: { importStats: unknown; managedFields: string[]; input: string }): Promise<void>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

export async function createStager(db: Knex, runId: string): Promise<Stager> {
  const conn = (await db.client.acquireConnection()) as pg.Client;
  let released = false;
  const release = () => {
    if (!released) {
      released = true;
      db.client.releaseConnection(conn);
    }
  };
  let copy: Writable | null = null;
  let copyDone: Promise<void> | null = null;
  let copyError: Error | null = null;
  try {
    await conn.query('BEGIN');
    // Two attempts importing one run (a job BullMQ saw stall while it still ran) take turns: the
    // second replaces the first's rows instead of adding to them.
    await conn.query("SELECT pg_advisory_xact_lock(hashtextextended('roster_rows:' || $1::text, 0))", [runId]);
    // What a foreign key would check on every row, checked once: the run exists and stays.
    const run = await conn.query('SELECT 1 FROM runs WHERE id = $1 FOR KEY SHARE', [runId]);
    if (!run.rowCount) throw new Error(`run ${runId} does not exist`);
    await conn.query('DELETE FROM roster_rows WHERE run_id = $1', [runId]);
    await conn.query('DELETE FROM roster_quarantine WHERE run_id = $1', [runId]);
    copy = conn.query(copyFrom(`COPY roster_rows (${COPY_COLUMNS.join(', ')}) FROM STDIN`));
    copyDone = new Promise((resolve, reject) => {
      copy!.on('finish', () => resolve());
      copy!.on('error', (err) => {
        copyError = err;
        reject(err);
      });
    });
    copyDone.catch(() => {}); // observed in finish()
  } catch (err) {
    await conn.query('ROLLBACK').catch(() => {});
    release();
    throw err;
  }

  // A chunk is done with once pg-copy-streams has handed it to pg's socket (its write callback:
  // before Postgres's CopyInResponse it only holds it) and the socket has completed every write
  // queued so far, which an empty write's callback tells (writes complete in order; it sends
  // nothing, and fails if the socket is destroyed). The socket is pg's internal one, as
  // pg-copy-streams uses it.
  const socket = (conn as unknown as { connection?: { stream?: Writable } }).connection?.stream;
  const EMPTY = Buffer.alloc(0);
  const write = async (chunk: string | Uint8Array) => {
    if (copyError) throw copyError;
    await new Promise<void>((resolve, reject) => copy!.write(chunk, (err) => (err ? reject(err) : resolve())));
    if (typeof chunk === 'string' || !socket || socket.writableLength === 0) return;
    await new Promise<void>((resolve, reject) => socket.write(EMPTY, (err) => (err ? reject(err) : resolve())));
  };

  const finish: Stager['finish'] = async ({ valid: validCopied, quarantined: quarantinedCopied, duplicateSuspects: suspects }) => {
    copy!.end();
    await copyDone;
    if (suspects && suspects.length === 0 && quarantinedCopied === 0) {
      return { valid: validCopied, quarantined: 0 }; // the common case: nothing to move out
    }
    // Only the suspects when the formatter's fingerprint set has them; every row when it gave up.
    await conn.query(`CREATE TEMP TABLE roster_import_dups ON COMMIT DROP AS
      SELECT external_id FROM roster_rows WHERE run_id = $1 AND external_id IS NOT NULL AND ($2::text[] IS NULL OR external_id = ANY($2))
      GROUP BY external_id HAVING count(*) > 1`, [runId, suspects]);
    const dups = await conn.query('SELECT count(*)::int AS n FROM roster_import_dups');
    if (Number((dups.rows[0] as { n: number }).n) === 0 && quarantinedCopied === 0) {
      return { valid: validCopied, quarantined: 0 };
    }
    const q = await conn.query(`INSERT INTO roster_quarantine (run_id, row_number, external_id, raw, issues)
      SELECT $1, s.row_number, s.external_id,
        coalesce(s.raw, jsonb_strip_nulls(to_jsonb(s) - 'run_id' - 'raw' - 'issues' - 'warnings' - 'row_number')),
        coalesce(s.issues, '[]'::jsonb) || CASE WHEN d.external_id IS NULL THEN '[]'::jsonb ELSE jsonb_build_array(jsonb_build_object(
          'field', 'externalId', 'value', s.external_id, 'rule', 'duplicate',
          'message', 'externalId: "' || s.external_id || '" appears on more than one row of this import; all of them are quarantined')) END
      FROM roster_rows s LEFT JOIN roster_import_dups d ON d.external_id = s.external_id
      WHERE s.run_id = $1 AND (s.issues IS NOT NULL OR d.external_id IS NOT NULL)`, [runId]);
    const del = await conn.query(`WITH gone AS (
        DELETE FROM roster_rows s WHERE s.run_id = $1
          AND (s.issues IS NOT NULL OR s.external_id IN (SELECT external_id FROM roster_import_dups))
        RETURNING s.issues)
      SELECT count(*) FILTER (WHERE issues IS NULL)::int AS valid_removed FROM gone`, [runId]);
    const validRemoved = Number((del.rows[0] as { valid_removed: number }).valid_removed);
    return { valid: validCopied - validRemoved, quarantined: q.rowCount ?? 0 };
  };

  return {
    write,
    finish,
    async reasons() {
      const r = await conn.query(`SELECT (i->>'field') || ':' || (i->>'rule') AS reason, count(*)::int AS n
        FROM roster_quarantine q, jsonb_array_elements(q.issues) i WHERE q.run_id = $1 GROUP BY 1 ORDER BY 2 DESC, 1`, [runId]);
      return Object.fromEntries(r.rows.map((x: { reason: string; n: number }) => [x.reason, x.n]));
    },
    async writeErrors(file) {
      // Every CSV goes through src/csv.ts (csv-stringify: BOM, CRLF, formula escaping). The rows are
      // read through a cursor in this transaction (the quarantine is not committed yet), 1,000 at a time.
      const reasons = `(SELECT string_agg(i->>'message', '; ') FROM jsonb_array_elements(q.issues) i)`;
      // Staged rows whose optional value was dropped (normalize.ts OPTIONAL_FIELDS) come too: the
      // row went on, the value did not, and whoever fixes the roster needs both lists.
      const dropped = `(SELECT jsonb_agg(w) FROM jsonb_array_elements(r.warnings) w WHERE w->>'rule' = 'dropped')`;
      const droppedReasons = `(SELECT string_agg((w->>'field') || ': ' || (w->>'message'), '; ') FROM jsonb_array_elements(r.warnings) w WHERE w->>'rule' = 'dropped')`;
      await conn.query(`DECLARE quarantine_out NO SCROLL CURSOR FOR SELECT e.* FROM (
          SELECT q.row_number, q.external_id, ${reasons} AS reasons, q.issues::text AS issues, q.raw::text AS raw, 'quarantined' AS outcome
          FROM roster_quarantine q WHERE q.run_id = $1
          UNION ALL
          SELECT r.row_number, r.external_id, ${droppedReasons}, ${dropped}::text, NULL, 'staged, value dropped'
          FROM roster_rows r WHERE r.run_id = $1 AND r.warnings @> '[{"rule":"dropped"}]'::jsonb
        ) e ORDER BY e.row_number`, [runId]);
      const out = createWriteStream(file);
      const done = new Promise<void>((resolve, reject) => out.on('finish', resolve).on('error', reject));
      try {
        const write = async (text: string) => {
          if (!out.write(text)) await once(out, 'drain');
        };
        await write(CSV_BOM + csvLines([['row_number', 'external_id', 'reasons', 'issues', 'raw', 'outcome']]));
        for (;;) {
          const { rows } = await conn.query('FETCH 1000 FROM quarantine_out');
          if (rows.length) await write(csvLines(rows.map((r) => [r.row_number, r.external_id, r.reasons, r.issues, r.raw, r.outcome])));
          if (rows.length < 1000) break;
        }
      } finally {
        out.end();
        await conn.query('CLOSE quarantine_out').catch(() => undefined);
      }
      await done;
    },
    async updateRun(set) {
      await conn.query('UPDATE runs SET import_stats = $2, managed_fields = $3, input = $4 WHERE id = $1',
        [runId, JSON.stringify(set.importStats), set.managedFields, set.input]);
    },
    async commit() {
      try {
        await conn.query('COMMIT');
      } finally {
        release();
      }
    },
    async rollback() {
      if (released) return;
      try {
        if (copy && !copy.writableFinished) {
          copy.destroy();
          await copyDone?.catch(() => {});
        }
        await conn.query('ROLLBACK');
      } catch {
        // A broken connection: dispose of it rather than return it to the pool.
        (conn as unknown as { __knex__disposed?: unknown }).__knex__disposed = 'rollback failed';
      } finally {
        release();
      }
    },
  };
}
