/**
 * Chaos: Redis killed and started again empty (no persistence) while the nightly run is importing,
 * planning, and applying. The queue is only transport: the worker reconnects, its supervisor
 * enqueues again the steps Redis lost (and the schedules), and the run and the night's partner
 * steps finish without a human. A Redis server of its own; the shared Postgres (a database of its own).
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Knex } from '../../../src/db/knex';
import { sleep } from '../../../src/time';
import { ownRedisWorld, checkEndState, countWhere, inFlightNow, waitFor, type ChaosSetup, type OwnRedisWorld } from './harness';
import type { OwnRedis } from './services';

const N = 200;
let world: OwnRedisWorld;
let redis: OwnRedis;
let db: Knex;
let s: ChaosSetup;
let env: Record<string, string>;

beforeAll(async () => {
  world = await ownRedisWorld(N, 'chaos-redis');
  ({ redis, db, s, env } = world);
}, 60_000);
afterAll(async () => world?.close());
beforeEach(async () => {
  await s.admin.request('POST', '/_sim/reset', {});
  await db.raw('TRUNCATE runs, practices CASCADE');
});

async function withQueue<T>(fn: (q: Queue) => Promise<T>): Promise<T> {
  const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
  const q = new Queue('sync', { connection, prefix: env.QUEUE_PREFIX });
  try {
    return await fn(q);
  } finally {
    await q.close();
    connection.disconnect();
  }
}

/** Starts the nightly, waits for the run to reach `status`, kills Redis and starts it again empty. */
async function loseRedisWhile(status: string, extra?: () => Promise<boolean>): Promise<Set<string>> {
  await withQueue((q) => q.add('nightly', { source: 'chaos', trigger: 'test' }));
  await waitFor(`the run ${status}`, async () => {
    const run = await db('runs').where({ kind: 'sync' }).first('status');
    return run?.status === status && (!extra || await extra());
  }, 120_000, 20);
  const inFlight = new Set(await inFlightNow(db));
  await redis.kill();
  await sleep(1_000);
  for (const a of await inFlightNow(db)) inFlight.add(a);
  await redis.start();
  return inFlight;
}

async function finished(): Promise<void> {
  await waitFor('the run and the partner steps', async () =>
    (await db('runs').where({ kind: 'partner', status: 'succeeded' }).first()) !== undefined, 150_000, 250);
  // The schedules Redis lost are registered again by the supervisor.
  const scheduled = await withQueue((q) => q.getJobScheduler('nightly:chaos'));
  expect(scheduled).toBeDefined();
}

describe('chaos: Redis lost and started again empty', () => {
  for (const status of ['importing', 'planning'] as const) {
    it(`while the run is ${status}`, async () => {
      const inFlight = await loseRedisWhile(status);
      await finished();
      const runs = await checkEndState(db, s, { inFlight, partner: true });
      // The flow's next step was lost with Redis: the supervisor enqueued it again.
      expect(runs.find((r) => r.kind === 'sync')).toMatchObject({ status: 'succeeded', takeovers: 1 });
    }, 240_000);
  }

  it('while the run is applying', async () => {
    const inFlight = await loseRedisWhile('applying', async () => (await countWhere(db, 'sync_actions', { status: 'succeeded' })) >= N / 4);
    await finished();
    const runs = await checkEndState(db, s, { inFlight, partner: true });
    expect(runs.find((r) => r.kind === 'sync')).toMatchObject({ status: 'succeeded' });
  }, 240_000);
});
