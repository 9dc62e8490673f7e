/**
 * The HTML part, written for mail clients: tables and inline styles only (Gmail, Outlook and Apple
 * Mail drop <style> blocks or parts of them), one fluid column of at most 680 px that reflows down
 * to 320 px without a media query: the tiles are inline blocks that wrap, each practice is a
 * stacked block rather than a wide table row, long values break anywhere. Outlook for Windows
 * (Word's renderer, no max-width) gets a fixed 680 px ghost table through conditional comments.
 * The chart is an <img> by Content-ID with alt text. Every value that comes from data (practice
 * names, vendor messages, emails) goes through escapeHtml. Pure.
 */
import { CHART_WIDTH, chartAltText, STATUS_STYLE } from './chart-svg';
import { escapeHtml as e, formatTime, moreText, needPhrase, plural, subjectOf } from './format';
import { formatNumber, sameFix } from './describe';
import { ISSUE_LABELS, type ChangeItem, type IssueReason, type PracticeToFix, type ReportModel, type ReportSection } from './types';

export interface HtmlOptions {
  /** Content-ID of the chart image (without cid:); omit to leave the chart out. */
  chartCid?: string;
  /** The attachments' row counts. */
  csv: { actions: { rows: number }; changes: { rows: number } };
}

export const MAX_WIDTH = 680;
const FONT = 'font-family:Arial,Helvetica,sans-serif;';
const WRAP = 'overflow-wrap:anywhere;word-break:break-word;';
const H2 = `${FONT}font-size:17px;line-height:22px;margin:0 0 8px 0;color:#1b2a41;`;
const MUTED = `${FONT}font-size:13px;line-height:18px;color:#5f6670;`;
const BODY = `${FONT}font-size:15px;line-height:21px;color:#222;`;
const REASON_COLOR: Record<IssueReason, string> = {
  SAVE_FAILED: '#b71c1c', SAVE_NEEDS_REVIEW: '#6a1b9a', DETAILS_INSUFFICIENT: '#ad1457', NUMBER_REJECTED: '#b71c1c', DETAILS_INCOMPLETE: '#b34700', NUMBER_OVERDUE: '#8a5a00',
};

const block = (inner: string, id?: string) =>
  `<tr><td${id ? ` id="${id}"` : ''} style="padding:14px 20px 6px 20px;${WRAP}">${inner}</td></tr>`;
const more = (shown: number, total: number, file: string) => {
  const t = moreText(shown, total, file);
  return t ? `<p style="${MUTED}margin:6px 0 0 0;">${e(t)}</p>` : '';
};

function tiles(m: ReportModel): string {
  const rejected = m.issueCounts.NUMBER_REJECTED ?? 0;
  const overdue = m.issueCounts.NUMBER_OVERDUE ?? 0;
  const list: [string, number, string][] = [
    ['active practices', m.totals.active, '#1b2a41'],
    ['SMS ready', m.totals.smsReady, '#1b5e20'],
    ['practices need action', m.totals.practicesNeedingAction, m.totals.practicesNeedingAction ? '#b71c1c' : '#1b5e20'],
    ['rejected numbers', rejected, rejected ? '#b71c1c' : '#5f6670'],
    ['overdue numbers', overdue, overdue ? '#8a5a00' : '#5f6670'],
  ];
  const tile = ([label, value, color]: [string, number, string]) =>
    `<div class="tile" style="display:inline-block;vertical-align:top;width:106px;margin:0 8px 8px 0;padding:10px 4px;border:1px solid #e1e4e8;background:#fafbfc;text-align:center;">`
    + `<div style="${FONT}font-size:24px;line-height:28px;font-weight:bold;color:${color};">${value}</div><div style="${MUTED}">${e(label)}</div></div>`;
  // Outlook for Windows ignores inline-block: a ghost row of cells there.
  return `<div id="tiles" style="font-size:0;">`
    + list.map((t) => `<!--[if mso]><table role="presentation" align="left" cellpadding="0" cellspacing="0"><tr><td width="124"><![endif]-->${tile(t)}<!--[if mso]></td></tr></table><![endif]-->`).join('')
    + '</div>';
}

function fixLink(p: PracticeToFix): string {
  return 'url' in p.fixAt
    ? `<a href="${e(p.fixAt.url)}" style="${FONT}font-size:14px;font-weight:bold;color:#0b57d0;">Fix in the Partner Portal</a>`
    : `<span style="${MUTED}">To fix: ask ${e(p.fixAt.ask)}</span>`;
}

