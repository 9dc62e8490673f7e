/**
 * Fault injection, the rate limit and the counters over real HTTP with plain fetch.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../../src/simulator';
import { admin, appAuth, call, complete, start } from './sim-helper';

let sim: RunningSimulator;
beforeAll(async () => { sim = await start(); });
afterAll(async () => { await sim?.close(); });
beforeEach(async () => { await admin(sim, 'reset', {}); await admin(sim, 'rate-limit', { requestsPerSecond: 0 }); });

const setFaults = (faults: unknown[]) => admin(sim, 'faults', { faults });
const counters = async () => admin(sim, 'counters') as Promise<{
  total: number; requests: Record<string, Record<string, number>>; writesByAccount: Record<string, number>;
  maxRequestsPerSecond: number; rateLimitViolations: number; maxInFlight: number;
}>;
const practiceCount = async () => ((await admin(sim, 'state/practices')).practices as unknown[]).length;
const transportError = async (p: Promise<unknown>) => {
  try {
    await p;
    return null;
  } catch (err) {
    return err as Error;
  }
};

describe('faults', () => {
  it('answers an injected envelope with HTTP 200 and does not apply the request', async () => {
    await setFaults([{ method: 'PracticeSave', kind: 'envelope', code: 5110 }]);
    const a = await call(sim, 'PracticeSave/1.1', { ...complete('f1'), auth: appAuth });
    expect([a.status, a.json?.responseCode, a.json?.successful]).toEqual([200, 5110, false]);
    expect(await practiceCount()).toBe(0);
    expect((await call(sim, 'PingWithApplicationAuth', { auth: appAuth })).json?.responseCode).toBe(2000); // other methods untouched
  });

  it('answers 502/503/504 with a non-JSON body, and 429 with Retry-After and envelope 5000', async () => {
    for (const status of [502, 503, 504]) {
      await setFaults([{ kind: 'http', status }]);
      const a = await call(sim, 'PracticeSave/1.1', { ...complete('f2'), auth: appAuth });
      expect(a.status).toBe(status);
      expect(a.json).toBeNull();
    }
    await setFaults([{ kind: 'http', status: 429, retryAfterSec: 7 }]);
    const a = await call(sim, 'PracticeSave/1.1', { ...complete('f2'), auth: appAuth });
    expect([a.status, a.headers.get('retry-after'), a.json?.responseCode]).toEqual([429, '7', 5000]);
    expect(await practiceCount()).toBe(0);
    expect((await counters()).requests.PracticeSave).toEqual({ http502: 1, http503: 1, http504: 1, http429: 1 });
  });

  it('hangs until the client gives up, without applying', async () => {
    await setFaults([{ kind: 'hang' }]);
    const err = await transportError(call(sim, 'PracticeSave/1.1', { ...complete('f3'), auth: appAuth }, { signal: AbortSignal.timeout(300) }));
    expect(err?.name).toBe('TimeoutError');
    expect(await practiceCount()).toBe(0);
    expect((await counters()).requests.PracticeSave).toEqual({ hang: 1 });
  });

  it('hangs for ms then drops the connection', async () => {
    await setFaults([{ kind: 'hang', ms: 100 }]);
    const t0 = performance.now();
    const err = await transportError(call(sim, 'PracticeSave/1.1', { ...complete('f4'), auth: appAuth }));
    expect(err).toBeInstanceOf(TypeError);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(90);
  });

  it('resets the connection before applying', async () => {
    await setFaults([{ kind: 'reset' }]);
    const err = await transportError(call(sim, 'PracticeSave/1.1', { ...complete('f5'), auth: appAuth }));
    expect(err).toBeInstanceOf(TypeError);
    expect(await practiceCount()).toBe(0);
    expect((await counters()).requests.PracticeSave).toEqual({ reset: 1 });
  });

  it('applies a "lost" request and then drops the response', async () => {
    await setFaults([{ kind: 'lost' }]);
    const err = await transportError(call(sim, 'PracticeSave/1.1', { ...complete('f6'), auth: appAuth }));
    expect(err).toBeInstanceOf(TypeError);
    await admin(sim, 'faults', undefined, 'DELETE');
    expect(await practiceCount()).toBe(1);
    const c = await counters();
    expect(c.requests.PracticeSave).toEqual({ lost: 1 });
    expect(c.writesByAccount).toEqual({ f6: 1 });
  });

  it('adds latency and then answers normally', async () => {
    await setFaults([{ kind: 'latency', ms: 150, jitterMs: 50 }]);
    const t0 = performance.now();
    const a = await call(sim, 'PingWithApplicationAuth', { auth: appAuth });
    const ms = performance.now() - t0;
    expect(a.json?.responseCode).toBe(2000);
    expect(ms).toBeGreaterThanOrEqual(145);
  });

  it('fires a count-based fault on exactly the next N matching requests', async () => {
    await setFaults([{ method: 'practicesave', count: 2, kind: 'envelope', code: 5000 }]);
    const codes: unknown[] = [];
    for (let i = 0; i < 4; i++) codes.push((await call(sim, 'PracticeSave/1.1', { ...complete('f7'), auth: appAuth })).json?.responseCode);
    expect(codes).toEqual([5000, 5000, 2000, 2000]);
  });

  it('fires at a rate, repeatably for one seed', async () => {
    const run = async () => {
      const s = await start({ seed: 99, faults: [{ rate: 0.3, kind: 'envelope', code: 5100 }] });
      try {
        const out: number[] = [];
        for (let i = 0; i < 60; i++) out.push((await call(s, 'PingWithApplicationAuth', { auth: appAuth })).json?.responseCode as number);
        return out;
      } finally {
        await s.close();
      }
    };
    const a = await run();
    const hits = a.filter((c) => c === 5100).length;
    expect(hits).toBeGreaterThan(5);
    expect(hits).toBeLessThan(40);
    expect(await run()).toEqual(a);
  });

  it('refuses an invalid fault list naming the problem', async () => {
    const res = await fetch(`${sim.url}/_sim/faults`, { method: 'POST', body: JSON.stringify({ faults: [{ kind: 'http', status: 200 }] }) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toContain('faults[0].status');
  });
});

describe('rate limit and counters', () => {
  it('answers 429 + Retry-After + 5000 beyond the bucket and counts violations', async () => {
    await admin(sim, 'rate-limit', { requestsPerSecond: 5, burst: 5 });
    const answers = await Promise.all(Array.from({ length: 12 }, () => call(sim, 'PingWithApplicationAuth', { auth: appAuth })));
    const limited = answers.filter((a) => a.status === 429);
    expect(limited.length).toBeGreaterThanOrEqual(6);
    expect(limited[0]!.headers.get('retry-after')).toBe('1');
    expect(limited[0]!.json?.responseCode).toBe(5000);
    const c = await counters();
    expect(c.rateLimitViolations).toBe(limited.length);
    expect(c.requests.PingWithApplicationAuth!.http429).toBe(limited.length);
  });

  it('keeps the most requests in a sliding second, the most in flight, and writes per account', async () => {
    await setFaults([{ kind: 'latency', ms: 100 }]);
    await Promise.all(Array.from({ length: 8 }, (_, i) => call(sim, 'PracticeSave/1.1', { ...complete(`c${i % 2}`), auth: appAuth })));
    const c = await counters();
    expect(c.total).toBe(8);
    expect(c.maxRequestsPerSecond).toBe(8);
    expect(c.maxInFlight).toBeGreaterThanOrEqual(4);
    expect(c.writesByAccount).toEqual({ c0: 4, c1: 4 });
    expect(c.requests.PracticeSave).toEqual({ 2000: 8 });
    await admin(sim, 'counters/reset', {});
    expect(await counters()).toMatchObject({ total: 0, maxRequestsPerSecond: 0, writesByAccount: {} });
  });
});
