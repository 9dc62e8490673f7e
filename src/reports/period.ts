/**
 * Report periods: a day ('2026-11-24') or an ISO week ('2026-W48'), as calendar boundaries in the
 * report time zone. Pure: `now` is passed in.
 */
import { BadInputError } from '../errors';
import { DAY } from '../time';

export type PeriodKind = 'daily' | 'weekly';

export interface Period {
  kind: PeriodKind;
  /** 'YYYY-MM-DD' or 'YYYY-Www'. */
  label: string;
  /** Inclusive start and exclusive end, as instants (local midnight in `timeZone`). */
  start: Date;
  end: Date;
  timeZone: string;
}

interface LocalDate { y: number; m: number; d: number }

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
      });
    } catch (err) {
      throw new BadInputError('REPORT_TIMEZONE_INVALID', `unknown time zone "${timeZone}" for reports`, { cause: err });
    }
    formatters.set(timeZone, f);
  }
  return f;
}

function localFields(at: Date, timeZone: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(at)) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return out;
}

/** The local calendar date of an instant in a time zone. */
export function localDate(at: Date, timeZone: string): LocalDate {
  const f = localFields(at, timeZone);
  return { y: f.year!, m: f.month!, d: f.day! };
}

function offsetMs(at: Date, timeZone: string): number {
  const f = localFields(at, timeZone);
  const asUtc = Date.UTC(f.year!, f.month! - 1, f.day!, f.hour!, f.minute!, f.second!);
  return asUtc - Math.floor(at.getTime() / 1000) * 1000;
}

/** Local midnight of a calendar date in a time zone, as an instant (DST-safe: re-checks the offset). */
export function localMidnight(date: LocalDate, timeZone: string): Date {
  const guess = Date.UTC(date.y, date.m - 1, date.d);
  let t = guess - offsetMs(new Date(guess), timeZone);
  t = guess - offsetMs(new Date(t), timeZone);
  return new Date(t);
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const dateLabel = (d: LocalDate) => `${pad(d.y, 4)}-${pad(d.m)}-${pad(d.d)}`;
const addDays = (d: LocalDate, n: number): LocalDate => {
  const t = new Date(Date.UTC(d.y, d.m - 1, d.d) + n * DAY);
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
};

/** ISO-8601 week of a calendar date: the week's year, number and Monday. */
export function isoWeek(d: LocalDate): { year: number; week: number; monday: LocalDate } {
  const t = new Date(Date.UTC(d.y, d.m - 1, d.d));
  const dow = (t.getUTCDay() + 6) % 7; // Monday = 0
  const thursday = new Date(t.getTime() + (3 - dow) * DAY);
  const year = thursday.getUTCFullYear();
  const jan1 = Date.UTC(year, 0, 1);
  const week = 1 + Math.floor((thursday.getTime() - jan1) / DAY / 7);
  return { year, week, monday: addDays(d, -dow) };
}

function build(kind: PeriodKind, first: LocalDate, timeZone: string): Period {
  const days = kind === 'daily' ? 1 : 7;
  const label = kind === 'daily' ? dateLabel(first) : (() => {
    const w = isoWeek(first);
    return `${w.year}-W${pad(w.week)}`;
  })();
  return { kind, label, start: localMidnight(first, timeZone), end: localMidnight(addDays(first, days), timeZone), timeZone };
}

/** The period containing `now` in the time zone. */
export function currentPeriod(kind: PeriodKind, now: Date, timeZone: string): Period {
  const today = localDate(now, timeZone);
  return build(kind, kind === 'daily' ? today : isoWeek(today).monday, timeZone);
}

/** The period before this one. */
export function previousPeriod(p: Period): Period {
  const first = localDate(p.start, p.timeZone);
  return build(p.kind, addDays(first, p.kind === 'daily' ? -1 : -7), p.timeZone);
}

/** Parses '2026-11-24' or '2026-W48' (case-insensitive W); a bad label is a named bad-input error. */
export function parsePeriod(label: string, timeZone: string): Period {
  const s = label.trim();
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (day) {
    const d = { y: Number(day[1]), m: Number(day[2]), d: Number(day[3]) };
    const check = new Date(Date.UTC(d.y, d.m - 1, d.d));
    if (check.getUTCFullYear() === d.y && check.getUTCMonth() === d.m - 1 && check.getUTCDate() === d.d) return build('daily', d, timeZone);
  }
  const week = /^(\d{4})-[Ww](\d{2})$/.exec(s);
  if (week) {
    const year = Number(week[1]);
    const n = Number(week[2]);
    // Monday of ISO week 1 is the Monday of the week holding January 4th.
    const w1 = isoWeek({ y: year, m: 1, d: 4 }).monday;
    const monday = addDays(w1, (n - 1) * 7);
    if (n >= 1 && isoWeek(monday).year === year && isoWeek(monday).week === n) return build('weekly', monday, timeZone);
  }
  throw new BadInputError('REPORT_PERIOD_INVALID', `invalid report period "${label}": use a day (2026-11-24) or an ISO week (2026-W48)`);
}

/** Calendar days (labels) ending with the period's last day, oldest first; for the chart. */
export function chartDays(p: Period, count: number): { label: string; end: Date }[] {
  const last = addDays(localDate(p.start, p.timeZone), p.kind === 'daily' ? 0 : 6);
  const out: { label: string; end: Date }[] = [];
  for (let i = count - 1; i >= 0; i--) {
    const d = addDays(last, -i);
    out.push({ label: dateLabel(d), end: localMidnight(addDays(d, 1), p.timeZone) });
  }
  return out;
}
