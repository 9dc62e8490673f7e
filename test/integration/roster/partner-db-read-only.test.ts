/**
 * A partner database is only read. Each hostile query is refused by name, and afterwards the
 * partner's rows, its sequence and its schema are exactly as before, no file appeared on the
 * server, and nothing was staged. The server-side layers (read-only transaction, extended
 * protocol, multi-statements off, statement timeout) are then tried on their own, without the
 * pre-connection check, to show each holds by itself.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import knexFactory, { type Knex } from 'knex';
import { sourceSchema, type DbSourceConfig } from '../../../src/config';
import { importRoster } from '../../../src/roster/import';
import { readMysql, readPostgres, type DbRead } from '../../../src/roster/db-source';
import { classifyDbError } from '../../../src/roster/db-errors';
import { SyncError } from '../../../src/errors';
import { startRosterApp, type RosterTestApp } from './helpers';

const ROWS = [
  { pid: 'A1', pname: 'Riverside Pediatrics', street: '100 Main St', city: 'Columbus', st: 'OH', zip: '43215' },
  { pid: 'A2', pname: 'Garden State', street: '9 Elm St', city: 'Newark', st: 'NJ', zip: '07102' },
];
const MAPPING = { externalId: 'pid', name: 'pname', address1: 'street', city: 'city', state: 'st', postal: 'zip' };
const tag = randomUUID().replace(/-/g, '').slice(0, 10);
const schema = `ro_${tag}`;
const marker = `/tmp/updox-sync-pwned-${tag}`;
const pgUrl = 'postgres://postgres@127.0.0.1:5432/test';
const myUrl = `mysql://root@127.0.0.1:3306/${schema}`;
let t: RosterTestApp;
let pg: Knex;
let my: Knex;

beforeAll(async () => {
  t = await startRosterApp();
  pg = knexFactory({ client: 'pg', connection: pgUrl, pool: { min: 0, max: 1 } });
  await pg.raw(`CREATE SCHEMA ${schema}`);
  await pg.raw(`CREATE TABLE ${schema}.practices (pid text, pname text, street text, city text, st text, zip text)`);
  await pg.raw(`CREATE SEQUENCE ${schema}.practice_seq`);
  await pg(`${schema}.practices`).insert(ROWS);
  const root = knexFactory({ client: 'mysql2', connection: 'mysql://root@127.0.0.1:3306/test', pool: { min: 0, max: 1 } });
  await root.raw(`CREATE DATABASE \`${schema}\``);
  await root.destroy();
  my = knexFactory({ client: 'mysql2', connection: myUrl, pool: { min: 0, max: 1 } });
  await my.raw('CREATE TABLE practices (pid varchar(20), pname varchar(100), street varchar(100), city varchar(50), st varchar(20), zip varchar(10))');
  await my.raw('CREATE SEQUENCE practice_seq');
  await my('practices').insert(ROWS);
  process.env.RO_PG_URL = pgUrl;
  process.env.RO_MY_URL = myUrl;
  process.env.RO_DEAD_URL_PG = 'postgres://postgres@127.0.0.1:1/test';
  process.env.RO_DEAD_URL_MY = 'mysql://root@127.0.0.1:1/test';
});
afterAll(async () => {
  await pg?.raw(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await pg?.destroy();
  await my?.raw(`DROP DATABASE IF EXISTS \`${schema}\``);
  await my?.destroy();
  await t?.close();
  rmSync(marker, { force: true });
});

/** Everything a write could have changed on the partner's side. */
async function partnerState(client: 'pg' | 'mysql2') {
  if (client === 'pg') {
    const rows = await pg(`${schema}.practices`).orderBy('pid').select('*');
    const [seq] = (await pg.raw(`SELECT last_value, is_called FROM ${schema}.practice_seq`)).rows;
    const tables = (await pg.raw(`SELECT table_name FROM information_schema.tables WHERE table_schema = ? ORDER BY 1`, [schema])).rows;
    return { rows, seq, tables, marker: existsSync(marker) };
  }
  const rows = await my('practices').orderBy('pid').select('*');
  const [[seq]] = await my.raw('SELECT next_not_cached_value FROM practice_seq');
  const [tables] = await my.raw('SELECT table_name FROM information_schema.tables WHERE table_schema = ? ORDER BY 1', [schema]);
  return { rows, seq, tables, marker: existsSync(marker) };
}

function source(client: 'pg' | 'mysql2', query: string, urlEnv = client === 'pg' ? 'RO_PG_URL' : 'RO_MY_URL'): DbSourceConfig {
  // Parsed with a harmless query, then given the hostile one: the import's own check is under test.
  const s = sourceSchema.parse({ name: 'partner', kind: 'db', client, urlEnv, query: 'SELECT 1', mapping: MAPPING }) as DbSourceConfig;
  return { ...s, query, attempts: 1 };
}

