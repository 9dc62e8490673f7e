import { describe, expect, it } from 'vitest';
import { addBusinessDays, formatVendorTime } from '../../../src/simulator/clock';
import { Counters } from '../../../src/simulator/counters';
import { FaultSet, faultProblems } from '../../../src/simulator/faults';
import { mulberry32 } from '../../../src/simulator/prng';
import { RateLimiter } from '../../../src/simulator/rate-limit';
import { route } from '../../../src/simulator/router';

describe('routing (A1)', () => {
  const cases: [string, string][] = [
    ['/api/io/PracticeSave', 'contract PracticeSave null'],
    ['/io/practicesave', 'contract PracticeSave null'],
    ['/API/IO/PRACTICESAVE/1.1', 'contract PracticeSave 1.1'],
    ['/api/io/PracticeSave/1.1/', 'contract PracticeSave 1.1'],
    ['/api/io/Ping?x=1', 'contract Ping null'],
    ['/api/io/PracticeSave/2.0', 'unknown-version'],
    ['/api/io/Ping/1.1', 'unknown-version'],
    ['/api/io/NoSuchMethod', 'unknown-method'],
    ['/_sim/counters', 'admin'],
    ['/api/PracticeSave', 'not-found'],
    ['/', 'not-found'],
  ];
  it.each(cases)('%s → %s', (url, expected) => {
    const r = route(url);
    const got = r.kind === 'contract' ? `contract ${r.method.name} ${r.version}` : r.kind;
    expect(got).toBe(expected);
  });
});

describe('faults', () => {
  it('fires a count-based fault on exactly the next N matching requests', () => {
    const f = new FaultSet(mulberry32(1), [{ method: 'practicesave', count: 2, kind: 'envelope', code: 5000 }]);
    expect(f.pick('PracticeGet').fault).toBeNull();
    expect(f.pick('PracticeSave').fault).toMatchObject({ code: 5000 });
    expect(f.pick('PracticeSave').fault).toMatchObject({ code: 5000 });
    expect(f.pick('PracticeSave').fault).toBeNull();
  });

  it('fires a rate-based fault at about its rate, the same way for the same seed', () => {
    const run = () => {
      const f = new FaultSet(mulberry32(42), [{ rate: 0.25, kind: 'reset' }]);
      return Array.from({ length: 4000 }, () => (f.pick('Ping').fault ? 1 : 0));
    };
    const a = run();
    const hits = a.reduce((s: number, x) => s + x, 0);
    expect(hits).toBeGreaterThan(850);
    expect(hits).toBeLessThan(1150);
    expect(run()).toEqual(a);
  });

  it('adds every matching latency and keeps the first other fault', () => {
    const f = new FaultSet(mulberry32(1), [
      { kind: 'latency', ms: 10 }, { kind: 'latency', ms: 5, method: 'Ping' },
      { kind: 'http', status: 503 }, { kind: 'hang' },
    ]);
    const c = f.pick('Ping');
    expect(c.latencyMs).toBe(15);
    expect(c.fault).toMatchObject({ kind: 'http', status: 503 });
  });

  it('names every problem in a fault list', () => {
    expect(faultProblems([{ kind: 'boom' }, { kind: 'http' }, { kind: 'latency', rate: 2 }])).toEqual([
      'faults[0].kind: must be one of envelope, http, hang, reset, lost, latency',
      'faults[1].status: required, an HTTP status 400–599',
      'faults[2].rate: must be between 0 and 1',
      'faults[2].ms: required, ≥ 0',
    ]);
    expect(faultProblems('x')).toEqual(['faults: must be an array']);
  });
});

describe('the token bucket (A13)', () => {
  it('admits a burst, then the refill rate, per applicationId', () => {
    const rl = new RateLimiter({ requestsPerSecond: 10 });
    const admitted = (app: string, t: number, n: number) => Array.from({ length: n }, () => rl.admit(app, t).ok).filter(Boolean).length;
    expect(admitted('a', 0, 15)).toBe(10);
    expect(rl.admit('a', 0)).toEqual({ ok: false, retryAfterSec: 1 });
    expect(admitted('b', 0, 3)).toBe(3);
    expect(admitted('a', 500, 10)).toBe(5);
  });

  it('is off at 0 requests per second', () => {
    const rl = new RateLimiter({ requestsPerSecond: 0 });
    expect(Array.from({ length: 1000 }, () => rl.admit('a', 0).ok).every(Boolean)).toBe(true);
  });
});

describe('counters', () => {
  it('keeps the most requests seen in any sliding one-second window and the most in flight', () => {
    const c = new Counters();
    for (const t of [0, 100, 200, 900, 1150, 1199, 1250, 2500]) { c.arrive(t); c.depart(); }
    // The window is (t − 1000, t]: at 1199 it holds 200, 900, 1150, 1199; never more than 4.
    expect(c.maxRequestsPerSecond).toBe(4);
    c.arrive(3000); c.arrive(3000); c.arrive(3000);
    expect(c.snapshot()).toMatchObject({ total: 11, maxInFlight: 3, inFlight: 3 });
  });
});

describe('the simulator clock helpers', () => {
  it('counts business days over a weekend', () => {
    const fri = Date.parse('2026-11-27T10:00:00Z');
    expect(new Date(addBusinessDays(fri, 2)).toISOString()).toBe('2026-12-01T10:00:00.000Z');
    expect(formatVendorTime(fri)).toBe('2026-11-27 10:00:00');
  });
});
