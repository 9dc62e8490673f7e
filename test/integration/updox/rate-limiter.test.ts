/**
 * The Redis limiter alone, on real Redis: even spacing, the shared in-flight cap, lease expiry,
 * adaptive decrease and recovery, abort.
 */
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../../src/updox/rate-limiter';
import { deleteKeys, TEST_REDIS_URL, testPrefix } from '../../helpers/redis';

const prefix = testPrefix('limiter');
const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
let n = 0;
const key = () => `${prefix}:${n++}`;
afterAll(async () => {
  await deleteKeys(prefix);
  redis.disconnect();
});

describe('rate limiter', () => {
  it('spaces requests evenly at the configured rate, across two limiters sharing a key', async () => {
    const k = key();
    const a = createRateLimiter(redis, { key: k, requestsPerSecond: 50, maxInFlight: 100, leaseMs: 5000 });
    const b = createRateLimiter(redis, { key: k, requestsPerSecond: 50, maxInFlight: 100, leaseMs: 5000 });
    const times: number[] = [];
    const t0 = performance.now();
    await Promise.all(Array.from({ length: 40 }, async (_, i) => {
      const release = await (i % 2 ? a : b).acquire();
      times.push(performance.now() - t0);
      await release();
    }));
    times.sort((x, y) => x - y);
    // 40 slots 20 ms apart: the i-th grant never comes before i × 20 ms (a late timer can only
    // delay a grant, never move another one earlier), and the last one near 780 ms.
    times.forEach((t, i) => expect(t).toBeGreaterThanOrEqual(i * 20 - 2));
    expect(times[39]!).toBeLessThan(1100);
    expect(a.stats().acquired + b.stats().acquired).toBe(40);
  });

  it('never lets more than maxInFlight permits out at once', async () => {
    const k = key();
    const limiters = [0, 1, 2].map(() => createRateLimiter(redis, { key: k, requestsPerSecond: 1000, maxInFlight: 2, leaseMs: 5000 }));
    let current = 0;
    let peak = 0;
    await Promise.all(Array.from({ length: 12 }, async (_, i) => {
      const release = await limiters[i % 3]!.acquire();
      current++;
      peak = Math.max(peak, current);
      await new Promise((r) => setTimeout(r, 25));
      current--;
      await release();
    }));
    expect(peak).toBe(2);
    expect(await redis.zcard(`${k}:inflight`)).toBe(0);
  });

  it('reclaims a permit whose holder never released it once the lease expires', async () => {
    const k = key();
    const crashed = createRateLimiter(redis, { key: k, requestsPerSecond: 1000, maxInFlight: 1, leaseMs: 300 });
    await crashed.acquire(); // never released: a crashed process
    const other = createRateLimiter(redis, { key: k, requestsPerSecond: 1000, maxInFlight: 1, leaseMs: 300 });
    const t0 = performance.now();
    await other.acquire();
    const waited = performance.now() - t0;
    expect(waited).toBeGreaterThan(200);
    expect(waited).toBeLessThan(1500);
  });

  it('lowers the shared rate on penalize, once per cooldown, never below the floor', async () => {
    const opts = { key: key(), requestsPerSecond: 100, maxInFlight: 10, leaseMs: 5000, cooldownMs: 150, recoverySharePerSecond: 0.001, floorShare: 0.2 };
    const a = createRateLimiter(redis, opts);
    const b = createRateLimiter(redis, opts);
    expect(await a.penalize()).toBeCloseTo(50, 0);
    expect(await b.penalize()).toBeCloseTo(50, 0); // within the cooldown: one burst of errors counts once
    await new Promise((r) => setTimeout(r, 200));
    expect(await b.penalize()).toBeCloseTo(25, 0); // shared: b's cut starts from a's
    for (let i = 0; i < 3; i++) { await new Promise((r) => setTimeout(r, 200)); await a.penalize(); }
    expect(a.stats().effectiveRps).toBeCloseTo(20, 0); // the floor, 0.2 × 100
    const release = await b.acquire();
    await release();
    expect(b.stats().effectiveRps).toBeCloseTo(20, 0); // acquires see the shared, lowered rate
  });

  it('recovers linearly back to the configured rate by itself', async () => {
    const l = createRateLimiter(redis, { key: key(), requestsPerSecond: 100, maxInFlight: 10, leaseMs: 5000, recoverySharePerSecond: 1 });
    expect(await l.penalize()).toBeLessThan(52);
    await new Promise((r) => setTimeout(r, 200));
    await (await l.acquire())();
    expect(l.stats().effectiveRps).toBeGreaterThan(60); // +100/s per second for ~0.2 s
    expect(l.stats().effectiveRps).toBeLessThan(100);
    await new Promise((r) => setTimeout(r, 600));
    await (await l.acquire())();
    expect(l.stats().effectiveRps).toBe(100);
  });

  it('pushes the shared schedule back by a Retry-After pause', async () => {
    const k = key();
    const l = createRateLimiter(redis, { key: k, requestsPerSecond: 100, maxInFlight: 10, leaseMs: 5000 });
    await l.penalize({ pauseMs: 400 });
    const t0 = performance.now();
    await (await l.acquire())();
    expect(performance.now() - t0).toBeGreaterThan(350);
  });

  it('rejects with the signal reason on abort and gives the permit back', async () => {
    const k = key();
    const l = createRateLimiter(redis, { key: k, requestsPerSecond: 1, maxInFlight: 5, leaseMs: 5000 });
    await (await l.acquire())(); // next slot is 1 s away
    const ac = new AbortController();
    const p = l.acquire(ac.signal);
    setTimeout(() => ac.abort(new Error('stop')), 50);
    await expect(p).rejects.toThrow('stop');
    expect(await redis.zcard(`${k}:inflight`)).toBe(0);
    expect(l.stats().inFlight).toBe(0);
  });
});
