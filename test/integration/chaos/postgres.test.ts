/**
 * Chaos: Postgres restarted (fast) and then stopped for 60 s (CHAOS_PG_DOWN_MS) in the middle of the
 * nightly apply, with one worker and with two. Outbox claims belong to one attempt, so nothing a
 * dead attempt claimed stays claimed; the supervisor takes the run over once Postgres is back; the
 * run and the night's partner steps finish without a human. A Postgres cluster of its own (initdb)
 * and a Redis server of its own.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createKnex, migrateLatest, type Knex } from '../../../src/db/knex';
import { sleep } from '../../../src/time';
import { testPrefix } from '../../helpers/redis';
import { chaosEnv, chaosSetup, checkEndState, countWhere, inFlightNow, waitFor, worker, type ChaosSetup, type Proc } from './harness';
import { startOwnPostgres, startOwnRedis, type OwnPostgres, type OwnRedis } from './services';

const N = 240;
const DOWN_MS = Number(process.env.CHAOS_PG_DOWN_MS ?? 60_000);
let redis: OwnRedis;
let pg: OwnPostgres;
let db: Knex;
let s: ChaosSetup;
const procs: Proc[] = [];

beforeAll(async () => {
  redis = await startOwnRedis();
  pg = await startOwnPostgres();
  db = createKnex(pg.url('chaos'), { min: 0, max: 4 });
  await migrateLatest(db);
  s = await chaosSetup(N);
}, 120_000);
afterAll(async () => {
  for (const p of procs) await p.kill();
  await db?.destroy();
  await s?.sim.close();
  pg?.destroy();
  await redis?.stop();
});
beforeEach(async () => {
  await s.admin.request('POST', '/_sim/reset', {});
  await db.raw('TRUNCATE runs, practices CASCADE');
});

const succeeded = () => countWhere(db, 'sync_actions', { status: 'succeeded' });

for (const workers of [1, 2]) {
  describe(`chaos: Postgres restarted and stopped mid-apply, ${workers} worker(s)`, () => {
    it('finishes the run and the partner steps, each account written once (twice at most if in flight)', async () => {
      const env = chaosEnv(s, { databaseUrl: pg.url('chaos'), redisUrl: redis.url, prefix: testPrefix('chaos-pg'), rps: 30 });
      for (let i = 0; i < workers; i++) procs.push(worker(env));
      const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
      const q = new Queue('sync', { connection, prefix: env.QUEUE_PREFIX });
      await q.add('nightly', { source: 'chaos', trigger: 'test' });
      await q.close();
      connection.disconnect();
      const inFlight = new Set<string>();
      const note = async () => { for (const a of await inFlightNow(db)) inFlight.add(a); };

      await waitFor('a fifth applied', async () => (await succeeded()) >= N / 5, 120_000, 50);
      await note();
      pg.restartFast();
      await waitFor('Postgres back', async () => (await db.raw('SELECT 1')) !== undefined, 30_000);
      await note();

      await waitFor('half applied', async () => (await succeeded()) >= N / 2, 120_000, 50);
      await note();
      pg.stop();
      await sleep(DOWN_MS);
      pg.start();
      await waitFor('Postgres back', async () => (await db.raw('SELECT 1')) !== undefined, 30_000);
      await note();

      await waitFor('the partner steps', async () => (await db('runs').where({ kind: 'partner', status: 'succeeded' }).first()) !== undefined, 180_000, 250);
      const runs = await checkEndState(db, s, { inFlight, partner: true });
      expect(runs.find((r) => r.kind === 'sync')).toMatchObject({ status: 'succeeded' });
      expect(await countWhere(db, 'sync_actions', { status: 'in_flight' })).toBe(0);
      for (const p of procs.splice(0)) await p.kill('SIGTERM');
    }, 420_000);
  });
}
