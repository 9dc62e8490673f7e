/**
 * Builds one recipient's report from the database: queries → plain data (types.ts) plus the CSV
 * attachments. The issues are read through a cursor (src/db/cursor.ts), grouped by practice: the
 * email body keeps the first `listCap` practices and every count, the CSV gets every issue.
 * The CSVs are written to files in a folder of their own under the system's temp folder as the rows
 * arrive (memory does not grow with the partner); `dispose()` removes it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import { loadAdminSections } from './admin-sections';
import { describeIssue, partnerFindings } from './describe';
import { chartDays, type Period } from './period';
import { streamRows } from '../db/cursor';
import { actionsSql, changesSql, chartSql, scopeSql, type ActionRow, type ChangeRow, type Scope } from './queries';
import { CsvFile, type CsvAttachment } from './csv-file';
import { CHANGE_COLUMNS, changeCsvRow, issueColumns, issueCsvRow } from './render-csv';
import type { ChangeItem, ChangeKind, FixAt, Issue, IssueReason, PracticeToFix, ReportKind, ReportModel } from './types';

export interface ReportInput {
  kind: ReportKind;
  recipient: { email: string; name: string };
  partner: { id: string; name: string };
  /** Configured managers (admin report: one line each; other emails count as unassigned). */
  managers: readonly { email: string; name: string }[];
  period: Period;
  /** Changes and runs are counted from here (the previous report, or one period back). */
  since: Date;
  previousReport: ReportModel['previousReport'];
  previousFailure: ReportModel['previousFailure'];
  now: Date;
  /** Whom a manager asks (reports.contact). */
  contact: string;
  /** Partner Portal link of a practice, `{accountId}` replaced (reports.portalUrl); unset: ask `contact`. */
  portalUrl?: string;
  /** Business days from `since` to `now` in the partner's calendar (numbers.*). */
  businessDaysBetween: (since: Date, now: Date) => number;
  listCap?: number;
  /** Days shown in the chart. */
  chartDays?: number;
  pageSize?: number;
}

export interface BuiltReport {
  model: ReportModel;
  csv: { actions: CsvAttachment; changes: CsvAttachment };
  /** Removes the attachments' files (call once the message is sent or written). */
  dispose(): Promise<void>;
}

/** Issues listed per practice in the email body; the CSV has all. */
export const ISSUES_SHOWN = 5;

const iso = (d: Date | string | null | undefined): string | null => (d == null ? null : new Date(d).toISOString());

export function fixAtFor(accountId: string, input: Pick<ReportInput, 'portalUrl' | 'contact'>): FixAt {
  return input.portalUrl ? { url: input.portalUrl.replaceAll('{accountId}', encodeURIComponent(accountId)) } : { ask: input.contact };
}

export async function buildReport(db: Knex, input: ReportInput): Promise<BuiltReport> {
  const dir = await mkdtemp(path.join(tmpdir(), 'updox-sync-report-'));
  const dispose = () => rm(dir, { recursive: true, force: true });
  try {
    return await buildInto(db, input, dir, dispose);
  } catch (err) {
    await dispose();
    throw err;
  }
}