function practiceBlock(p: PracticeToFix, m: ReportModel): string {
  const first = p.issues[0]!;
  const badge = (r: IssueReason) => `<span style="${FONT}font-size:12px;line-height:16px;font-weight:bold;color:#fff;background:${REASON_COLOR[r]};padding:2px 6px;border-radius:3px;">${e(ISSUE_LABELS[r])}</span>`;
  const meta = [p.accountId, m.kind === 'admin' ? (p.manager ?? 'unassigned') : null].filter(Boolean).map((x) => e(x)).join(' · ');
  const code = (c: number | null) => (m.kind === 'admin' && c !== null ? ` <span style="${MUTED}">(Updox ${c})</span>` : '');
  const others = p.issues.slice(1).map((i) => `<li style="${BODY}margin:4px 0;">${badge(i.reason)} ${e(sameFix(p, i.detail))}${code(i.vendorCode)}</li>`).join('');
  const hidden = p.issueTotal - p.issues.length;
  return `<div class="practice" style="border-top:1px solid #e1e4e8;padding:12px 0;${WRAP}">`
    + `<div style="${FONT}font-size:16px;line-height:21px;font-weight:bold;color:#1b2a41;">${e(p.practiceName ?? '(no name)')}</div>`
    + `<div style="${MUTED}">${meta}${first.number ? ` · ${e(formatNumber(first.number))}` : ''} · since ${e(formatTime(first.since, m.period.timeZone, true) || 'unknown')}</div>`
    + `<div style="margin:6px 0 4px 0;">${badge(first.reason)}</div>`
    + `<div style="${BODY}"><strong>What to do:</strong> ${e(p.action)}${code(first.vendorCode)}</div>`
    + (others ? `<div style="${MUTED}margin-top:6px;">Also:</div><ul style="margin:2px 0 0 0;padding-left:18px;">${others}</ul>` : '')
    + (hidden > 0 ? `<div style="${MUTED}">and ${plural(hidden, 'more issue')} — see actions.csv</div>` : '')
    + `<div style="margin-top:6px;">${fixLink(p)}</div></div>`;
}

function changeList(title: string, color: string, list: { items: ChangeItem[]; total: number }, m: ReportModel): string {
  const items = list.items.map((c) => `<li style="${BODY}margin:2px 0;">${e(c.practiceName ?? c.accountId)}`
    + ` <span style="${MUTED}">${e(c.accountId)}${c.number ? ` · ${e(formatNumber(c.number))}` : ''} · ${e(formatTime(c.at, m.period.timeZone))}</span></li>`).join('');
  return `<div style="${FONT}font-size:15px;font-weight:bold;color:${color};margin:8px 0 2px 0;">${e(title)}: ${list.total}</div>`
    + (items ? `<ul style="margin:0;padding-left:18px;">${items}</ul>` : '') + more(list.items.length, list.total, 'changes.csv');
}

/** A generic admin section: notes, then a table whose cells wrap (no fixed widths, no nowrap). */
export function sectionHtml(s: ReportSection): string {
  const notes = s.notes.map((n) => s.tone === 'alert'
    ? `<div style="${BODY}background:#fff4e5;border:1px solid #f5d29a;color:#6b3d00;padding:10px 12px;margin:0 0 6px 0;">${e(n)}</div>`
    : `<p style="${BODY}margin:0 0 6px 0;">${e(n)}</p>`).join('');
  let table = '';
  if (s.table) {
    const th = `${FONT}font-size:13px;text-align:left;padding:6px;background:#f0f2f5;color:#444;border-bottom:1px solid #d9dde3;`;
    const td = `${FONT}font-size:13px;line-height:18px;padding:6px;border-bottom:1px solid #eceef1;vertical-align:top;color:#222;${WRAP}`;
    table = s.table.rows.length
      ? `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="border-collapse:collapse;width:100%;">`
        + `<tr>${s.table.columns.map((c) => `<th style="${th}">${e(c)}</th>`).join('')}</tr>`
        + s.table.rows.map((r) => `<tr>${r.map((c) => `<td style="${td}">${e(c)}</td>`).join('')}</tr>`).join('') + '</table>'
      : `<p style="${MUTED}">${e(s.empty)}</p>`;
  }
  return `<h2 style="${H2}">${e(s.title)}</h2>${notes}${table}`;
}

