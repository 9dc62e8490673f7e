/**
 * Business-day arithmetic for the "pending too long" flag (numbers.pendingBusinessDays) and for
 * "waited N business days" in the reports. A business day is Monday to Friday in the partner's
 * time zone (numbers.timeZone), minus the US federal holidays and their observed days from
 * date-holidays (a maintained calendar: Juneteenth, substitutes for a Saturday or Sunday holiday)
 * and minus the configured extra days (numbers.holidays, `YYYY-MM-DD`). Pure: `now` is passed in.
 */
import type HolidaysType from 'date-holidays';
import type { Config } from '../config';
import { lazyRequire } from '../roster/lazy';
import { localDate, localMidnight } from '../reports/period';
import { DAY } from '../time';

export interface BusinessCalendar {
  timeZone: string;
  /** True for a local calendar day ('YYYY-MM-DD') that is not worked: a weekend or a holiday. */
  isDayOff(day: string): boolean;
}

export interface CalendarOptions {
  timeZone: string;
  /** Extra days off, 'YYYY-MM-DD'. */
  holidays?: readonly string[];
  /** Count the US federal holidays (date-holidays' US "public" days); default true. */
  federalHolidays?: boolean;
}

// date-holidays carries every country's rules (~150 ms to load on an idle machine): loaded on the
// first federal-holiday lookup, not by every command that imports this file.
const holidaysLib = lazyRequire<typeof HolidaysType>('date-holidays');
let us: HolidaysType | null = null;
const federal = new Map<number, ReadonlySet<string>>();

/** The US federal holidays of a year with their observed days (e.g. 2027-12-24 for Christmas). */
export function federalHolidays(year: number): ReadonlySet<string> {
  let set = federal.get(year);
  if (!set) {
    us ??= new (holidaysLib())('US');
    set = new Set(us.getHolidays(year).filter((h) => h.type === 'public').map((h) => h.date.slice(0, 10)));
    federal.set(year, set);
  }
  return set;
}

export function makeBusinessCalendar(opts: CalendarOptions): BusinessCalendar {
  const extra = new Set(opts.holidays ?? []);
  const withFederal = opts.federalHolidays ?? true;
  return {
    timeZone: opts.timeZone,
    isDayOff(day: string) {
      const wd = new Date(`${day}T12:00:00Z`).getUTCDay();
      return wd === 0 || wd === 6 || extra.has(day) || (withFederal && federalHolidays(Number(day.slice(0, 4))).has(day));
    },
  };
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const dayOf = (d: { y: number; m: number; d: number }) => `${pad(d.y, 4)}-${pad(d.m)}-${pad(d.d)}`;
const nextDay = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + DAY).toISOString().slice(0, 10);
const parts = (day: string) => ({ y: Number(day.slice(0, 4)), m: Number(day.slice(5, 7)), d: Number(day.slice(8, 10)) });

/** The local calendar day of an instant in the calendar's time zone. */
export const localDay = (at: Date, cal: BusinessCalendar): string => dayOf(localDate(at, cal.timeZone));

export function isBusinessDay(at: Date, cal: BusinessCalendar): boolean {
  return !cal.isDayOff(localDay(at, cal));
}

/**
 * The instant `n` business days after `start`, at the same local time of day. A start on a day off
 * first rolls forward to local midnight of the next business day (the clock starts when work does).
 * Across a DST change the local time of day is kept to within the hour the change moves.
 */
export function addBusinessDays(start: Date, n: number, cal: BusinessCalendar): Date {
  let day = localDay(start, cal);
  let offsetMs = start.getTime() - localMidnight(parts(day), cal.timeZone).getTime();
  if (cal.isDayOff(day)) {
    do day = nextDay(day); while (cal.isDayOff(day));
    offsetMs = 0;
  }
  for (let i = 0; i < n; i++) {
    do day = nextDay(day); while (cal.isDayOff(day));
  }
  return new Date(localMidnight(parts(day), cal.timeZone).getTime() + offsetMs);
}

/** Pending longer than `n` business days: strictly after the deadline `addBusinessDays(since, n)`. */
export function isOverdue(since: Date, now: Date, n: number, cal: BusinessCalendar): boolean {
  return now.getTime() > addBusinessDays(since, n, cal).getTime();
}

/** Whole business days elapsed from `since` to `now` (for display: "waited 4 business days"). */
export function businessDaysElapsed(since: Date, now: Date, cal: BusinessCalendar): number {
  let n = 0;
  while (n < 10_000 && addBusinessDays(since, n + 1, cal).getTime() <= now.getTime()) n++;
  return n;
}

/** The partner's calendar from the config: numbers.timeZone, else reports.timeZone, else the first source's. */
export function calendarFor(config: Pick<Config, 'numbers' | 'reports' | 'sources'>): BusinessCalendar {
  const timeZone = config.numbers.timeZone ?? config.reports.timeZone ?? config.sources[0]?.timezone ?? 'UTC';
  return makeBusinessCalendar({ timeZone, holidays: config.numbers.holidays, federalHolidays: config.numbers.federalHolidays });
}