async function buildInto(db: Knex, input: ReportInput, dir: string, dispose: () => Promise<void>): Promise<BuiltReport> {
  const listCap = input.listCap ?? 25;
  const scope: Scope = input.kind === 'admin' ? { all: true } : { manager: input.recipient.email };
  const { now } = input;

  // Issues: one pass over the cursor, grouped by practice (the query keeps a practice's rows together).
  const issuesCsv = new CsvFile(path.join(dir, 'actions.csv'), issueColumns(input.kind));
  const practices: PracticeToFix[] = [];
  const issueCounts: Partial<Record<IssueReason, number>> = {};
  const needing = new Map<string, number>(); // manager (lower-case or '') → practices needing action
  const partnerIssues = new Set<string>();
  let practiceTotal = 0;
  let issueTotal = 0;
  let current: PracticeToFix | null = null;
  for await (const r of streamRows<ActionRow>(db, actionsSql(scope, now), input.pageSize)) {
    const reason = r.reason as IssueReason;
    const code = r.code == null ? null : Number(r.code);
    const issue: Issue = {
      reason, number: r.number, since: iso(r.since), vendorCode: code,
      detail: describeIssue({
        reason, code, message: r.message, findings: r.findings, number: r.number, ask: input.contact,
        waitedBusinessDays: r.since && reason === 'NUMBER_OVERDUE' ? input.businessDaysBetween(new Date(r.since), now) : null,
      }),
    };
    for (const m of partnerFindings(r.findings)) if (partnerIssues.size < 20) partnerIssues.add(m);
    if (!current || current.accountId !== r.account_id) {
      current = { accountId: r.account_id, practiceName: r.name, manager: r.manager, action: issue.detail, issues: [], issueTotal: 0, fixAt: fixAtFor(r.account_id, input) };
      practiceTotal++;
      if (practices.length < listCap) practices.push(current);
      const key = (r.manager ?? '').toLowerCase();
      needing.set(key, (needing.get(key) ?? 0) + 1);
    }
    current.issueTotal++;
    if (current.issues.length < ISSUES_SHOWN) current.issues.push(issue);
    issueTotal++;
    issueCounts[reason] = (issueCounts[reason] ?? 0) + 1;
    await issuesCsv.add(issueCsvRow(input.kind, current, issue));
  }

  // Changes since the previous report.
  const changesCsv = new CsvFile(path.join(dir, 'changes.csv'), CHANGE_COLUMNS);
  const changes: ReportModel['changes'] = {
    verified: { items: [], total: 0 }, rejected: { items: [], total: 0 }, complete: { items: [], total: 0 },
  };
  for await (const r of streamRows<ChangeRow>(db, changesSql(scope, input.since, now), input.pageSize)) {
    const kind = r.kind as ChangeKind;
    const item: ChangeItem = { kind, accountId: r.account_id, practiceName: r.name, manager: r.manager, number: r.number, at: iso(r.at)! };
    const list = changes[kind];
    list.total++;
    if (list.items.length < listCap) list.items.push(item);
    await changesCsv.add(changeCsvRow(item));
  }

  const [totals, chart, sections] = await Promise.all([
    loadTotals(db, scope),
    loadChart(db, scope, input.period, now, input.chartDays ?? (input.period.kind === 'daily' ? 14 : 28)),
    input.kind === 'admin'
      ? loadAdminSections({ db, since: input.since, now, timeZone: input.period.timeZone, listCap, managers: input.managers, needing })
      : Promise.resolve(null),
  ]);

  const model: ReportModel = {
    kind: input.kind,
    recipient: input.recipient,
    partner: input.partner,
    period: { kind: input.period.kind, label: input.period.label, start: input.period.start.toISOString(), end: input.period.end.toISOString(), timeZone: input.period.timeZone },
    generatedAt: now.toISOString(),
    since: input.since.toISOString(),
    previousReport: input.previousReport,
    previousFailure: input.previousFailure,
    totals: { ...totals, practicesNeedingAction: practiceTotal, issues: issueTotal },
    practices: { items: practices, total: practiceTotal },
    issueCounts,
    partnerIssues: [...partnerIssues],
    changes,
    chart,
    contact: input.contact,
    admin: sections ? { sections } : null,
    listCap,
  };
  return { model, csv: { actions: await issuesCsv.finish(), changes: await changesCsv.finish() }, dispose };
}

async function loadTotals(db: Knex, scope: Scope): Promise<Omit<ReportModel['totals'], 'practicesNeedingAction' | 'issues'>> {
  const s = scopeSql(scope, 'p.manager_email');
  const { rows: [t] } = await db.raw<{ rows: { practices: number; active: number; ready: number }[] }>(
    `SELECT count(*)::int AS practices, count(*) FILTER (WHERE p.active IS NOT FALSE)::int AS active,
            count(*) FILTER (WHERE p.active IS NOT FALSE AND EXISTS (
              SELECT 1 FROM sms_numbers n WHERE n.account_id = p.account_id AND n.status = 'verified' AND NOT n.missing))::int AS ready
     FROM practices p WHERE ${s.sql}`, s.bindings as Knex.RawBinding[]);
  const { rows: numbers } = await db.raw<{ rows: { status: string; n: number }[] }>(
    `SELECT n.status, count(*)::int AS n FROM sms_numbers n JOIN practices p ON p.account_id = n.account_id
     WHERE NOT n.missing AND p.active IS NOT FALSE AND ${s.sql} GROUP BY 1`, s.bindings as Knex.RawBinding[]);
  const { rows: audit } = await db.raw<{ rows: { status: string; n: number }[] }>(
    `SELECT coalesce(p.audit_status, 'not audited') AS status, count(*)::int AS n FROM practices p
     WHERE p.active IS NOT FALSE AND ${s.sql} GROUP BY 1`, s.bindings as Knex.RawBinding[]);
  return {
    practices: t?.practices ?? 0, active: t?.active ?? 0, smsReady: t?.ready ?? 0,
    numbers: Object.fromEntries(numbers.map((r) => [r.status, r.n])),
    audit: Object.fromEntries(audit.map((r) => [r.status, r.n])),
  };
}

async function loadChart(db: Knex, scope: Scope, period: Period, now: Date, count: number): Promise<ReportModel['chart']> {
  const days = chartDays(period, count);
  const ends = days.map((d) => new Date(Math.min(d.end.getTime(), now.getTime())));
  const q = chartSql(scope, ends);
  const { rows } = await db.raw<{ rows: { ord: number; status: string; n: number }[] }>(q.sql, q.bindings as Knex.RawBinding[]);
  const series: Record<string, number[]> = {};
  for (const r of rows) {
    series[r.status] ??= days.map(() => 0);
    series[r.status]![r.ord - 1] = r.n;
  }
  // Days after `now` (a partial period) show nothing rather than repeating today's counts.
  days.forEach((d, i) => {
    if (d.end.getTime() - 86_400_000 > now.getTime()) for (const k of Object.keys(series)) series[k]![i] = 0;
  });
  return { days: days.map((d) => d.label), series };
}
