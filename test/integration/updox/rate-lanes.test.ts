/**
 * Writes before reads on the one Redis limiter: polls running flat out are overtaken by writes,
 * keep their share meanwhile, take the whole rate back afterwards, and the two lanes together
 * never pass the global rate.
 */
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../../src/updox/rate-limiter';
import { deleteKeys, TEST_REDIS_URL, testPrefix } from '../../helpers/redis';

const prefix = testPrefix('lanes');
const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
afterAll(async () => {
  await deleteKeys(prefix);
  redis.disconnect();
});

describe('rate limiter lanes', () => {
  it('lets writes overtake polls, keeps the polls\' share and never exceeds the limit', async () => {
    const RPS = 40;
    const opts = { key: `${prefix}:a`, requestsPerSecond: RPS, maxInFlight: 8, leaseMs: 5000, readShare: 0.2 };
    // Two processes' worth of limiters on one key: one polls, one writes.
    const poller = createRateLimiter(redis, opts);
    const writer = createRateLimiter(redis, opts);
    const grants: Array<{ t: number; lane: 'read' | 'write' }> = [];
    const t0 = performance.now();
    let polling = true;
    const pollers = Array.from({ length: 12 }, async () => {
      while (polling) {
        const release = await poller.acquire(undefined, 'read');
        grants.push({ t: performance.now() - t0, lane: 'read' });
        await release();
      }
    });
    await new Promise((r) => setTimeout(r, 600)); // polls alone: the whole rate
    const writesFrom = performance.now() - t0;
    await Promise.all(Array.from({ length: 40 }, async () => {
      const release = await writer.acquire(undefined, 'write');
      grants.push({ t: performance.now() - t0, lane: 'write' });
      await release();
    }));
    const writesTo = performance.now() - t0;
    await new Promise((r) => setTimeout(r, 600)); // writes done: polls take the whole rate back
    polling = false;
    await Promise.all(pollers);
    const end = performance.now() - t0;

    const during = grants.filter((g) => g.t >= writesFrom && g.t <= writesTo);
    const writeShare = during.filter((g) => g.lane === 'write').length / during.length;
    // 40 writes at ~80% of 40/s take about 1.25 s; polls queued ahead of them would have taken half.
    expect(writeShare).toBeGreaterThan(0.65);
    expect(writeShare).toBeLessThan(0.95); // the polls kept their share
    expect(writesTo - writesFrom).toBeLessThan(4000);
    const after = grants.filter((g) => g.t > writesTo + 100 && g.t < end - 50 && g.lane === 'read').length;
    expect(after / ((end - 50 - writesTo - 100) / 1000)).toBeGreaterThan(RPS * 0.7);
    // Never past the limit: over the whole run at most RPS a second, and in any 1 s window at most
    // RPS + 3 (a grant is timed when its timer fires, which on a loaded machine can be late and
    // bunch it with the next ones; the schedule itself spaces the slots exactly).
    expect(grants.length).toBeLessThanOrEqual(Math.ceil((end / 1000) * RPS) + 1);
    const times = grants.map((g) => g.t).sort((a, b) => a - b);
    let worst = 0;
    for (let i = 0, j = 0; i < times.length; i++) {
      while (times[i]! - times[j]! >= 1000) j++;
      worst = Math.max(worst, i - j + 1);
    }
    expect(worst).toBeLessThanOrEqual(RPS + 3);
  }, 30_000);
});
