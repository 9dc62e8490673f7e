/**
 * Business-day arithmetic for the "pending too long" flag (config numbers.pendingBusinessDays,
 * numbers.holidays). Business days are Monday–Friday in UTC, minus the configured holidays
 * (`YYYY-MM-DD`). Pure: `now` is always passed in.
 */
import { DAY } from '../time';

export type Holidays = ReadonlySet<string>;

export const toHolidaySet = (days: readonly string[]): Holidays => new Set(days);

const isoDay = (d: Date): string => d.toISOString().slice(0, 10);

export function isBusinessDay(d: Date, holidays: Holidays): boolean {
  const wd = d.getUTCDay();
  return wd !== 0 && wd !== 6 && !holidays.has(isoDay(d));
}

const startOfUtcDay = (d: Date): Date => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));

/**
 * The instant `n` business days after `start`, at the same UTC time of day. A start on a weekend or
 * holiday first rolls forward to 00:00 of the next business day (the clock starts when work does).
 */
export function addBusinessDays(start: Date, n: number, holidays: Holidays): Date {
  let t = new Date(start.getTime());
  if (!isBusinessDay(t, holidays)) {
    t = startOfUtcDay(t);
    do t = new Date(t.getTime() + DAY); while (!isBusinessDay(t, holidays));
  }
  for (let i = 0; i < n; i++) {
    do t = new Date(t.getTime() + DAY); while (!isBusinessDay(t, holidays));
  }
  return t;
}

/** Pending longer than `n` business days: strictly after the deadline `addBusinessDays(since, n)`. */
export function isOverdue(since: Date, now: Date, n: number, holidays: Holidays): boolean {
  return now.getTime() > addBusinessDays(since, n, holidays).getTime();
}

/** Whole business days elapsed from `since` to `now` (for display: "pending for 4 business days"). */
export function businessDaysElapsed(since: Date, now: Date, holidays: Holidays): number {
  let n = 0;
  while (n < 10_000 && addBusinessDays(since, n + 1, holidays).getTime() <= now.getTime()) n++;
  return n;
}