async function refusedAndUntouched(client: 'pg' | 'mysql2', query: string, urlEnv?: string) {
  const before = await partnerState(client);
  const runId = await t.newRun();
  const err = await importRoster(t.app.deps, { runId, source: source(client, query, urlEnv) }).then(() => null, (e: unknown) => e);
  expect(err, query).toBeInstanceOf(SyncError);
  expect((err as SyncError).code, `${query}: ${(err as Error).message}`).toBe('IMPORT_DB_QUERY_REFUSED');
  expect((err as SyncError).kind).toBe('bad-input');
  expect(await partnerState(client)).toEqual(before);
  const [{ n }] = await t.tdb.db('roster_rows').where({ run_id: runId }).count<{ n: string }[]>('* as n');
  expect(Number(n)).toBe(0);
  return err as SyncError;
}

const s = schema;
const HOSTILE: Record<'pg' | 'mysql2', [string, string][]> = {
  pg: [
    ['COMMIT then DML', `SELECT * FROM ${s}.practices; COMMIT; DELETE FROM ${s}.practices WHERE pid = 'A1'`],
    ['ROLLBACK then DML', `SELECT * FROM ${s}.practices; ROLLBACK; DELETE FROM ${s}.practices`],
    ['SET TRANSACTION', `SET TRANSACTION READ WRITE; DELETE FROM ${s}.practices`],
    ['several statements', `SELECT * FROM ${s}.practices; SELECT 1`],
    ['DML', `DELETE FROM ${s}.practices`],
    ['UPDATE', `UPDATE ${s}.practices SET pname = 'x'`],
    ['DDL', `DROP TABLE ${s}.practices`],
    ['CREATE', `CREATE TABLE ${s}.pwned AS SELECT * FROM ${s}.practices`],
    ['CTE with DML', `WITH d AS (DELETE FROM ${s}.practices RETURNING *) SELECT * FROM d`],
    ['COPY … TO PROGRAM', `COPY (SELECT 1) TO PROGRAM 'touch ${marker}'`],
    ['COPY after a SELECT', `SELECT * FROM ${s}.practices; COPY (SELECT 1) TO PROGRAM 'touch ${marker}'`],
    ['nextval', `SELECT nextval('${s}.practice_seq') AS n, * FROM ${s}.practices`],
    ['setval', `SELECT setval('${s}.practice_seq', 99), * FROM ${s}.practices`],
    ['set_config', `SELECT set_config('transaction_read_only', 'off', true), * FROM ${s}.practices`],
    ['SELECT … INTO', `SELECT * INTO ${s}.pwned FROM ${s}.practices`],
    ['FOR UPDATE', `SELECT * FROM ${s}.practices FOR UPDATE`],
    ['a string that hides nothing from the check', `SELECT 'a\\'; DELETE FROM ${s}.practices; --' AS x`],
  ],
  mysql2: [
    ['COMMIT then DML', `SELECT * FROM practices; COMMIT; DELETE FROM practices WHERE pid = 'A1'`],
    ['ROLLBACK then DML', `SELECT * FROM practices; ROLLBACK; DELETE FROM practices`],
    ['SET TRANSACTION', `SET TRANSACTION READ WRITE; DELETE FROM practices`],
    ['several statements', `SELECT * FROM practices; SELECT 1`],
    ['DML', `DELETE FROM practices`],
    ['REPLACE', `REPLACE INTO practices (pid) VALUES ('A9')`],
    ['DDL (an implicit commit on MySQL)', `CREATE TABLE pwned (a int)`],
    ['DDL drop', `DROP TABLE practices`],
    ['CTE with DML', `WITH d AS (SELECT 1) DELETE FROM practices`],
    ['INTO OUTFILE (the MySQL COPY … TO)', `SELECT * FROM practices INTO OUTFILE '${marker}'`],
    ['executable comment', `SELECT * FROM practices /*! INTO OUTFILE '${marker}' */`],
    ['nextval', `SELECT NEXTVAL(practice_seq) AS n, practices.* FROM practices`],
    ['NEXT VALUE FOR', `SELECT NEXT VALUE FOR practice_seq AS n, practices.* FROM practices`],
    ['setval', `SELECT SETVAL(practice_seq, 99) AS n, practices.* FROM practices`],
    ['get_lock', `SELECT GET_LOCK('x', 1) AS l, practices.* FROM practices`],
    ['LOCK IN SHARE MODE', `SELECT * FROM practices LOCK IN SHARE MODE`],
    ['a backslash escape', `SELECT 'a\\'; DELETE FROM practices; #' AS x`],
  ],
};

