/**
 * Three client PROCESSES (child processes via tsx, bench/client-worker.ts) share one Redis limiter
 * key at 20 requests/s against a simulator enforcing 20/s: zero violations, and together they
 * reach close to 20/s (not 3 × 20).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureShared } from '../../../bench/client';
import { startSimulator } from '../../../src/simulator/index';
import { TEST_APP_ID, TEST_APP_PASSWORD } from '../../helpers/env';
import { TEST_REDIS_URL } from '../../helpers/redis';

let sim: Awaited<ReturnType<typeof startSimulator>>;
beforeAll(async () => {
  sim = await startSimulator({ applicationId: TEST_APP_ID, applicationPassword: TEST_APP_PASSWORD, port: 0, rateLimit: { requestsPerSecond: 20 } });
});
afterAll(async () => { await sim?.close(); });

describe('a global limit shared by three processes', () => {
  it('keeps 3 processes × 4 loops at 20 requests/s with zero violations', async () => {
    const seconds = 5;
    const run = await measureShared({
      simUrl: sim.url, baseUrl: sim.baseUrl, redisUrl: TEST_REDIS_URL, rps: 20, processes: 3, seconds,
      concurrency: 4, inFlight: 8, appId: TEST_APP_ID, appPassword: TEST_APP_PASSWORD,
    });
    expect(run.violations, JSON.stringify(run)).toBe(0);
    expect(run.outcomes).toEqual({ ok: run.calls }); // no 429 ever came back
    // Even spacing: at most 20 per second plus the first one of the window.
    expect(run.calls).toBeLessThanOrEqual(20 * seconds + 1);
    expect(run.achievedRps, JSON.stringify(run)).toBeGreaterThanOrEqual(18); // ≥ 90% here on a shared, busy machine; the bench measures the 95% target
  }, 60_000);
});
