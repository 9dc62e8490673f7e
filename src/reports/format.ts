/** Shared text helpers for the renderers: escaping, dates in the report's time zone, subjects. Pure. */
import type { ReportModel } from './types';

/** Escapes text for HTML element content and double-quoted attributes. */
export function escapeHtml(value: unknown): string {
  if (value === null || value === undefined) return '';
  return String(value).replace(/[&<>"'`]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' })[c]!);
}

/** 'YYYY-MM-DD HH:mm' (or just the date) in the report's time zone. */
export function formatTime(isoTime: string | null, timeZone: string, dateOnly = false): string {
  if (!isoTime) return '';
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
  }).formatToParts(new Date(isoTime)).map((p) => [p.type, p.value]));
  const date = `${parts.year}-${parts.month}-${parts.day}`;
  return dateOnly ? date : `${date} ${parts.hour}:${parts.minute}`;
}

/** "6 practices need action (8 issues)": the one phrase for the two counts, in every part. */
export function needPhrase(m: Pick<ReportModel, 'totals'>): string {
  const { practicesNeedingAction: p, issues } = m.totals;
  if (!p) return 'no practice needs action';
  return `${plural(p, 'practice')} need${p === 1 ? 's' : ''} action (${plural(issues, 'issue')})`;
}

export function subjectOf(m: ReportModel): string {
  const who = m.kind === 'admin' ? 'partner-wide' : m.recipient.name;
  return `${m.partner.name} SMS readiness ${m.period.label} (${who}): ${needPhrase(m)}`;
}

/** "and N more — see actions.csv" when a list was capped. */
export function moreText(shown: number, total: number, file: string): string | null {
  return total > shown ? `and ${total - shown} more — see ${file}` : null;
}

export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
