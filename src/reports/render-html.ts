/**
 * The HTML part: table layout with inline styles only (Gmail, Outlook and Apple Mail drop <style>
 * blocks or parts of them), a 720px column, the chart as an <img> by Content-ID. Every value that
 * comes from data (practice names, vendor messages, emails) goes through escapeHtml. Pure.
 */
import { needsAttention } from '../runs/status';
import { CHART_HEIGHT, CHART_WIDTH, STATUS_STYLE } from './render-chart';
import { escapeHtml as e, formatTime, moreText, plural, subjectOf } from './format';
import { ACTION_LABELS, type ActionItem, type ActionReason, type ChangeItem, type ReportModel, type RunLine } from './types';

export interface HtmlOptions {
  /** Content-ID of the chart image (without cid:); omit to leave the chart out. */
  chartCid?: string;
  csv: { actions: string; changes: string };
}

const FONT = 'font-family:Arial,Helvetica,sans-serif;';
const TH = `${FONT}font-size:12px;text-align:left;padding:6px 8px;background:#f0f2f5;color:#444;border-bottom:1px solid #d9dde3;`;
const TD = `${FONT}font-size:13px;padding:6px 8px;border-bottom:1px solid #eceef1;vertical-align:top;color:#222;`;
const H2 = `${FONT}font-size:16px;margin:0 0 8px 0;color:#1b2a41;`;
const MUTED = `${FONT}font-size:12px;color:#666;`;
const REASON_COLOR: Record<ActionReason, string> = {
  SAVE_FAILED: '#c62828', DETAILS_INSUFFICIENT: '#ad1457', NUMBER_REJECTED: '#c62828', DETAILS_INCOMPLETE: '#ef6c00', NUMBER_OVERDUE: '#b7791f',
};

const section = (inner: string) => `<tr><td style="padding:16px 24px 8px 24px;">${inner}</td></tr>`;
const table = (id: string, head: string[], rows: string[]) =>
  `<table role="presentation" id="${id}" width="100%" cellpadding="0" cellspacing="0" style="border-collapse:collapse;width:100%;">`
  + `<tr>${head.map((h) => `<th style="${TH}">${e(h)}</th>`).join('')}</tr>${rows.join('')}</table>`;
const more = (shown: number, total: number, file: string) => {
  const t = moreText(shown, total, file);
  return t ? `<p style="${MUTED}margin:6px 0 0 0;">${e(t)}</p>` : '';
};

function tiles(m: ReportModel): string {
  const rejected = m.actionCounts.NUMBER_REJECTED ?? 0;
  const overdue = m.actionCounts.NUMBER_OVERDUE ?? 0;
  const tile = (label: string, value: number, color: string) =>
    `<td width="20%" style="padding:10px 6px;text-align:center;border:1px solid #e6e8eb;background:#fafbfc;">`
    + `<div style="${FONT}font-size:22px;font-weight:bold;color:${color};">${value}</div><div style="${MUTED}">${e(label)}</div></td>`;
  return `<table role="presentation" width="100%" cellpadding="0" cellspacing="4" style="width:100%;"><tr>`
    + tile('active practices', m.totals.active, '#1b2a41')
    + tile('SMS ready', m.totals.smsReady, '#2e7d32')
    + tile('need action', m.totals.needingAction, m.totals.needingAction ? '#c62828' : '#2e7d32')
    + tile('rejected numbers', rejected, rejected ? '#c62828' : '#666')
    + tile('overdue numbers', overdue, overdue ? '#b7791f' : '#666')
    + '</tr></table>';
}

function actionRow(a: ActionItem, m: ReportModel): string {
  const badge = `<span style="${FONT}font-size:11px;font-weight:bold;color:#fff;background:${REASON_COLOR[a.reason]};padding:2px 6px;border-radius:3px;white-space:nowrap;">${e(ACTION_LABELS[a.reason])}</span>`;
  const who = m.kind === 'admin' ? `<div style="${MUTED}">${e(a.manager ?? 'unassigned')}</div>` : '';
  return `<tr><td style="${TD}"><strong>${e(a.practiceName ?? '(no name)')}</strong><div style="${MUTED}">${e(a.accountId)}${a.number ? ` · ${e(a.number)}` : ''}</div>${who}</td>`
    + `<td style="${TD}">${badge}</td><td style="${TD}">${e(a.detail)}</td>`
    + `<td style="${TD}white-space:nowrap;">${e(formatTime(a.since, m.period.timeZone, true))}</td></tr>`;
}

