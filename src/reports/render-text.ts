/** The plain-text part: the same content as the HTML, for clients that show text only. Pure. */
import { formatTime, moreText, subjectOf } from './format';
import { STATUS_STYLE } from './render-chart';
import { ACTION_LABELS, type ChangeItem, type ReportModel } from './types';

/** Control characters (other than tab) are dropped so data cannot forge lines in the text part. */
const t = (v: unknown) => (v == null ? '' : [...String(v)].map((c) => {
  const code = c.charCodeAt(0);
  return (code < 32 && code !== 9) || code === 127 ? ' ' : c;
}).join(''));

export function renderText(m: ReportModel): string {
  const tz = m.period.timeZone;
  const out: string[] = [subjectOf(m), '='.repeat(Math.min(72, subjectOf(m).length)), ''];
  out.push(m.kind === 'admin' ? 'Partner-wide report' : `Report for ${t(m.recipient.name)} <${t(m.recipient.email)}>`);
  out.push(`Period ${m.period.label}; changes since ${formatTime(m.since, tz)} (${tz})`, '');
  if (m.previousFailure) out.push(`NOTE: the last report (${t(m.previousFailure.period)}) could not be delivered: ${t(m.previousFailure.error)}`, '');
  for (const r of m.heldRuns) out.push(`HELD: run ${r.id} (${t(r.source ?? r.kind)}) changes nothing until approved: ${t(r.heldReason)}`);
  if (m.heldRuns.length) out.push('');
  out.push(`${m.totals.active} active practices, ${m.totals.smsReady} SMS ready, ${m.totals.needingAction} need action`);
  out.push(`Numbers: ${STATUS_STYLE.filter((s) => m.totals.numbers[s.status]).map((s) => `${m.totals.numbers[s.status]} ${s.label.toLowerCase()}`).join(', ') || 'none yet'}`, '');

  out.push(`NEEDS ACTION (${m.actions.total})`);
  if (!m.actions.total) out.push('  Nothing needs your action.');
  for (const a of m.actions.items) {
    out.push(`- ${t(a.practiceName ?? '(no name)')} [${t(a.accountId)}${a.number ? ` ${t(a.number)}` : ''}]${m.kind === 'admin' ? ` (${t(a.manager ?? 'unassigned')})` : ''}`);
    out.push(`  ${ACTION_LABELS[a.reason]}: ${t(a.detail)}${a.since ? ` (since ${formatTime(a.since, tz, true)})` : ''}`);
  }
  const moreActions = moreText(m.actions.items.length, m.actions.total, 'actions.csv');
  if (moreActions) out.push(`  ${moreActions}`);
  out.push('');

  out.push('WHAT CHANGED');
  const list = (title: string, l: { items: ChangeItem[]; total: number }) => {
    out.push(`${title}: ${l.total}`);
    for (const c of l.items) out.push(`  - ${t(c.practiceName ?? c.accountId)} [${t(c.accountId)}${c.number ? ` ${t(c.number)}` : ''}] ${formatTime(c.at, tz)}`);
    const more = moreText(l.items.length, l.total, 'changes.csv');
    if (more) out.push(`  ${more}`);
  };
  list('Numbers newly verified', m.changes.verified);
  list('Numbers newly rejected', m.changes.rejected);
  list('Business details newly complete', m.changes.complete);
  out.push('');

  if (m.managers) {
    out.push('BY MANAGER');
    for (const l of m.managers) out.push(`  ${t(l.name)}${l.email ? ` <${t(l.email)}>` : ''}: ${l.practices} active, ${l.needingAction} need action`);
    out.push('');
  }
  out.push(`RUNS SINCE THE LAST REPORT (${m.runs.total})`);
  for (const r of m.runs.items) {
    out.push(`  ${formatTime(r.createdAt, tz)}  ${t(r.kind)}${r.source ? `/${t(r.source)}` : ''}${r.dryRun ? ' (dry run)' : ''}  ${t(r.status)}: ${t(r.counts)}`);
    for (const note of [r.heldReason && `held: ${r.heldReason}`, r.haltReason && `halted: ${r.haltReason}`, r.error]) if (note) out.push(`    ${t(note)}`);
  }
  if (!m.runs.items.length) out.push('  No runs.');
  out.push('');
  const total = m.legacy.legacy + m.legacy.current;
  out.push('LEGACY UPGRADE PROGRESS');
  out.push(total ? `  ${m.legacy.current} of ${total} on PracticeSave/1.1 (${Math.round((m.legacy.current / total) * 100)}%), ${m.legacy.legacy} still legacy`
    + `${m.legacy.upgradedSince ? `; ${m.legacy.upgradedSince} upgraded since the last report` : ''}` : '  No API-version information yet.');
  out.push('', `Generated ${formatTime(m.generatedAt, tz)} ${tz} by updox-sync. Full lists: actions.csv, changes.csv (attached).`);
  return `${out.join('\n')}\n`;
}
