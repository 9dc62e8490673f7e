/** plan-night's numbers on real Postgres: the calls per step, the window, the warning when they do not fit. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planNight } from '../../../src/nightly/night-plan';
import { createSmsTestApp, seedPractices, testClock, type SmsTestApp } from './app-helper';

const clock = testClock(new Date('2026-12-01T02:00:00Z'));
let t: SmsTestApp;
beforeAll(async () => {
  t = await createSmsTestApp({}, clock);
  await seedPractices(t.app, Array.from({ length: 30 }, (_, i) => ({ account_id: `n${String(i).padStart(2, '0')}` })));
  // 10 of them verified yesterday: not due tonight.
  await t.app.deps.db('number_checks').insert(Array.from({ length: 10 }, (_, i) => ({
    account_id: `n${String(i).padStart(2, '0')}`, checked_at: new Date('2026-11-30T02:00:00Z'), next_check_at: new Date('2026-12-07T02:00:00Z'), reason: 'verified',
  })));
});
afterAll(async () => { await t?.close(); });

const withLimits = (windowHours: number, requestsPerSecond: number) => {
  const c = t.app.deps.config;
  return { ...c, numbers: { ...c.numbers, windowHours }, updox: { ...c.updox, requestsPerSecond } };
};

describe('planNight', () => {
  it('counts one PracticeList per source and the due number checks, and fits in a wide window', async () => {
    const plan = await planNight(t.app.deps.db, withLimits(6, 5), clock.now());
    const sources = t.app.deps.config.sources.filter((s) => s.schedule).length || t.app.deps.config.sources.length;
    expect(plan.steps).toMatchObject([{ step: 'snapshot', calls: sources }, { step: 'apply', calls: 0 }, { step: 'numbers', calls: 20 }]);
    expect(plan).toMatchObject({ totalCalls: sources + 20, windowCalls: 108_000, fits: true, warning: null, etaSeconds: Math.ceil((sources + 20) / 5) });
  });

  it('warns when the window at the rate cannot take every due check, and budgets what it can', async () => {
    const plan = await planNight(t.app.deps.db, withLimits(0.5, 0.01), clock.now()); // 18 calls in the window
    expect(plan.windowCalls).toBe(18);
    expect(plan.fits).toBe(false);
    expect(plan.steps[2]!.calls).toBe(18 - plan.steps[0]!.calls);
    expect(plan.warning).toMatch(/window allows 18 at 0\.01\/s/);
  });
});
