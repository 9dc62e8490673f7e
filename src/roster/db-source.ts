/**
 * Streams a partner database as records: a configured SELECT, or a table with the mapped columns.
 * The partner's data is only read, in three layers:
 * 1. before connecting, the query must be one read-only SELECT (read-only-query.ts);
 * 2. it runs inside a READ ONLY transaction with a statement timeout;
 * 3. Postgres receives it through the extended protocol (Parse/Bind/Execute), which refuses more
 *    than one statement; mysql2 connects with multi-statements off whatever the URL says.
 * Postgres reads through a server-side cursor (FETCH in batches), MySQL/MariaDB through mysql2's
 * row stream. The URL comes from the environment and is never logged or stored; `input`
 * describes the query only. A partner role that can only read (README) is the boundary a
 * user-defined function cannot cross; these layers are what this program can enforce alone.
 */
import pg from 'pg';
import mysql from 'mysql2';
import { sourceDbUrl, type DbSourceConfig } from '../config';
import { classifyDbError } from './db-errors';
import { checkReadOnlyQuery } from './read-only-query';
import { copyRecords, type RecordSource, type SourceRecord } from './record-source';

const FETCH_ROWS = 2000;

export function describeDbInput(source: DbSourceConfig): string {
  return source.query ? `${source.client} query (source ${source.name}): ${source.query.replace(/\s+/g, ' ').trim()}` : `${source.client} table ${source.table} (source ${source.name})`;
}

const quoteIdent = (client: DbSourceConfig['client'], name: string) => {
  const q = client === 'pg' ? '"' : '`';
  return name.split('.').map((part) => q + part.split(q).join(q + q) + q).join('.');
};

/** The SQL to run: the checked query, or a SELECT of the mapped columns of the table. */
export function buildSourceSql(source: DbSourceConfig, columns: string[]): string {
  if (source.query) return checkReadOnlyQuery(source.query, source.client);
  const cols = columns.length ? columns.map((c) => quoteIdent(source.client, c)).join(', ') : '*';
  return `SELECT ${cols} FROM ${quoteIdent(source.client, source.table!)}`;
}

function toCell(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (v instanceof Date) return v.toISOString();
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return String(v);
}

/** A read of one query: headers, then records; `close` ends the transaction and the connection. */
export interface DbRead {
  headers: string[];
  records: AsyncIterable<SourceRecord>;
  close(): Promise<void>;
}

export interface DbReadOptions {
  statementTimeoutMs: number;
  connectTimeoutMs: number;
}

/** `columns`: the mapped columns to select when the source names a table. */
export async function openDbSource(source: DbSourceConfig, columns: string[], env: Record<string, string | undefined> = process.env): Promise<RecordSource> {
  const what = source.table ? `table ${source.table}` : 'the configured query';
  const ctx = { source: source.name, what };
  // Refused here, before any connection, when the query is not one read-only SELECT.
  const sql = buildSourceSql(source, columns);
  const url = sourceDbUrl(source, env);
  const opts = { statementTimeoutMs: source.statementTimeoutMs, connectTimeoutMs: source.connectTimeoutMs };
  let read: DbRead;
  try {
    read = source.client === 'pg' ? await readPostgres(url, sql, opts) : await readMysql(url, sql, opts, columns);
  } catch (err) {
    throw classifyDbError(err, ctx);
  }
  let count = 0;
  async function* wrapped(): AsyncGenerator<SourceRecord> {
    try {
      for await (const r of read.records) {
        count++;
        yield r;
      }
    } catch (err) {
      throw classifyDbError(err, ctx);
    } finally {
      await read.close();
    }
  }
  return { headers: read.headers, copyRows: (format, write) => copyRecords(wrapped(), format, write), input: describeDbInput(source), bytesRead: () => count, close: read.close };
}