export function renderHtml(m: ReportModel, opts: HtmlOptions): string {
  const tz = m.period.timeZone;
  const parts: string[] = [];
  const who = m.kind === 'admin' ? 'Partner-wide report' : `Report for ${m.recipient.name}`;
  parts.push(`<tr><td style="padding:18px 20px;background:#1b2a41;${WRAP}">`
    + `<div style="${FONT}font-size:13px;line-height:18px;color:#c9d3e3;">${e(m.partner.name)} · SMS readiness · ${e(m.period.kind === 'daily' ? 'daily' : 'weekly')} ${e(m.period.label)}</div>`
    + `<div style="${FONT}font-size:21px;line-height:27px;font-weight:bold;color:#ffffff;margin-top:4px;">${e(who)}</div>`
    + `<div style="${FONT}font-size:15px;line-height:21px;color:#ffffff;margin-top:6px;" id="summary">${e(needPhrase(m))}.</div>`
    + `<div style="${FONT}font-size:13px;line-height:18px;color:#c9d3e3;margin-top:4px;">Changes since ${e(formatTime(m.since, tz))} (${e(tz)})</div></td></tr>`);
  if (m.previousFailure) {
    const why = m.kind === 'admin' ? `: ${m.previousFailure.error}` : '.';
    parts.push(block(`<div id="previous-failure" style="${BODY}background:#fdecea;border:1px solid #f5c2c0;color:#7a1616;padding:10px 12px;">`
      + `The last report (${e(m.previousFailure.period)}) could not be delivered${e(why)}</div>`));
  }
  if (m.partnerIssues.length) {
    const lead = m.kind === 'admin' ? "The partner's own business details are incomplete, so no practice can be verified:" : `The partner's own business details are incomplete; ${m.contact} needs to fix them before any practice can be verified:`;
    parts.push(block(`<div id="partner-issues" style="${BODY}background:#fdecea;border:1px solid #f5c2c0;color:#7a1616;padding:10px 12px;">${e(lead)}`
      + `<ul style="margin:4px 0 0 0;padding-left:18px;">${m.partnerIssues.map((x) => `<li>${e(x)}</li>`).join('')}</ul></div>`));
  }
  parts.push(block(tiles(m)));

  parts.push(block(`<h2 style="${H2}">Practices needing action (${m.totals.practicesNeedingAction})</h2>`
    + (m.practices.total
      ? `<p style="${MUTED}margin:0 0 4px 0;">${e(plural(m.totals.issues, 'issue'))} across ${e(plural(m.totals.practicesNeedingAction, 'practice'))}, most urgent first.</p>`
        + m.practices.items.map((p) => practiceBlock(p, m)).join('') + more(m.practices.items.length, m.practices.total, 'actions.csv')
      : `<p style="${BODY}color:#1b5e20;">Nothing needs your action. Every practice is ready or on its way.</p>`), 'actions'));

  parts.push(block(`<h2 style="${H2}">What changed since the last report</h2>`
    + changeList('Numbers newly verified', '#1b5e20', m.changes.verified, m)
    + changeList('Numbers newly rejected', '#b71c1c', m.changes.rejected, m)
    + changeList('Business details newly complete', '#1b5e20', m.changes.complete, m)));

  if (opts.chartCid) {
    const legend = STATUS_STYLE.filter((s) => (m.totals.numbers[s.status] ?? 0) > 0)
      .map((s) => `<span style="${FONT}font-size:13px;margin-right:12px;display:inline-block;"><span style="display:inline-block;width:10px;height:10px;background:${s.color};"></span> ${e(s.label)} ${m.totals.numbers[s.status]}</span>`).join('');
    parts.push(block(`<h2 style="${H2}">Number verification</h2>`
      + `<img src="cid:${e(opts.chartCid)}" width="${CHART_WIDTH}" alt="${e(chartAltText(m.chart))}" style="display:block;width:100%;max-width:${CHART_WIDTH}px;height:auto;border:0;">`
      + `<div style="margin-top:6px;">${legend || `<span style="${MUTED}">No numbers yet.</span>`}</div>`, 'chart'));
  }

  for (const s of m.admin?.sections ?? []) parts.push(block(sectionHtml(s), `section-${s.id}`));

  parts.push(`<tr><td style="padding:14px 20px 18px 20px;${MUTED}${WRAP}">Generated ${e(formatTime(m.generatedAt, tz))} ${e(tz)} by updox-sync.`
    + ` Attached: actions.csv (${plural(opts.csv.actions.rows, 'issue')}), changes.csv (${plural(opts.csv.changes.rows, 'change')}).`
    + (m.kind === 'manager' ? ` Questions: ${e(m.contact)}.` : '') + '</td></tr>');

  return '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">'
    + '<meta name="x-apple-disable-message-reformatting"><meta name="color-scheme" content="light">'
    + `<title>${e(subjectOf(m))}</title></head><body style="margin:0;padding:0;background:#f4f5f7;">`
    + '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f5f7;"><tr><td align="center" style="padding:12px 6px;">'
    + `<!--[if mso]><table role="presentation" width="${MAX_WIDTH}" cellpadding="0" cellspacing="0"><tr><td><![endif]-->`
    + `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="width:100%;max-width:${MAX_WIDTH}px;background:#ffffff;border:1px solid #e1e4e8;">`
    + parts.join('') + '</table><!--[if mso]></td></tr></table><![endif]--></td></tr></table></body></html>';
}
