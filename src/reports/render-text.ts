/** The plain-text part: the same content as the HTML, for clients that show text only. Pure. */
import { STATUS_STYLE } from './chart-svg';
import { formatNumber, sameFix } from './describe';
import { formatTime, moreText, needPhrase, plural, subjectOf } from './format';
import { fixAtText } from './render-csv';
import { ISSUE_LABELS, type ChangeItem, type ReportModel, type ReportSection } from './types';

/** Control characters (other than tab) are dropped so data cannot forge lines in the text part. */
const t = (v: unknown) => (v == null ? '' : [...String(v)].map((c) => {
  const code = c.charCodeAt(0);
  return (code < 32 && code !== 9) || code === 127 ? ' ' : c;
}).join(''));

function sectionText(s: ReportSection): string[] {
  const out = [s.title.toUpperCase()];
  for (const n of s.notes) out.push(`${s.tone === 'alert' ? '! ' : '  '}${t(n)}`);
  if (s.table) {
    if (!s.table.rows.length) out.push(`  ${t(s.empty)}`);
    for (const r of s.table.rows) out.push(`  ${r.map(t).filter(Boolean).join('  |  ')}`);
  }
  out.push('');
  return out;
}

export function renderText(m: ReportModel): string {
  const tz = m.period.timeZone;
  const out: string[] = [subjectOf(m), '='.repeat(Math.min(72, subjectOf(m).length)), ''];
  out.push(m.kind === 'admin' ? 'Partner-wide report' : `Report for ${t(m.recipient.name)} <${t(m.recipient.email)}>`);
  out.push(`Period ${m.period.label}; changes since ${formatTime(m.since, tz)} (${tz})`, '');
  if (m.previousFailure) {
    out.push(`NOTE: the last report (${t(m.previousFailure.period)}) could not be delivered${m.kind === 'admin' ? `: ${t(m.previousFailure.error)}` : '.'}`, '');
  }
  if (m.partnerIssues.length) {
    out.push(m.kind === 'admin' ? "NOTE: the partner's own business details are incomplete, so no practice can be verified:"
      : `NOTE: the partner's own business details are incomplete; ${t(m.contact)} needs to fix them before any practice can be verified:`);
    for (const x of m.partnerIssues) out.push(`  - ${t(x)}`);
    out.push('');
  }
  out.push(`${m.totals.active} active practices, ${m.totals.smsReady} SMS ready; ${needPhrase(m)}`);
  out.push(`Numbers: ${STATUS_STYLE.filter((s) => m.totals.numbers[s.status]).map((s) => `${m.totals.numbers[s.status]} ${s.label.toLowerCase()}`).join(', ') || 'none yet'}`, '');

  out.push(`PRACTICES NEEDING ACTION (${m.totals.practicesNeedingAction})`);
  if (!m.practices.total) out.push('  Nothing needs your action.');
  else out.push(`  ${plural(m.totals.issues, 'issue')} across ${plural(m.totals.practicesNeedingAction, 'practice')}, most urgent first.`);
  for (const p of m.practices.items) {
    const first = p.issues[0]!;
    const meta = [p.accountId, m.kind === 'admin' ? (p.manager ?? 'unassigned') : null, first.number ? formatNumber(first.number) : null].filter(Boolean).map(t).join(', ');
    const code = (c: number | null) => (m.kind === 'admin' && c !== null ? ` (Updox ${c})` : '');
    out.push('', `* ${t(p.practiceName ?? '(no name)')} [${meta}]`);
    out.push(`  ${ISSUE_LABELS[first.reason]}${first.since ? ` since ${formatTime(first.since, tz, true)}` : ''}`);
    out.push(`  What to do: ${t(p.action)}${code(first.vendorCode)}`);
    for (const i of p.issues.slice(1)) out.push(`  Also: ${ISSUE_LABELS[i.reason]}: ${t(sameFix(p, i.detail))}${code(i.vendorCode)}`);
    if (p.issueTotal > p.issues.length) out.push(`  and ${plural(p.issueTotal - p.issues.length, 'more issue')} (see actions.csv)`);
    out.push(`  Fix: ${t(fixAtText(p.fixAt))}`);
  }
  const morePractices = moreText(m.practices.items.length, m.practices.total, 'actions.csv');
  if (morePractices) out.push('', `  ${morePractices}`);
  out.push('');

  out.push('WHAT CHANGED SINCE THE LAST REPORT');
  const list = (title: string, l: { items: ChangeItem[]; total: number }) => {
    out.push(`${title}: ${l.total}`);
    for (const c of l.items) out.push(`  - ${t(c.practiceName ?? c.accountId)} [${t(c.accountId)}${c.number ? ` ${formatNumber(c.number)}` : ''}] ${formatTime(c.at, tz)}`);
    const more = moreText(l.items.length, l.total, 'changes.csv');
    if (more) out.push(`  ${more}`);
  };
  list('Numbers newly verified', m.changes.verified);
  list('Numbers newly rejected', m.changes.rejected);
  list('Business details newly complete', m.changes.complete);
  out.push('');

  for (const s of m.admin?.sections ?? []) out.push(...sectionText(s));
  out.push(`Generated ${formatTime(m.generatedAt, tz)} ${tz} by updox-sync. Every issue: actions.csv; every change: changes.csv (attached).`
    + (m.kind === 'manager' ? ` Questions: ${t(m.contact)}.` : ''));
  return `${out.join('\n')}\n`;
}