/** Postgres: READ ONLY transaction, statement timeout, DECLARE through the extended protocol. */
export async function readPostgres(url: string, sql: string, opts: DbReadOptions): Promise<DbRead> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: opts.connectTimeoutMs, application_name: 'updox-sync import' });
  // A connection dropped while idle is reported by the next query; without a listener the
  // client's 'error' event would end the process.
  let dropped: Error | null = null;
  client.on('error', (err) => { dropped = err; });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    if (!dropped) await client.query('ROLLBACK').catch(() => {});
    await client.end().catch(() => {});
  };
  try {
    await client.connect();
    await client.query('BEGIN TRANSACTION READ ONLY');
    // SET LOCAL outlives nothing: it ends with the transaction, whatever the URL's options say.
    await client.query(`SET LOCAL statement_timeout = ${Math.floor(opts.statementTimeoutMs)}`);
    await client.query(`SET LOCAL idle_in_transaction_session_timeout = ${Math.floor(opts.statementTimeoutMs)}`);
    await client.query({ text: `DECLARE roster_import_cursor NO SCROLL CURSOR FOR ${sql}`, queryMode: 'extended' } as pg.QueryConfig);
    const fetch = () => client.query(`FETCH FORWARD ${FETCH_ROWS} FROM roster_import_cursor`);
    const first = await fetch();
    const headers = first.fields.map((f) => f.name);
    async function* records(): AsyncGenerator<SourceRecord> {
      let row = 1;
      let batch = first.rows as Record<string, unknown>[];
      while (batch.length) {
        for (const r of batch) yield { row: ++row, cells: headers.map((h) => toCell(r[h])) };
        if (batch.length < FETCH_ROWS) break;
        batch = (await fetch()).rows as Record<string, unknown>[];
      }
    }
    return { headers, records: records(), close };
  } catch (err) {
    await close();
    throw err;
  }
}

/**
 * mysql2 options from a URL, with multi-statements and LOCAL INFILE forced off: a URL's
 * `?multipleStatements=true` or `?flags=…` cannot turn them on.
 */
export function mysqlOptions(url: string, connectTimeoutMs: number): mysql.ConnectionOptions {
  const u = new URL(url);
  const opts: Record<string, unknown> = {};
  for (const [k, v] of u.searchParams) {
    if (k === 'ssl' || k === 'charset' || k === 'timezone') {
      try {
        opts[k] = JSON.parse(v);
      } catch {
        opts[k] = v;
      }
    }
  }
  return {
    ...opts,
    host: decodeURIComponent(u.hostname.replace(/^\[|\]$/g, '')),
    port: u.port ? Number(u.port) : 3306,
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: decodeURIComponent(u.pathname.slice(1)),
    multipleStatements: false,
    flags: ['-MULTI_STATEMENTS', '-LOCAL_FILES'],
    connectTimeout: connectTimeoutMs,
  };
}

type RowStream = AsyncIterable<Record<string, unknown>> & { destroy(err?: Error): void };

/** MySQL/MariaDB: session statement timeout, START TRANSACTION READ ONLY, then a row stream. */
export async function readMysql(url: string, sql: string, opts: DbReadOptions, columns: string[]): Promise<DbRead> {
  const conn = mysql.createConnection(mysqlOptions(url, opts.connectTimeoutMs));
  const q = conn.promise();
  let dropped = false;
  let stream = null as RowStream | null;
  // mysql2 reports a lost connection on the connection only: the row stream would wait forever.
  const lost = (err?: Error) => {
    dropped = true;
    stream?.destroy(err ?? Object.assign(new Error('Connection lost: the server closed the connection'), { code: 'PROTOCOL_CONNECTION_LOST' }));
  };
  conn.on('error', lost);
  conn.on('end', () => { if (!closed) lost(); });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    if (!dropped) await q.query('ROLLBACK').catch(() => {});
    await q.end().catch(() => conn.destroy());
  };
  try {
    await q.connect();
    const [[version]] = (await q.query('SELECT VERSION() AS v')) as unknown as [{ v: string }[]];
    // MariaDB counts seconds (max_statement_time), MySQL milliseconds (max_execution_time, SELECT only).
    if (/mariadb/i.test(version?.v ?? '')) await q.query(`SET SESSION max_statement_time = ${opts.statementTimeoutMs / 1000}`);
    else await q.query(`SET SESSION max_execution_time = ${Math.floor(opts.statementTimeoutMs)}`);
    await q.query('START TRANSACTION READ ONLY');
    const rows = conn.query(sql).stream({ highWaterMark: FETCH_ROWS }) as unknown as RowStream;
    stream = rows;
    const it = rows[Symbol.asyncIterator]();
    const first = await it.next(); // a failing query surfaces here, before any row is staged
    const headers = first.done ? columns : Object.keys(first.value as Record<string, unknown>);
    async function* records(): AsyncGenerator<SourceRecord> {
      let row = 1;
      let r = first;
      while (!r.done) {
        const value = r.value as Record<string, unknown>;
        yield { row: ++row, cells: headers.map((h) => toCell(value[h])) };
        r = await it.next();
      }
    }
    return { headers, records: records(), close };
  } catch (err) {
    await close();
    throw err;
  }
}
