import { describe, expect, it } from 'vitest';
import { addBusinessDays, businessDaysElapsed, isBusinessDay, isOverdue, toHolidaySet } from '../../../src/sms/business-days';

const none = toHolidaySet([]);
const d = (s: string) => new Date(s);
// 2026-11-23 is a Monday; 2026-11-26 is Thanksgiving (Thursday).
const thanksgiving = toHolidaySet(['2026-11-26']);

describe('isBusinessDay', () => {
  it.each([
    ['2026-11-23T12:00:00Z', none, true],
    ['2026-11-28T12:00:00Z', none, false], // Saturday
    ['2026-11-29T12:00:00Z', none, false], // Sunday
    ['2026-11-26T12:00:00Z', thanksgiving, false],
    ['2026-11-26T12:00:00Z', none, true],
  ])('%s → %s', (at, h, want) => expect(isBusinessDay(d(at), h)).toBe(want));
});

describe('addBusinessDays', () => {
  it.each([
    ['Monday + 3 → Thursday same time', '2026-11-23T10:00:00Z', 3, none, '2026-11-26T10:00:00.000Z'],
    ['Wednesday + 3 → Monday (skips the weekend)', '2026-11-25T10:00:00Z', 3, none, '2026-11-30T10:00:00.000Z'],
    ['Monday + 3 over a holiday → Friday', '2026-11-23T10:00:00Z', 3, thanksgiving, '2026-11-27T10:00:00.000Z'],
    ['Saturday rolls to Monday 00:00, + 1 → Tuesday 00:00', '2026-11-28T15:00:00Z', 1, none, '2026-12-01T00:00:00.000Z'],
    ['Friday + 1 → Monday', '2026-11-27T09:00:00Z', 1, none, '2026-11-30T09:00:00.000Z'],
    ['+ 0 on a business day is the same instant', '2026-11-24T09:00:00Z', 0, none, '2026-11-24T09:00:00.000Z'],
  ])('%s', (_n, start, n, h, want) => expect(addBusinessDays(d(start), n, h).toISOString()).toBe(want));
});

describe('isOverdue', () => {
  it.each([
    ['exactly at the deadline is not overdue', '2026-11-23T10:00:00Z', '2026-11-26T10:00:00Z', none, false],
    ['one second after the deadline is overdue', '2026-11-23T10:00:00Z', '2026-11-26T10:00:01Z', none, true],
    ['a holiday pushes the deadline', '2026-11-23T10:00:00Z', '2026-11-26T10:00:01Z', thanksgiving, false],
    ['a weekend does not count', '2026-11-26T10:00:00Z', '2026-11-30T10:00:01Z', none, false],
    ['three weekdays after Thursday is Tuesday', '2026-11-26T10:00:00Z', '2026-12-01T10:00:01Z', none, true],
  ])('%s', (_n, since, now, h, want) => expect(isOverdue(d(since), d(now), 3, h)).toBe(want));
});

describe('businessDaysElapsed', () => {
  it.each([
    ['2026-11-23T10:00:00Z', '2026-11-23T18:00:00Z', 0],
    ['2026-11-23T10:00:00Z', '2026-11-24T10:00:00Z', 1],
    ['2026-11-27T10:00:00Z', '2026-11-30T09:00:00Z', 0],
    ['2026-11-27T10:00:00Z', '2026-12-02T10:00:00Z', 3],
  ])('%s → %s = %i', (since, now, want) => expect(businessDaysElapsed(d(since), d(now), none)).toBe(want));
});
