/**
 * Chaos: Redis starts refusing every client (a password set on the server) while the nightly run
 * is planning, and accepts them again a few seconds later. The worker says so in its log, one
 * structured line per queue and error at most every 30 s (never BullMQ's raw stacks), keeps
 * trying, and the run and the night's partner steps finish once Redis accepts it again.
 * A Redis server of its own; the shared Postgres (a database of its own).
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from '../../../src/db/knex';
import { sleep } from '../../../src/time';
import { ownRedisWorld, checkEndState, inFlightNow, waitFor, type ChaosSetup, type Proc, type OwnRedisWorld } from './harness';
import type { OwnRedis } from './services';

const N = 60;
const PASSWORD = 'refuse-everyone';
let world: OwnRedisWorld;
let redis: OwnRedis;
let db: Knex;
let s: ChaosSetup;
let w: Proc;
let env: Record<string, string>;

beforeAll(async () => {
  // A slow rate keeps the run in its steps while Redis refuses.
  world = await ownRedisWorld(N, 'chaos-refuse', { rps: 20 });
  ({ redis, db, s, w, env } = world);
}, 60_000);
afterAll(async () => world?.close());

/** Everything the worker writes from now on. */
function capture(): () => string {
  let text = '';
  const add = (d: Buffer) => { text += d.toString(); };
  w.child.stdout!.on('data', add);
  w.child.stderr!.on('data', add);
  return () => text;
}

describe('chaos: Redis refuses the worker for a while', () => {
  it('logs one structured line per queue and error, never a raw stack, and the run finishes once Redis accepts it again', async () => {
    const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    const q = new Queue('sync', { connection, prefix: env.QUEUE_PREFIX });
    await q.add('nightly', { source: 'chaos', trigger: 'test' });
    await q.close();
    connection.disconnect();
    await waitFor('the run applying', async () => (await db('runs').where({ kind: 'sync' }).first('status'))?.status === 'applying', 120_000, 20);
    const inFlight = new Set(await inFlightNow(db));
    const written = capture();

    const admin = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    await admin.config('SET', 'requirepass', PASSWORD);
    await admin.call('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
    await sleep(6_000);
    for (const a of await inFlightNow(db)) inFlight.add(a);
    await admin.config('SET', 'requirepass', '');
    admin.disconnect();

    await waitFor('the run and the partner steps', async () =>
      (await db('runs').where({ kind: 'partner', status: 'succeeded' }).first()) !== undefined, 150_000, 250);
    const runs = await checkEndState(db, s, { inFlight, partner: true });
    expect(runs.find((r) => r.kind === 'sync')).toMatchObject({ status: 'succeeded' });

    const out = written();
    expect(out).not.toMatch(/ReplyError|^\s+at /m);
    const lines = out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    const refused = lines.filter((l) => typeof l.err === 'string' && (l.err as string).includes('NOAUTH'));
    expect(refused.some((l) => l.msg === 'worker error')).toBe(true);
    expect(refused.some((l) => l.msg === 'queue error')).toBe(true);
    // Within the 6 s refusal, each queue, worker and client logged its error once (the next line
    // would come 30 s on), not once per reconnection attempt or per call. The supervisor's tick
    // (every 500 ms here) logs each failed tick.
    const per = new Map<string, number>();
    for (const l of refused.filter((x) => x.msg !== 'supervisor tick failed')) {
      const key = `${String(l.msg)} ${String(l.queue ?? l.producer ?? '')}`;
      per.set(key, (per.get(key) ?? 0) + 1);
    }
    expect(per.get('updox limiter unavailable ')).toBe(1);
    expect(Math.max(...per.values())).toBe(1);
    expect(w.child.exitCode).toBeNull();
  }, 240_000);
});
