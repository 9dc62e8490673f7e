/**
 * Chaos: processes killed mid-apply. A worker SIGKILLed twice during the nightly flow's apply, and
 * the `sync` command SIGKILLed during its apply; in both, a worker's supervisor finishes the run
 * without a human. Real worker and CLI processes, the shared Postgres (a database of its own), a
 * Redis server of its own, the simulator over HTTP.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createKnex, type Knex } from '../../../src/db/knex';
import { createTestDatabase, type TestDatabase } from '../../helpers/pg';
import { testPrefix } from '../../helpers/redis';
import { chaosEnv, chaosSetup, checkEndState, cli, countWhere, inFlightNow, waitFor, worker, type ChaosSetup, type Proc } from './harness';
import { startOwnRedis, type OwnRedis } from './services';

const N = 240;
let redis: OwnRedis;
let tdb: TestDatabase;
let db: Knex;
let s: ChaosSetup;
const procs: Proc[] = [];

beforeAll(async () => {
  redis = await startOwnRedis();
  tdb = await createTestDatabase();
  db = createKnex(tdb.url, { min: 0, max: 4 });
  s = await chaosSetup(N);
}, 60_000);
afterAll(async () => {
  for (const p of procs) await p.kill();
  await db?.destroy();
  await s?.sim.close();
  await tdb?.drop();
  await redis?.stop();
});
beforeEach(async () => {
  await s.admin.request('POST', '/_sim/reset', {});
  await db.raw('TRUNCATE runs, practices CASCADE');
});

const succeeded = () => countWhere(db, 'sync_actions', { status: 'succeeded' });
const start = (p: Proc) => { procs.push(p); return p; };

async function enqueueNightly(prefix: string): Promise<void> {
  const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
  const q = new Queue('sync', { connection, prefix });
  await q.add('nightly', { source: 'chaos', trigger: 'test' });
  await q.close();
  connection.disconnect();
}

describe('chaos: killed processes', () => {
  it('a worker SIGKILLed twice mid-apply: the run and the night\'s partner steps still finish, each account written once', async () => {
    const env = chaosEnv(s, { databaseUrl: tdb.url, redisUrl: redis.url, prefix: testPrefix('chaos-kill') });
    const inFlight = new Set<string>();
    let w = start(worker(env));
    await enqueueNightly(env.QUEUE_PREFIX!);
    for (const atLeast of [N / 6, N / 2]) {
      await waitFor(`${atLeast} applied`, async () => (await succeeded()) >= atLeast, 90_000);
      for (const a of await inFlightNow(db)) inFlight.add(a);
      await w.kill('SIGKILL');
      for (const a of await inFlightNow(db)) inFlight.add(a);
      w = start(worker(env));
    }
    await waitFor('the partner steps', async () => (await db('runs').where({ kind: 'partner', status: 'succeeded' }).first()) !== undefined, 120_000, 250);
    const runs = await checkEndState(db, s, { inFlight, partner: true });
    const sync = runs.find((r) => r.kind === 'sync')!;
    expect(sync.status).toBe('succeeded');
    expect(sync.takeovers).toBeGreaterThanOrEqual(1);
    await w.kill('SIGTERM');
  }, 300_000);

  it('the sync command SIGKILLed mid-apply: a worker takes the run over and finishes it', async () => {
    const env = chaosEnv(s, { databaseUrl: tdb.url, redisUrl: redis.url, prefix: testPrefix('chaos-sync') });
    const w = start(worker(env));
    const sync = start(cli(env, ['sync', '--source', 'chaos', '--no-audit']));
    await waitFor('a third applied', async () => (await succeeded()) >= N / 3, 90_000);
    const inFlight = new Set(await inFlightNow(db));
    await sync.kill('SIGKILL');
    for (const a of await inFlightNow(db)) inFlight.add(a);
    await waitFor('the run to finish', async () => (await db('runs').where({ kind: 'sync', status: 'succeeded' }).first()) !== undefined, 120_000, 250);
    const runs = await checkEndState(db, s, { inFlight });
    expect(runs.find((r) => r.kind === 'sync')).toMatchObject({ status: 'succeeded', takeovers: 1 });
    await w.kill('SIGTERM');
  }, 240_000);
});