function changeList(title: string, color: string, list: { items: ChangeItem[]; total: number }, m: ReportModel): string {
  const items = list.items.map((c) => `<li style="${FONT}font-size:13px;margin:2px 0;">${e(c.practiceName ?? c.accountId)}`
    + ` <span style="${MUTED}">${e(c.accountId)}${c.number ? ` · ${e(c.number)}` : ''} · ${e(formatTime(c.at, m.period.timeZone))}</span></li>`).join('');
  return `<div style="${FONT}font-size:14px;font-weight:bold;color:${color};margin:8px 0 2px 0;">${e(title)}: ${list.total}</div>`
    + (items ? `<ul style="margin:0;padding-left:20px;">${items}</ul>` : '') + more(list.items.length, list.total, 'changes.csv');
}

function runRow(r: RunLine, m: ReportModel): string {
  const color = r.status === 'succeeded' ? '#2e7d32' : needsAttention(r.status) ? '#c62828' : '#444';
  const notes = [r.heldReason && `held: ${r.heldReason}`, r.haltReason && `halted: ${r.haltReason}`, r.error].filter(Boolean).join(' · ');
  return `<tr><td style="${TD}white-space:nowrap;">${e(formatTime(r.createdAt, m.period.timeZone))}</td><td style="${TD}">${e(r.kind)}${r.source ? ` · ${e(r.source)}` : ''}${r.dryRun ? ' (dry run)' : ''}</td>`
    + `<td style="${TD}color:${color};font-weight:bold;">${e(r.status.replace(/_/g, " "))}</td><td style="${TD}">${e(r.counts)}${notes ? `<div style="${MUTED}color:#c62828;">${e(notes)}</div>` : ''}</td></tr>`;
}

function legacyBar(m: ReportModel): string {
  const { legacy, current } = m.legacy;
  const total = legacy + current;
  if (!total) return `<p style="${MUTED}">No API-version information yet.</p>`;
  const pct = Math.round((current / total) * 100);
  return `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="width:100%;border:1px solid #d9dde3;"><tr>`
    + (pct > 0 ? `<td width="${pct}%" style="background:#2e7d32;height:14px;font-size:1px;line-height:1px;">&nbsp;</td>` : '')
    + (pct < 100 ? `<td width="${100 - pct}%" style="background:#f2a900;height:14px;font-size:1px;line-height:1px;">&nbsp;</td>` : '')
    + `</tr></table><p style="${FONT}font-size:13px;margin:6px 0 0 0;">${current} of ${total} on PracticeSave/1.1 (${pct}%), ${legacy} still legacy`
    + `${m.legacy.upgradedSince ? `; ${m.legacy.upgradedSince} upgraded since the last report` : ''}.</p>`;
}