for (const client of ['pg', 'mysql2'] as const) {
  describe(`${client}: hostile queries are refused and the partner database is untouched`, () => {
    it.each(HOSTILE[client])('%s', async (_name, query) => {
      await refusedAndUntouched(client, query);
    });
    it('is refused before connecting (the URL points at a closed port)', async () => {
      const e = await refusedAndUntouched(client, HOSTILE[client][0]![1], client === 'pg' ? 'RO_DEAD_URL_PG' : 'RO_DEAD_URL_MY');
      expect(e.message).toMatch(/more than one statement/);
    });
  });
}

/** Runs a query with the server-side layers only (no pre-connection check) and drains it. */
async function rawRead(client: 'pg' | 'mysql2', sql: string, url = client === 'pg' ? pgUrl : myUrl, statementTimeoutMs = 10_000): Promise<unknown> {
  let read: DbRead | null = null;
  try {
    read = client === 'pg' ? await readPostgres(url, sql, { statementTimeoutMs, connectTimeoutMs: 5000 }) : await readMysql(url, sql, { statementTimeoutMs, connectTimeoutMs: 5000 }, []);
    let n = 0;
    for await (const _ of read.records) n++;
    return n;
  } catch (err) {
    return classifyDbError(err, { source: 'partner', what: 'the configured query' });
  } finally {
    await read?.close();
  }
}

describe('the server-side layers hold without the pre-connection check', () => {
  it.each([
    ['the extended protocol refuses several statements', `SELECT 1; DELETE FROM ${s}.practices`, 'IMPORT_DB_QUERY_REFUSED'],
    ['COMMIT inside the statement list', `SELECT 1; COMMIT; DELETE FROM ${s}.practices`, 'IMPORT_DB_QUERY_REFUSED'],
    ['the cursor refuses a CTE with DML', `WITH d AS (DELETE FROM ${s}.practices RETURNING *) SELECT * FROM d`, 'IMPORT_DB_QUERY_FAILED'],
    ['the read-only transaction refuses nextval', `SELECT nextval('${s}.practice_seq')`, 'IMPORT_DB_QUERY_REFUSED'],
    ['the read-only transaction refuses FOR UPDATE', `SELECT * FROM ${s}.practices FOR UPDATE`, 'IMPORT_DB_QUERY_REFUSED'],
  ])('pg: %s', async (_name, sql, code) => {
    const before = await partnerState('pg');
    const r = await rawRead('pg', sql);
    expect(r).toBeInstanceOf(SyncError);
    expect((r as SyncError).code, (r as Error).message).toBe(code);
    expect(await partnerState('pg')).toEqual(before);
  });
  it('pg: the statement timeout stops a slow query, and it is a transient failure', async () => {
    const r = await rawRead('pg', 'SELECT pg_sleep(5)', pgUrl, 1000);
    expect((r as SyncError).code).toBe('IMPORT_DB_TIMEOUT');
    expect((r as SyncError).kind).toBe('retryable');
  });
  it.each([
    ['multi-statements stay off even when the URL asks for them', `SELECT 1; DELETE FROM practices`, `${myUrl}?multipleStatements=true`, 'IMPORT_DB_QUERY_FAILED'],
    ['the read-only transaction refuses DML', `DELETE FROM practices`, myUrl, 'IMPORT_DB_QUERY_REFUSED'],
    ['the read-only transaction refuses nextval', `SELECT NEXTVAL(practice_seq)`, myUrl, 'IMPORT_DB_QUERY_REFUSED'],
  ])('mysql2: %s', async (_name, sql, url, code) => {
    const before = await partnerState('mysql2');
    const r = await rawRead('mysql2', sql, url);
    expect(r).toBeInstanceOf(SyncError);
    expect((r as SyncError).code, (r as Error).message).toBe(code);
    expect(await partnerState('mysql2')).toEqual(before);
  });
  it('mysql2: the statement timeout stops a slow query, and it is a transient failure', async () => {
    const r = await rawRead('mysql2', 'SELECT SLEEP(5) AS s FROM practices', myUrl, 1000);
    expect((r as SyncError).code, (r as Error).message).toBe('IMPORT_DB_TIMEOUT');
    expect((r as SyncError).kind).toBe('retryable');
  });
  it('a plain SELECT still reads every row on both', async () => {
    expect(await rawRead('pg', `SELECT * FROM ${s}.practices`)).toBe(2);
    expect(await rawRead('mysql2', 'SELECT * FROM practices')).toBe(2);
  });
});
