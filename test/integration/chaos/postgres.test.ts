/**
 * Chaos: Postgres restarted (fast) and then stopped for 60 s (CHAOS_PG_DOWN_MS) in the middle of the
 * nightly apply, with one worker and with two, at once: two partners (a database, a Redis prefix and
 * a simulator each) on one Postgres cluster of its own, one served by one worker, the other by two,
 * so the one restart and the one outage hit both. Outbox claims belong to one attempt, so nothing a
 * dead attempt claimed stays claimed; the supervisor takes the runs over once Postgres is back; the
 * runs and the nights' partner steps finish without a human. A Redis server of its own.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKnex, migrateLatest, type Knex } from '../../../src/db/knex';
import { sleep } from '../../../src/time';
import { testPrefix } from '../../helpers/redis';
import { chaosEnv, chaosSetup, checkEndState, countWhere, inFlightNow, waitFor, worker, type ChaosSetup, type Proc } from './harness';
import { startOwnPostgres, startOwnRedis, type OwnPostgres, type OwnRedis } from './services';

const N = 240;
const DOWN_MS = Number(process.env.CHAOS_PG_DOWN_MS ?? 60_000);
let redis: OwnRedis;
let cluster: OwnPostgres;
const procs: Proc[] = [];

interface Partner { workers: number; db: Knex; s: ChaosSetup; env: Record<string, string>; inFlight: Set<string> }
const partners: Partner[] = [];

beforeAll(async () => {
  redis = await startOwnRedis();
  cluster = await startOwnPostgres();
  for (const workers of [1, 2]) {
    const name = `chaos_${workers}`;
    const c = new pg.Client({ connectionString: cluster.url('postgres') });
    await c.connect();
    await c.query(`CREATE DATABASE ${name}`);
    await c.end();
    const db = createKnex(cluster.url(name), { min: 0, max: 3 });
    await migrateLatest(db);
    const s = await chaosSetup(N);
    const env = chaosEnv(s, { databaseUrl: cluster.url(name), redisUrl: redis.url, prefix: testPrefix(`chaos-pg${workers}`), rps: 30 });
    partners.push({ workers, db, s, env, inFlight: new Set() });
  }
}, 120_000);
afterAll(async () => {
  for (const p of procs) await p.kill();
  for (const p of partners) { await p.db.destroy(); await p.s.sim.close(); }
  cluster?.destroy();
  await redis?.stop();
});

const succeeded = (p: Partner) => countWhere(p.db, 'sync_actions', { status: 'succeeded' });
const note = async () => { for (const p of partners) for (const a of await inFlightNow(p.db)) p.inFlight.add(a); };
const back = () => waitFor('Postgres back', async () => (await partners[0]!.db.raw('SELECT 1')) !== undefined, 30_000);

describe('chaos: Postgres restarted and stopped mid-apply, with one worker and with two', () => {
  it('finishes every run and the partner steps, each account written once (twice at most if in flight)', async () => {
    for (const p of partners) {
      for (let i = 0; i < p.workers; i++) procs.push(worker(p.env));
      const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
      const q = new Queue('sync', { connection, prefix: p.env.QUEUE_PREFIX });
      await q.add('nightly', { source: 'chaos', trigger: 'test' });
      await q.close();
      connection.disconnect();
    }
    const all = async (atLeast: number) => (await Promise.all(partners.map(succeeded))).every((n) => n >= atLeast);

    await waitFor('a fifth applied', () => all(N / 5), 150_000, 50);
    await note();
    cluster.restartFast();
    await back();
    await note();

    await waitFor('half applied', () => all(N / 2), 150_000, 50);
    await note();
    cluster.stop();
    await sleep(DOWN_MS);
    cluster.start();
    await back();
    await note();

    for (const p of partners) {
      await waitFor(`the partner steps (${p.workers} worker(s))`, async () => (await p.db('runs').where({ kind: 'partner', status: 'succeeded' }).first()) !== undefined, 180_000, 250);
      const runs = await checkEndState(p.db, p.s, { inFlight: p.inFlight, partner: true });
      expect(runs.find((r) => r.kind === 'sync')).toMatchObject({ status: 'succeeded' });
      expect(await countWhere(p.db, 'sync_actions', { status: 'in_flight' })).toBe(0);
    }
    for (const p of procs.splice(0)) await p.kill('SIGTERM');
  }, 480_000);
});