export function renderHtml(m: ReportModel, opts: HtmlOptions): string {
  const tz = m.period.timeZone;
  const parts: string[] = [];
  const who = m.kind === 'admin' ? 'Partner-wide report' : `Report for ${m.recipient.name}`;
  parts.push(`<tr><td style="padding:20px 24px;background:#1b2a41;border-radius:6px 6px 0 0;">`
    + `<div style="${FONT}font-size:12px;color:#b8c4d6;">${e(m.partner.name)} · SMS readiness · ${e(m.period.kind === 'daily' ? 'daily' : 'weekly')} ${e(m.period.label)}</div>`
    + `<div style="${FONT}font-size:20px;font-weight:bold;color:#ffffff;margin-top:4px;">${e(who)}</div>`
    + `<div style="${FONT}font-size:12px;color:#b8c4d6;margin-top:4px;">Changes since ${e(formatTime(m.since, tz))} (${e(tz)})</div></td></tr>`);
  if (m.previousFailure) {
    parts.push(section(`<div id="previous-failure" style="${FONT}font-size:13px;background:#fdecea;border:1px solid #f5c2c0;color:#8a1c1c;padding:10px 12px;">`
      + `The last report (${e(m.previousFailure.period)}) could not be delivered: ${e(m.previousFailure.error)}</div>`));
  }
  if (m.heldRuns.length) {
    parts.push(section(`<div style="${FONT}font-size:13px;background:#fff4e5;border:1px solid #f5d29a;color:#7a4a00;padding:10px 12px;">`
      + m.heldRuns.map((r) => `Run ${e(r.id)} (${e(r.source ?? r.kind)}) is held and changes nothing until approved: ${e(r.heldReason ?? '')}`).join('<br>') + '</div>'));
  }
  parts.push(section(tiles(m)));

  const actionRows = m.actions.items.map((a) => actionRow(a, m));
  parts.push(section(`<h2 style="${H2}">Needs action (${m.actions.total})</h2>`
    + (m.actions.total
      ? table('actions', ['Practice', 'Issue', 'What to fix', 'Since'], actionRows) + more(m.actions.items.length, m.actions.total, 'actions.csv')
      : `<p id="actions" style="${FONT}font-size:13px;color:#2e7d32;">Nothing needs your action. Every practice is ready or on its way.</p>`)));

  parts.push(section(`<h2 style="${H2}">What changed</h2>`
    + changeList('Numbers newly verified', '#2e7d32', m.changes.verified, m)
    + changeList('Numbers newly rejected', '#c62828', m.changes.rejected, m)
    + changeList('Business details newly complete', '#1b5e20', m.changes.complete, m)));

  if (opts.chartCid) {
    const legend = STATUS_STYLE.filter((s) => (m.totals.numbers[s.status] ?? 0) > 0)
      .map((s) => `<span style="${FONT}font-size:12px;margin-right:12px;white-space:nowrap;"><span style="display:inline-block;width:10px;height:10px;background:${s.color};"></span> ${e(s.label)} ${m.totals.numbers[s.status]}</span>`).join('');
    parts.push(section(`<h2 style="${H2}">Number verification</h2>`
      + `<img src="cid:${e(opts.chartCid)}" width="${CHART_WIDTH}" height="${CHART_HEIGHT}" alt="Stacked bar chart of SMS number statuses per day" style="display:block;width:100%;max-width:${CHART_WIDTH}px;height:auto;border:0;">`
      + `<div style="margin-top:6px;">${legend || `<span style="${MUTED}">No numbers yet.</span>`}</div>`));
  }

  if (m.managers) {
    parts.push(section(`<h2 style="${H2}">By manager</h2>` + table('managers', ['Manager', 'Active practices', 'Need action'],
      m.managers.map((l) => `<tr><td style="${TD}">${e(l.name)}${l.email ? `<div style="${MUTED}">${e(l.email)}</div>` : ''}</td><td style="${TD}">${l.practices}</td><td style="${TD}">${l.needingAction}</td></tr>`))));
  }

  parts.push(section(`<h2 style="${H2}">Runs since the last report (${m.runs.total})</h2>`
    + (m.runs.items.length ? table('runs', ['Started', 'Run', 'Status', 'Result'], m.runs.items.map((r) => runRow(r, m))) + more(m.runs.items.length, m.runs.total, 'the runs command')
      : `<p style="${MUTED}">No runs.</p>`)));
  parts.push(section(`<h2 style="${H2}">Legacy upgrade progress</h2>${legacyBar(m)}`));

  const rows = (csv: string) => Math.max(0, csv.split('\r\n').length - 2);
  parts.push(`<tr><td style="padding:16px 24px 20px 24px;${MUTED}">Generated ${e(formatTime(m.generatedAt, tz))} ${e(tz)} by updox-sync.`
    + ` Attached: actions.csv (${plural(rows(opts.csv.actions), 'row')}), changes.csv (${plural(rows(opts.csv.changes), 'row')}).</td></tr>`);

  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">`
    + `<title>${e(subjectOf(m))}</title></head><body style="margin:0;padding:0;background:#f4f5f7;">`
    + `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f5f7;"><tr><td align="center" style="padding:24px 12px;">`
    + `<table role="presentation" width="720" cellpadding="0" cellspacing="0" style="width:100%;max-width:720px;background:#ffffff;border:1px solid #e1e4e8;border-radius:6px;">`
    + parts.join('') + '</table></td></tr></table></body></html>';
}
