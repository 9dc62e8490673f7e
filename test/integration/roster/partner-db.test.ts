/** The same roster from Postgres and from MariaDB stages identical rows; DB failures are named. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import knexFactory, { type Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { sourceSchema, type SourceConfig } from '../../../src/config';
import { importRoster } from '../../../src/roster/import';
import { SyncError } from '../../../src/errors';
import { startRosterApp, type RosterTestApp } from './helpers';

const ROWS = [
  { pid: 'A1', pname: 'Riverside Pediatrics', street: '100 Main St', city: 'Columbus', st: 'Ohio', zip: '43215', tel: '(614) 555-0100', web: 'riverside.example' },
  { pid: 'A2', pname: 'San Juan Clinica', street: 'Calle Loiza 12', city: 'San Juan', st: 'PR', zip: '907', tel: '787-555-0111', web: null },
  { pid: 'A3', pname: 'Garden State', street: 'PO Box 9', city: 'Newark', st: 'NJ', zip: '7102', tel: 'NOT AVAILABLE', web: 'https://gs.example/' },
  { pid: 'A4', pname: 'Bad Phone', street: '1 X St', city: 'Austin', st: 'TX', zip: '78701', tel: '555-1234', web: null },
  { pid: 'A5', pname: 'Dup One', street: '1 Y St', city: 'Austin', st: 'TX', zip: '78701', tel: null, web: null },
  { pid: 'A5', pname: 'Dup Two', street: '2 Y St', city: 'Austin', st: 'TX', zip: '78701', tel: null, web: null },
];
const MAPPING = { externalId: 'pid', name: 'pname', address1: 'street', city: 'city', state: 'st', postal: 'zip', phone: 'tel', websiteUrl: 'web' };

let t: RosterTestApp;
const schema = `roster_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
const pgUrl = `postgres://postgres@127.0.0.1:5432/test`;
const myUrl = `mysql://root@127.0.0.1:3306/${schema}`;
let pg: Knex;
let my: Knex;

async function load(db: Knex, table: string) {
  await db.schema.createTable(table, (tb) => {
    for (const c of ['pid', 'pname', 'street', 'city', 'st', 'zip', 'tel', 'web']) tb.string(c, 100);
  });
  await db(table).insert(ROWS);
}

beforeAll(async () => {
  t = await startRosterApp();
  pg = knexFactory({ client: 'pg', connection: pgUrl, pool: { min: 0, max: 1 } });
  await pg.raw(`CREATE SCHEMA ${schema}`);
  await load(pg, `${schema}.practices`);
  const root = knexFactory({ client: 'mysql2', connection: 'mysql://root@127.0.0.1:3306/test', pool: { min: 0, max: 1 } });
  await root.raw(`CREATE DATABASE \`${schema}\``);
  await root.destroy();
  my = knexFactory({ client: 'mysql2', connection: myUrl, pool: { min: 0, max: 1 } });
  await load(my, 'practices');
});
afterAll(async () => {
  await pg?.raw(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await pg?.destroy();
  await my?.raw(`DROP DATABASE IF EXISTS \`${schema}\``);
  await my?.destroy();
  await t?.close();
});

const env = { PARTNER_PG_URL: pgUrl, PARTNER_MY_URL: myUrl };
function dbSource(over: Record<string, unknown>): SourceConfig {
  return sourceSchema.parse({ name: 'partner', kind: 'db', mapping: MAPPING, ...over }) as SourceConfig;
}
async function run(source: SourceConfig) {
  const runId = await t.newRun();
  Object.assign(process.env, env);
  const result = await importRoster(t.app.deps, { runId, source });
  const rows = await t.tdb.db('roster_rows').where({ run_id: runId }).orderBy('external_id').select('row_number', 'external_id', 'account_id', 'name', 'address1', 'city', 'state', 'postal', 'country', 'phone', 'website_url', 'time_zone', 'warnings');
  return { runId, result, rows };
}

describe('partner database sources', () => {
  it('Postgres (table + mapping) and MariaDB (table + mapping) stage identical rows', async () => {
    const a = await run(dbSource({ client: 'pg', urlEnv: 'PARTNER_PG_URL', table: `${schema}.practices` }));
    const b = await run(dbSource({ client: 'mysql2', urlEnv: 'PARTNER_MY_URL', table: 'practices' }));
    expect(a.result.stats).toMatchObject({ read: 6, valid: 3, quarantined: 3, byReason: { 'externalId:duplicate': 2, 'phone:invalid': 1 } });
    expect(b.result.stats).toEqual(a.result.stats);
    expect(b.rows).toEqual(a.rows);
    expect(a.rows.map((r) => [r.external_id, r.state, r.postal, r.phone])).toEqual([
      ['A1', 'OH', '43215', '6145550100'], ['A2', 'PR', '00907', '7875550111'], ['A3', 'NJ', '07102', null],
    ]);
    expect(a.result.input).not.toContain('postgres://');
    expect(a.result.input).toContain('table');
  });

  it('a configured SELECT is read the same way', async () => {
    const a = await run(dbSource({ client: 'pg', urlEnv: 'PARTNER_PG_URL', query: `SELECT * FROM ${schema}.practices WHERE st <> 'TX'` }));
    const b = await run(dbSource({ client: 'mysql2', urlEnv: 'PARTNER_MY_URL', query: `SELECT * FROM practices WHERE st <> 'TX'` }));
    expect(a.result.stats).toMatchObject({ read: 3, valid: 3, quarantined: 0 });
    expect(b.rows).toEqual(a.rows);
  });

  it('a query that locks rows is refused (partner-db-read-only.test.ts tries the rest)', async () => {
    const query = `SELECT * FROM ${schema}.practices FOR UPDATE`;
    const parsed = sourceSchema.safeParse({ name: 'partner', kind: 'db', client: 'pg', urlEnv: 'PARTNER_PG_URL', query });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toMatch(/row locks/);
    const err = await run({ ...dbSource({ client: 'pg', urlEnv: 'PARTNER_PG_URL', query: 'SELECT 1' }), query } as SourceConfig).catch((e) => e);
    expect(err).toBeInstanceOf(SyncError);
    expect(err.code).toBe('IMPORT_DB_QUERY_REFUSED');
    expect(err.message).toMatch(/row locks/);
  });
  it('a query that fails on the server is named', async () => {
    const err = await run(dbSource({ client: 'mysql2', urlEnv: 'PARTNER_MY_URL', query: 'SELECT no_such_column FROM practices' })).catch((e) => e);
    expect(err).toBeInstanceOf(SyncError);
    expect(err.code).toBe('IMPORT_DB_QUERY_FAILED');
    expect(err.message).toMatch(/no_such_column/);
  });
});
