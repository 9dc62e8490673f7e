/**
 * Transient is not bad input: a partner connection killed in the middle of the read (after 2,000
 * rows were staged) is read again from the start, and the import stages every row once. A
 * database that never answers fails with a retryable error after the configured attempts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import knexFactory, { type Knex } from 'knex';
import { sourceSchema, type DbSourceConfig } from '../../../src/config';
import { importRoster } from '../../../src/roster/import';
import { SyncError } from '../../../src/errors';
import { startRosterApp, type RosterTestApp } from './helpers';

const ROWS = 3000;
const MAPPING = { externalId: 'pid', name: 'pname' };
const tag = randomUUID().replace(/-/g, '').slice(0, 10);
const schema = `tr_${tag}`;
const pgUrl = 'postgres://postgres@127.0.0.1:5432/test';
const myUrl = `mysql://root@127.0.0.1:3306/${schema}`;
let t: RosterTestApp;
let pg: Knex;
let my: Knex;

beforeAll(async () => {
  t = await startRosterApp();
  pg = knexFactory({ client: 'pg', connection: pgUrl, pool: { min: 0, max: 2 } });
  await pg.raw(`CREATE SCHEMA ${schema}`);
  // Row 2500 waits a second: the second FETCH is in flight when the test kills the connection.
  await pg.raw(`CREATE FUNCTION ${schema}.slow(g int) RETURNS int LANGUAGE plpgsql AS $$ BEGIN IF g = 2500 THEN PERFORM pg_sleep(1); END IF; RETURN g; END $$`);
  await pg.raw(`CREATE VIEW ${schema}.practices AS SELECT 'P' || ${schema}.slow(g) AS pid, 'Practice ' || g AS pname FROM generate_series(1, ${ROWS}) g`);
  const root = knexFactory({ client: 'mysql2', connection: 'mysql://root@127.0.0.1:3306/test', pool: { min: 0, max: 1 } });
  await root.raw(`CREATE DATABASE \`${schema}\``);
  await root.destroy();
  my = knexFactory({ client: 'mysql2', connection: myUrl, pool: { min: 0, max: 2 } });
  await my.raw(`CREATE VIEW practices AS SELECT CONCAT('P', seq + SLEEP(IF(seq = 2500, 1, 0))) AS pid, CONCAT('Practice ', seq) AS pname FROM seq_1_to_${ROWS}`);
  process.env.TR_PG_URL = pgUrl;
  process.env.TR_MY_URL = myUrl;
  process.env.TR_DEAD_URL = 'postgres://postgres@127.0.0.1:1/test';
});
afterAll(async () => {
  await pg?.raw(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await pg?.destroy();
  await my?.raw(`DROP DATABASE IF EXISTS \`${schema}\``);
  await my?.destroy();
  await t?.close();
});

function source(client: 'pg' | 'mysql2', urlEnv: string, over: Partial<DbSourceConfig> = {}): DbSourceConfig {
  const table = client === 'pg' ? `${schema}.practices` : 'practices';
  return { ...(sourceSchema.parse({ name: 'partner', kind: 'db', client, urlEnv, table, mapping: MAPPING }) as DbSourceConfig), retryBaseMs: 50, ...over };
}

/** Kills the import's connection once, while its query is running, within 20 s. */
async function killOnce(client: 'pg' | 'mysql2'): Promise<boolean> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (client === 'pg') {
      const r = await pg.raw(`SELECT pg_terminate_backend(pid) AS k FROM pg_stat_activity WHERE application_name = 'updox-sync import' AND query LIKE 'FETCH%' AND state = 'active'`);
      if (r.rows.length) return true;
    } else {
      const [rows] = await my.raw(`SELECT id FROM information_schema.processlist WHERE db = ? AND info LIKE 'SELECT%practices%' AND id <> CONNECTION_ID()`, [schema]);
      if (rows.length) {
        await my.raw(`KILL ${Number(rows[0].id)}`);
        return true;
      }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

describe('a partner connection dropped mid-stream is retried, not treated as bad input', () => {
  for (const client of ['pg', 'mysql2'] as const) {
    it(`${client}: the read starts again and every row is staged once`, async () => {
      const runId = await t.newRun();
      const killed = killOnce(client);
      const result = await importRoster(t.app.deps, { runId, source: source(client, client === 'pg' ? 'TR_PG_URL' : 'TR_MY_URL', { attempts: 3 }) });
      expect(await killed).toBe(true);
      expect(result.stats).toMatchObject({ read: ROWS, valid: ROWS, quarantined: 0 });
      const [{ n, d }] = await t.tdb.db('roster_rows').where({ run_id: runId }).select(t.tdb.db.raw('count(*)::int AS n, count(DISTINCT external_id)::int AS d'));
      expect({ n, d }).toEqual({ n: ROWS, d: ROWS });
    });
  }

  it('a database that never answers fails as retryable after the configured attempts', async () => {
    const runId = await t.newRun();
    const t0 = Date.now();
    const err = await importRoster(t.app.deps, { runId, source: source('pg', 'TR_DEAD_URL', { attempts: 3, retryBaseMs: 20 }) }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(SyncError);
    expect((err as SyncError).code).toBe('IMPORT_DB_UNREACHABLE');
    expect((err as SyncError).kind).toBe('retryable');
    expect((err as SyncError).details.attempts).toBe(3);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it('a query problem is not retried', async () => {
    const runId = await t.newRun();
    const err = await importRoster(t.app.deps, { runId, source: source('pg', 'TR_PG_URL', { attempts: 3, table: undefined, query: `SELECT nope FROM ${schema}.practices` }) }).then(() => null, (e: unknown) => e);
    expect((err as SyncError).code).toBe('IMPORT_DB_QUERY_FAILED');
    expect((err as SyncError).details.attempts).toBe(1);
  });
});
