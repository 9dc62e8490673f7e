/**
 * Streams a partner database as records: a configured SELECT, or a table with the mapped columns.
 * Runs inside a READ ONLY transaction; Postgres reads through a server-side cursor (FETCH in
 * batches), MySQL/MariaDB through mysql2's row stream. The URL comes from the environment and is
 * never logged or stored; `input` describes the query only.
 */
import knexFactory, { type Knex } from 'knex';
import { sourceDbUrl, type DbSourceConfig } from '../config';
import { BadInputError, RetryableError } from '../errors';
import { copyRecords, type RecordSource, type SourceRecord } from './record-source';

const FETCH_ROWS = 2000;
const TABLE_MISSING = new Set(['42P01', 'ER_NO_SUCH_TABLE', '3F000', 'ER_BAD_DB_ERROR']);
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'ECONNRESET']);

export function describeDbInput(source: DbSourceConfig): string {
  return source.query ? `${source.client} query (source ${source.name}): ${source.query.replace(/\s+/g, ' ').trim()}` : `${source.client} table ${source.table} (source ${source.name})`;
}

function buildSql(db: Knex, source: DbSourceConfig, columns: string[]): string {
  if (source.query) return source.query.trim().replace(/;\s*$/, '');
  const cols = columns.length ? columns.map((c) => db.raw('??', [c]).toQuery()).join(', ') : '*';
  return `SELECT ${cols} FROM ${db.raw('??', [source.table!]).toQuery()}`;
}

function toCell(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (v instanceof Date) return v.toISOString();
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return String(v);
}

function dbError(err: unknown, source: DbSourceConfig): Error {
  const e = err as { code?: string; errno?: number; message?: string };
  const what = source.table ? `table ${source.table}` : 'the configured query';
  if (e.code && UNREACHABLE.has(e.code)) {
    return new RetryableError('IMPORT_DB_UNREACHABLE', `cannot connect to the partner database of source "${source.name}" (${e.code})`, { cause: err, details: { source: source.name } });
  }
  if ((e.code && TABLE_MISSING.has(e.code)) || e.errno === 1146) {
    return new BadInputError('IMPORT_DB_TABLE_MISSING', `source "${source.name}": ${what} refers to a table that does not exist: ${e.message}`, { cause: err, details: { source: source.name } });
  }
  return new BadInputError('IMPORT_DB_QUERY_FAILED', `source "${source.name}": ${what} failed: ${e.message ?? String(err)}`, { cause: err, details: { source: source.name, dbCode: e.code } });
}

/** `columns`: the mapped columns to select when the source names a table. */
export async function openDbSource(source: DbSourceConfig, columns: string[], env: Record<string, string | undefined> = process.env): Promise<RecordSource> {
  const db = knexFactory({ client: source.client, connection: sourceDbUrl(source, env), pool: { min: 0, max: 1 } });
  let trx: Knex.Transaction;
  try {
    trx = await db.transaction({ readOnly: true });
  } catch (err) {
    await db.destroy();
    throw dbError(err, source);
  }
  const sql = buildSql(db, source, columns);
  let count = 0;
  const finish = async () => {
    if (!trx.isCompleted()) await trx.rollback().catch(() => {});
    await db.destroy();
  };
  try {
    const { headers, records } = source.client === 'pg' ? await pgCursor(trx, sql) : await mysqlStream(trx, sql, columns);
    async function* wrapped(): AsyncGenerator<SourceRecord> {
      try {
        for await (const r of records) {
          count++;
          yield r;
        }
      } catch (err) {
        throw dbError(err, source);
      } finally {
        await finish();
      }
    }
    return { headers, copyRows: (format, write) => copyRecords(wrapped(), format, write), input: describeDbInput(source), bytesRead: () => count, close: finish };
  } catch (err) {
    await finish();
    throw dbError(err, source);
  }
}

async function pgCursor(trx: Knex.Transaction, sql: string): Promise<{ headers: string[]; records: AsyncIterable<SourceRecord> }> {
  await trx.raw(`DECLARE roster_import_cursor NO SCROLL CURSOR FOR ${sql}`);
  const first = (await trx.raw(`FETCH FORWARD ${FETCH_ROWS} FROM roster_import_cursor`)) as { rows: Record<string, unknown>[]; fields: { name: string }[] };
  const headers = first.fields.map((f) => f.name);
  async function* records(): AsyncGenerator<SourceRecord> {
    let row = 1;
    let batch = first.rows;
    while (batch.length) {
      for (const r of batch) yield { row: ++row, cells: headers.map((h) => toCell(r[h])) };
      if (batch.length < FETCH_ROWS) break;
      batch = ((await trx.raw(`FETCH FORWARD ${FETCH_ROWS} FROM roster_import_cursor`)) as { rows: Record<string, unknown>[] }).rows;
    }
  }
  return { headers, records: records() };
}

async function mysqlStream(trx: Knex.Transaction, sql: string, columns: string[]): Promise<{ headers: string[]; records: AsyncIterable<SourceRecord> }> {
  const stream = trx.raw(sql).stream({ highWaterMark: FETCH_ROWS }) as unknown as AsyncIterable<Record<string, unknown>> & NodeJS.ReadableStream;
  const it = stream[Symbol.asyncIterator]();
  const first = await it.next(); // surfaces a failing query or a missing table here, before any row is staged
  const headers = first.done ? columns : Object.keys(first.value);
  async function* records(): AsyncGenerator<SourceRecord> {
    let row = 1;
    let r = first;
    while (!r.done) {
      yield { row: ++row, cells: headers.map((h) => toCell(r.value[h])) };
      r = await it.next();
    }
  }
  return { headers, records: records() };
}
