/** The rate limiter's own bounds (no Redis: they are checked before it touches one). */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Redis } from 'ioredis';
import { createRateLimiter, limiterOptionProblems, sleepWithSignal } from '../../../src/updox/rate-limiter';
import { ConfigError } from '../../../src/errors';

const base = { key: 'k', requestsPerSecond: 5, maxInFlight: 8, leaseMs: 60_000 };
afterEach(() => { vi.useRealTimers(); });

describe('rate limiter settings', () => {
  it.each([
    [{ requestsPerSecond: 1e-9 }, /requestsPerSecond: 1e-9 is outside 0.01–10000/],
    [{ requestsPerSecond: 0 }, /requestsPerSecond/],
    [{ requestsPerSecond: Number.NaN }, /requestsPerSecond/],
    [{ requestsPerSecond: Infinity }, /requestsPerSecond/],
    [{ maxInFlight: 0 }, /maxInFlight/],
    [{ maxInFlight: 2.5 }, /maxInFlight.*an integer/],
    [{ leaseMs: 2 ** 31 }, /leaseMs/],
    [{ decreaseFactor: 0 }, /decreaseFactor/],
    [{ cooldownMs: -1 }, /cooldownMs/],
  ])('refuses %j before touching Redis', (over, message) => {
    expect(limiterOptionProblems({ ...base, ...over }).join('\n')).toMatch(message);
    expect(() => createRateLimiter({} as Redis, { ...base, ...over })).toThrow(ConfigError);
  });
  it('names every problem at once', () => {
    expect(limiterOptionProblems({ ...base, requestsPerSecond: 0, maxInFlight: 0, leaseMs: 0 })).toHaveLength(3);
    expect(limiterOptionProblems(base)).toEqual([]);
  });
});

describe('sleepWithSignal', () => {
  it('a wait past setTimeout\'s range is slept in pieces, not turned into 1 ms', async () => {
    vi.useFakeTimers();
    let done = false;
    const p = sleepWithSignal(2 ** 31 + 60_000).then(() => { done = true; });
    await vi.advanceTimersByTimeAsync(10);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(2 ** 31 - 1);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(60_100);
    await p;
    expect(done).toBe(true);
  });
  it('an abort still ends it', async () => {
    const ac = new AbortController();
    const p = sleepWithSignal(2 ** 32, ac.signal);
    ac.abort(new Error('stop'));
    await expect(p).rejects.toThrow('stop');
  });
});
