/**
 * The adaptive limiter against the simulator (slows down on 429, shared by every client on the key,
 * recovers by itself), and the logs: per-attempt debug lines, request bodies without `auth`, and
 * no secret anywhere, errors included.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_APP_PASSWORD } from '../../helpers/env';
import { practice, startHarness, type Harness } from './client-helper';

const HMAC_SECRET = 'hmac-Secret-for-logs-42';
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ hmacSecret: HMAC_SECRET }, 'adaptive');
  await h.client({ hmacSecret: HMAC_SECRET }).practiceSave(practice('a-acc'));
});
afterAll(async () => { await h?.close(); });

const timeCalls = async (fn: () => Promise<unknown>, n: number) => {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn();
  return performance.now() - t0;
};

describe('adaptive rate', () => {
  it('halves the shared rate on a 429, for every client on the key, and spaces calls accordingly', async () => {
    const key = `${h.prefix}:shared`;
    const opts = { hmacSecret: HMAC_SECRET, requestsPerSecond: 20 };
    const a = h.client(opts, { limiterKey: key, limiter: { recoverySharePerSecond: 0.01 } });
    const b = h.client(opts, { limiterKey: key, limiter: { recoverySharePerSecond: 0.01 } });
    const baseline = await timeCalls(() => b.practiceGet('a-acc'), 6); // 20/s → 5 gaps of 50 ms
    await h.faults({ method: 'PracticeGet', kind: 'http', status: 429, retryAfterSec: 0, count: 1 });
    expect(await a.practiceGet('a-acc')).toMatchObject({ outcome: 'ok', attempts: 2 });
    expect(a.stats().limiter.effectiveRps).toBeLessThan(11);
    const slowed = await timeCalls(() => b.practiceGet('a-acc'), 6); // ~10/s → 5 gaps of ~100 ms
    expect(b.stats().limiter.effectiveRps).toBeLessThan(11);
    expect(baseline).toBeLessThan(400);
    expect(slowed).toBeGreaterThan(430);
  });

  it('recovers to the configured rate by itself', async () => {
    const key = `${h.prefix}:recover`;
    const c = h.client({ hmacSecret: HMAC_SECRET, requestsPerSecond: 20 }, { limiterKey: key, limiter: { recoverySharePerSecond: 1 } });
    await h.faults({ method: 'PracticeGet', kind: 'http', status: 503, count: 1 });
    await c.practiceGet('a-acc');
    expect(c.stats().limiter.effectiveRps).toBeLessThan(11);
    await new Promise((r) => setTimeout(r, 700));
    await c.practiceGet('a-acc');
    expect(c.stats().limiter.effectiveRps).toBe(20);
  });
});

describe('logs', () => {
  it('write one debug line per attempt, request bodies without auth, and never a secret', async () => {
    const c = h.client({ hmacSecret: HMAC_SECRET });
    await c.practiceSave(practice('a-log'));
    await h.faults({ method: 'PracticeGet', kind: 'envelope', code: 5000, count: 1 });
    await c.practiceGet('a-log');
    await h.faults({ method: 'PracticeList', kind: 'reset', count: 1 }, { method: 'SmsSend', kind: 'http', status: 503 });
    await c.practiceList();
    await c.smsSend('a-log', 'u1', { to: '6145550199', message: 'hi' });
    await h.client({ hmacSecret: HMAC_SECRET, applicationPassword: 'Wrong-Password-77' }).practiceList(); // 4010
    await h.client({ hmacSecret: 'Wrong-Hmac-Secret-88' }).practiceList(); // 4014
    await h.client({ baseUrl: 'http://127.0.0.1:1/api/io', hmacSecret: HMAC_SECRET, maxRetries: 0 }).ping('application'); // refused
    await h.admin('DELETE', '/_sim/faults');

    const all = h.logLines.join('\n');
    for (const secret of [TEST_APP_PASSWORD, HMAC_SECRET, 'Wrong-Password-77', 'Wrong-Hmac-Secret-88']) expect(all).not.toContain(secret);
    expect(all).not.toContain('"auth"');
    const lines = h.logLines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const calls = lines.filter((l) => l.msg === 'updox call');
    expect(calls.find((l) => l.updoxMethod === 'PracticeGet' && l.accountId === 'a-log' && l.attempt === 2 && l.code === 2000)).toMatchObject({ level: 20, outcome: 'ok' });
    expect(calls.find((l) => l.updoxMethod === 'PracticeGet' && l.accountId === 'a-log' && l.attempt === 1)).toMatchObject({ code: 5000, outcome: 'retryable' });
    expect(calls.some((l) => l.updoxMethod === 'PracticeList' && l.reason === 'UPDOX_CONNECTION_RESET')).toBe(true);
    expect(calls.some((l) => l.code === 4010 && l.outcome === 'halt')).toBe(true);
    expect(calls.every((l) => typeof l.ms === 'number')).toBe(true);
    const request = lines.find((l) => l.msg === 'updox request' && l.accountId === 'a-log' && l.updoxMethod === 'PracticeSave');
    expect(request?.request).toMatchObject({ accountId: 'a-log', name: 'Practice a-log', active: true });
  });
});
