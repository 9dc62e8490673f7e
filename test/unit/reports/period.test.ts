import { describe, expect, it } from 'vitest';
import { chartDays, currentPeriod, isoWeek, parsePeriod, previousPeriod } from '../../../src/reports/period';

describe('report periods', () => {
  it.each([
    ['2026-11-24T12:00:00Z', 'UTC', 'daily', '2026-11-24', '2026-11-24T00:00:00.000Z', '2026-11-25T00:00:00.000Z'],
    // 03:00 UTC is still the previous evening in New York (UTC-5 in November).
    ['2026-11-24T03:00:00Z', 'America/New_York', 'daily', '2026-11-23', '2026-11-23T05:00:00.000Z', '2026-11-24T05:00:00.000Z'],
    ['2026-11-24T12:00:00Z', 'UTC', 'weekly', '2026-W48', '2026-11-23T00:00:00.000Z', '2026-11-30T00:00:00.000Z'],
    // The week holding the US DST change (2026-03-08): 7 local days are 167 hours.
    ['2026-03-10T12:00:00Z', 'America/Chicago', 'weekly', '2026-W11', '2026-03-09T05:00:00.000Z', '2026-03-16T05:00:00.000Z'],
    ['2026-03-08T12:00:00Z', 'America/Chicago', 'daily', '2026-03-08', '2026-03-08T06:00:00.000Z', '2026-03-09T05:00:00.000Z'],
  ] as const)('%s in %s (%s) is %s', (now, tz, kind, label, start, end) => {
    const p = currentPeriod(kind, new Date(now), tz);
    expect(p.label).toBe(label);
    expect(p.start.toISOString()).toBe(start);
    expect(p.end.toISOString()).toBe(end);
    expect(parsePeriod(label, tz)).toEqual(p);
  });

  it.each([
    [{ y: 2026, m: 1, d: 1 }, 2026, 1],
    [{ y: 2027, m: 1, d: 1 }, 2026, 53],
    [{ y: 2024, m: 12, d: 30 }, 2025, 1],
    [{ y: 2021, m: 1, d: 3 }, 2020, 53],
  ])('ISO week of %o is %i-W%i', (d, year, week) => {
    expect(isoWeek(d)).toMatchObject({ year, week });
  });

  it('steps back one period', () => {
    expect(previousPeriod(parsePeriod('2026-01-01', 'UTC')).label).toBe('2025-12-31');
    expect(previousPeriod(parsePeriod('2026-W01', 'UTC')).label).toBe('2025-W52');
  });

  it.each(['2026-13-01', '2026-02-30', '2026-W54', '2025-W53', 'yesterday', ''])('refuses "%s" with a named error', (label) => {
    expect(() => parsePeriod(label, 'UTC')).toThrow(expect.objectContaining({ code: 'REPORT_PERIOD_INVALID' }));
  });

  it('refuses an unknown time zone', () => {
    expect(() => currentPeriod('daily', new Date(), 'Mars/Olympus')).toThrow(expect.objectContaining({ code: 'REPORT_TIMEZONE_INVALID' }));
  });

  it('lists chart days ending with the period\'s last day', () => {
    const days = chartDays(parsePeriod('2026-W48', 'UTC'), 3);
    expect(days.map((d) => d.label)).toEqual(['2026-11-27', '2026-11-28', '2026-11-29']);
    expect(days[2]!.end.toISOString()).toBe('2026-11-30T00:00:00.000Z');
  });
});
