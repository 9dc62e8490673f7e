import { describe, expect, it } from 'vitest';
import { addBusinessDays, businessDaysElapsed, federalHolidays, isBusinessDay, isOverdue, makeBusinessCalendar } from '../../../src/sms/business-days';

const none = makeBusinessCalendar({ timeZone: 'UTC', federalHolidays: false });
const d = (s: string) => new Date(s);
// 2026-11-23 is a Monday; 2026-11-26 is Thanksgiving (Thursday).
const extra = makeBusinessCalendar({ timeZone: 'UTC', federalHolidays: false, holidays: ['2026-11-26'] });
const federal = makeBusinessCalendar({ timeZone: 'UTC' });
const chicago = makeBusinessCalendar({ timeZone: 'America/Chicago' });

describe('US federal holidays (date-holidays)', () => {
  it('holds the 11 federal holidays with their observed days, and nothing else', () => {
    expect([...federalHolidays(2026)].sort()).toEqual([
      '2026-01-01', '2026-01-19', '2026-02-16', '2026-05-25', '2026-06-19', '2026-07-03', '2026-07-04',
      '2026-09-07', '2026-10-12', '2026-11-11', '2026-11-26', '2026-12-25',
    ]);
    // 2027: Juneteenth and Independence Day fall on a weekend; Christmas and New Year's Day 2028 on a Saturday.
    expect([...federalHolidays(2027)]).toEqual(expect.arrayContaining(['2027-06-18', '2027-07-05', '2027-12-24', '2027-12-31']));
  });
});

describe('isBusinessDay', () => {
  it.each([
    ['2026-11-23T12:00:00Z', none, true],
    ['2026-11-28T12:00:00Z', none, false], // Saturday
    ['2026-11-29T12:00:00Z', none, false], // Sunday
    ['2026-11-26T12:00:00Z', extra, false], // a configured extra day
    ['2026-11-26T12:00:00Z', none, true],
    ['2026-11-26T12:00:00Z', federal, false], // Thanksgiving from the library
    ['2026-11-27T12:00:00Z', federal, true], // the day after is not a federal holiday
    ['2026-07-03T12:00:00Z', federal, false], // Independence Day observed (the 4th is a Saturday)
    // Monday 2026-11-30 03:00 UTC is still Sunday evening in Chicago.
    ['2026-11-30T03:00:00Z', chicago, false],
    ['2026-11-30T03:00:00Z', none, true],
  ])('%s → %s', (at, cal, want) => expect(isBusinessDay(d(at), cal)).toBe(want));
});

describe('addBusinessDays', () => {
  it.each([
    ['Monday + 3 → Thursday same time', '2026-11-23T10:00:00Z', 3, none, '2026-11-26T10:00:00.000Z'],
    ['Wednesday + 3 → Monday (skips the weekend)', '2026-11-25T10:00:00Z', 3, none, '2026-11-30T10:00:00.000Z'],
    ['Monday + 3 over a holiday → Friday', '2026-11-23T10:00:00Z', 3, federal, '2026-11-27T10:00:00.000Z'],
    ['Saturday rolls to Monday 00:00, + 1 → Tuesday 00:00', '2026-11-28T15:00:00Z', 1, none, '2026-12-01T00:00:00.000Z'],
    ['Friday + 1 → Monday', '2026-11-27T09:00:00Z', 1, none, '2026-11-30T09:00:00.000Z'],
    ['+ 0 on a business day is the same instant', '2026-11-24T09:00:00Z', 0, none, '2026-11-24T09:00:00.000Z'],
    // Saturday in Chicago rolls to Monday 00:00 Chicago time (06:00 UTC), + 1 → Tuesday 06:00 UTC.
    ['a weekend start rolls to local midnight', '2026-11-28T15:00:00Z', 1, chicago, '2026-12-01T06:00:00.000Z'],
    // Friday 2026-10-30 17:00 CDT + 1 → Monday 17:00 CST (the clocks went back on Sunday).
    ['keeps the local time of day across a DST change', '2026-10-30T22:00:00Z', 1, chicago, '2026-11-02T23:00:00.000Z'],
  ])('%s', (_n, start, n, cal, want) => expect(addBusinessDays(d(start), n, cal).toISOString()).toBe(want));
});

describe('isOverdue', () => {
  it.each([
    ['exactly at the deadline is not overdue', '2026-11-23T10:00:00Z', '2026-11-26T10:00:00Z', none, false],
    ['one second after the deadline is overdue', '2026-11-23T10:00:00Z', '2026-11-26T10:00:01Z', none, true],
    ['a holiday pushes the deadline', '2026-11-23T10:00:00Z', '2026-11-26T10:00:01Z', federal, false],
    ['an extra configured day pushes it too', '2026-11-23T10:00:00Z', '2026-11-26T10:00:01Z', extra, false],
    ['a weekend does not count', '2026-11-26T10:00:00Z', '2026-11-30T10:00:01Z', none, false],
    ['three weekdays after Thursday is Tuesday', '2026-11-26T10:00:00Z', '2026-12-01T10:00:01Z', none, true],
  ])('%s', (_n, since, now, cal, want) => expect(isOverdue(d(since), d(now), 3, cal)).toBe(want));
});

describe('businessDaysElapsed', () => {
  it.each([
    ['2026-11-23T10:00:00Z', '2026-11-23T18:00:00Z', none, 0],
    ['2026-11-23T10:00:00Z', '2026-11-24T10:00:00Z', none, 1],
    ['2026-11-27T10:00:00Z', '2026-11-30T09:00:00Z', none, 0],
    ['2026-11-27T10:00:00Z', '2026-12-02T10:00:00Z', none, 3],
    ['2026-11-23T10:00:00Z', '2026-11-30T10:00:00Z', federal, 4],
  ])('%s → %s = %i', (since, now, cal, want) => expect(businessDaysElapsed(d(since), d(now), cal)).toBe(want));
});
