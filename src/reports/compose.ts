/**
 * One report → one MIME message (nodemailer options): text and HTML parts, the chart inline by
 * Content-ID, the CSV attachments, and a deterministic Message-ID per (recipient, kind, period) so
 * that the rare duplicate (see docs/reports.md, "the one window") is recognisable. The CSVs are
 * streams opened afresh by each call: compose once per send attempt.
 */
import { createHash } from 'node:crypto';
import type Mail from 'nodemailer/lib/mailer';
import { subjectOf } from './format';
import { renderChart } from './render-chart';
import { renderHtml } from './render-html';
import { renderText } from './render-text';
import type { BuiltReport } from './model';
import type { ReportKind } from './types';

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^-+|-+$/g, '') || 'x';

/** `<2026-11-24.manager.3f9a…@test-partner.updox-sync>`: the same for every attempt and every worker. */
export function reportMessageId(partnerId: string, recipient: string, kind: ReportKind, period: string): string {
  const h = createHash('sha256').update(`${partnerId}\n${recipient.toLowerCase()}\n${kind}\n${period}`).digest('hex').slice(0, 20);
  return `<${slug(period)}.${kind}.${h}@${slug(partnerId)}.updox-sync>`;
}

/** `2026-11-24/manager-priya-partner.example.eml` */
export const reportFileName = (recipient: string, kind: ReportKind, period: string) => `${slug(period)}/${kind}-${slug(recipient)}.eml`;

export function composeReport(built: BuiltReport, o: { from: string; messageId: string; date: Date }): Mail.Options {
  const m = built.model;
  const chartCid = `chart.${m.period.label}@updox-sync`;
  return {
    from: o.from,
    to: m.recipient.name ? { name: m.recipient.name, address: m.recipient.email } : m.recipient.email,
    subject: subjectOf(m),
    messageId: o.messageId,
    date: o.date,
    headers: { 'X-Updox-Sync-Report': `${m.kind}; period=${m.period.label}` },
    text: renderText(m),
    html: renderHtml(m, { chartCid, csv: built.csv }),
    attachments: [
      { filename: 'number-status-chart.png', content: renderChart(m.chart), contentType: 'image/png', cid: chartCid, contentDisposition: 'inline' },
      { filename: 'actions.csv', content: built.csv.actions.open(), contentType: 'text/csv; charset=utf-8' },
      { filename: 'changes.csv', content: built.csv.changes.open(), contentType: 'text/csv; charset=utf-8' },
    ],
  };
}
