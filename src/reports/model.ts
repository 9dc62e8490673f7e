/**
 * Builds one recipient's report from the database: queries → plain data (types.ts) plus the CSV
 * attachments. Long lists are read through a cursor (queries.ts `streamRows`): the email body keeps
 * the first `listCap` rows of each list and the counts, the CSV gets every row.
 */
import type { Knex } from 'knex';
import { describeAction } from './describe';
import { chartDays, type Period } from './period';
import { actionsSql, changesSql, chartSql, scopeSql, streamRows, type ActionRow, type ChangeRow, type Scope } from './queries';
import { ACTION_COLUMNS, CHANGE_COLUMNS, CsvBuilder, actionCsvRow, changeCsvRow } from './render-csv';
import type { ActionItem, ActionReason, ChangeItem, ChangeKind, ManagerLine, ReportKind, ReportModel, RunLine } from './types';

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
  listCap?: number;
  /** Days shown in the chart. */
  chartDays?: number;
  pageSize?: number;
}

export interface BuiltReport {
  model: ReportModel;
  csv: { actions: string; changes: string };
}

const iso = (d: Date | string | null | undefined): string | null => (d == null ? null : new Date(d).toISOString());

export async function buildReport(db: Knex, input: ReportInput): Promise<BuiltReport> {
  const listCap = input.listCap ?? 25;
  const scope: Scope = input.kind === 'admin' ? { all: true } : { manager: input.recipient.email };
  const { now } = input;

  // Actions: one pass over the cursor → capped list, counts, CSV, needing-action per manager.
  const actionsCsv = new CsvBuilder(ACTION_COLUMNS);
  const actions: ActionItem[] = [];
  const actionCounts: Partial<Record<ActionReason, number>> = {};
  const needing = new Map<string, Set<string>>(); // manager (lower-case or '') → accounts
  let actionTotal = 0;
  for await (const r of streamRows<ActionRow>(db, actionsSql(scope, now), input.pageSize)) {
    const reason = r.reason as ActionReason;
    const item: ActionItem = {
      accountId: r.account_id, practiceName: r.name, manager: r.manager, reason, number: r.number,
      code: r.code == null ? null : Number(r.code),
      detail: describeAction({ reason, code: r.code == null ? null : Number(r.code), message: r.message, findings: r.findings, since: r.since, now }),
      since: iso(r.since),
    };
    actionTotal++;
    actionCounts[reason] = (actionCounts[reason] ?? 0) + 1;
    if (actions.length < listCap) actions.push(item);
    actionsCsv.add(actionCsvRow(item));
    const key = (r.manager ?? '').toLowerCase();
    if (!needing.has(key)) needing.set(key, new Set());
    needing.get(key)!.add(r.account_id);
  }

  // Changes since the previous report.
  const changesCsv = new CsvBuilder(CHANGE_COLUMNS);
  const changes: ReportModel['changes'] = {
    verified: { items: [], total: 0 }, rejected: { items: [], total: 0 }, complete: { items: [], total: 0 },
  };
  for await (const r of streamRows<ChangeRow>(db, changesSql(scope, input.since, now), input.pageSize)) {
    const kind = r.kind as ChangeKind;
    const item: ChangeItem = { kind, accountId: r.account_id, practiceName: r.name, manager: r.manager, number: r.number, at: iso(r.at)! };
    const list = changes[kind];
    list.total++;
    if (list.items.length < listCap) list.items.push(item);
    changesCsv.add(changeCsvRow(item));
  }

  const [totals, legacy, runs, heldRuns, chart, managers] = await Promise.all([
    loadTotals(db, scope),
    loadLegacy(db, scope, input.since),
    loadRuns(db, `r.created_at > ? AND r.created_at <= ? AND r.kind <> 'report'`, [input.since, now], listCap),
    loadRuns(db, `r.status = 'held'`, [], 100),
    loadChart(db, scope, input.period, now, input.chartDays ?? (input.period.kind === 'daily' ? 14 : 28)),
    input.kind === 'admin' ? loadManagerLines(db, input.managers, needing) : Promise.resolve(null),
  ]);
  const allNeeding = new Set<string>();
  for (const s of needing.values()) for (const a of s) allNeeding.add(a);

  const model: ReportModel = {
    kind: input.kind,
    recipient: input.recipient,
    partner: input.partner,
    period: { kind: input.period.kind, label: input.period.label, start: input.period.start.toISOString(), end: input.period.end.toISOString(), timeZone: input.period.timeZone },
    generatedAt: now.toISOString(),
    since: input.since.toISOString(),
    previousReport: input.previousReport,
    previousFailure: input.previousFailure,
    totals: { ...totals, needingAction: allNeeding.size },
    actions: { items: actions, total: actionTotal },
    actionCounts,
    changes,
    runs,
    heldRuns: heldRuns.items,
    legacy,
    chart,
    managers,
    listCap,
  };
  return { model, csv: { actions: actionsCsv.text(), changes: changesCsv.text() } };
}

async function loadTotals(db: Knex, scope: Scope): Promise<Omit<ReportModel['totals'], 'needingAction'>> {
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

async function loadLegacy(db: Knex, scope: Scope, since: Date): Promise<ReportModel['legacy']> {
  const s = scopeSql(scope, 'p.manager_email');
  const { rows: [r] } = await db.raw<{ rows: { legacy: number; current: number; unknown: number }[] }>(
    `SELECT count(*) FILTER (WHERE p.api_version = 'legacy')::int AS legacy, count(*) FILTER (WHERE p.api_version = '1.1')::int AS current,
            count(*) FILTER (WHERE p.api_version IS NULL OR p.api_version NOT IN ('legacy', '1.1'))::int AS unknown
     FROM practices p WHERE p.active IS NOT FALSE AND ${s.sql}`, s.bindings as Knex.RawBinding[]);
  const { rows: [u] } = await db.raw<{ rows: { n: number }[] }>(
    `SELECT count(DISTINCT a.account_id)::int AS n FROM sync_actions a JOIN practices p ON p.account_id = a.account_id
     WHERE a.op = 'upgrade' AND a.status = 'succeeded' AND a.finished_at > ? AND ${s.sql}`, [since, ...s.bindings] as Knex.RawBinding[]);
  return { legacy: r?.legacy ?? 0, current: r?.current ?? 0, unknown: r?.unknown ?? 0, upgradedSince: u?.n ?? 0 };
}

interface RunDbRow {
  id: string; kind: string; source: string | null; status: string; dry_run: boolean; created_at: Date; finished_at: Date | null;
  import_stats: Record<string, unknown> | null; held_reason: string | null; halt_reason: string | null; error_code: string | null; error_message: string | null;
}

async function loadRuns(db: Knex, where: string, bindings: unknown[], cap: number): Promise<ReportModel['runs']> {
  const { rows } = await db.raw<{ rows: (RunDbRow & { total: number })[] }>(
    `SELECT r.*, count(*) OVER ()::int AS total FROM runs r WHERE ${where} ORDER BY r.created_at DESC LIMIT ?`,
    [...bindings, cap] as Knex.RawBinding[]);
  if (!rows.length) return { items: [], total: 0 };
  const { rows: acts } = await db.raw<{ rows: { run_id: string; op: string; status: string; n: number }[] }>(
    `SELECT run_id, op, status, count(*)::int AS n FROM sync_actions WHERE run_id = ANY(?::uuid[]) GROUP BY 1, 2, 3`, [rows.map((r) => r.id)]);
  const items: RunLine[] = rows.map((r) => ({
    id: r.id, kind: r.kind, source: r.source, status: r.status, dryRun: r.dry_run,
    createdAt: iso(r.created_at)!, finishedAt: iso(r.finished_at),
    counts: runCounts(r, acts.filter((a) => a.run_id === r.id)),
    heldReason: r.held_reason, haltReason: r.halt_reason,
    error: r.error_code || r.error_message ? `${r.error_code ?? ''}${r.error_code && r.error_message ? ': ' : ''}${r.error_message ?? ''}` : null,
  }));
  return { items, total: rows[0]!.total };
}

const DONE: Record<string, string> = { create: 'created', update: 'updated', upgrade: 'upgraded', deactivate: 'deactivated', reactivate: 'reactivated' };

function runCounts(run: RunDbRow, acts: { op: string; status: string; n: number }[]): string {
  const parts: string[] = [];
  const stats = (run.import_stats ?? {}) as { read?: number; quarantined?: number; stats?: { read?: number; quarantined?: number } };
  const s = stats.stats ?? stats;
  if (s.read != null) parts.push(`${s.read} read`);
  if (s.quarantined) parts.push(`${s.quarantined} quarantined`);
  const sum = (f: (a: { op: string; status: string }) => boolean) => acts.filter(f).reduce((n, a) => n + a.n, 0);
  for (const op of Object.keys(DONE)) {
    const n = sum((a) => a.op === op && (run.dry_run || a.status === 'succeeded'));
    if (n) parts.push(`${n} ${run.dry_run ? `to ${op}` : DONE[op]}`);
  }
  const failed = sum((a) => a.status === 'failed' || a.status === 'halted');
  if (failed) parts.push(`${failed} failed`);
  const pending = sum((a) => a.status === 'pending' || a.status === 'in_flight');
  if (pending && !run.dry_run) parts.push(`${pending} pending`);
  return parts.join(', ') || 'no changes';
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

async function loadManagerLines(db: Knex, managers: ReportInput['managers'], needing: Map<string, Set<string>>): Promise<ManagerLine[]> {
  const { rows } = await db.raw<{ rows: { email: string | null; n: number }[] }>(
    `SELECT lower(manager_email) AS email, count(*)::int AS n FROM practices WHERE active IS NOT FALSE GROUP BY 1`);
  const known = new Set(managers.map((m) => m.email.toLowerCase()));
  const count = new Map(rows.map((r) => [r.email ?? '', r.n]));
  const lines: ManagerLine[] = managers.map((m) => ({
    email: m.email, name: m.name, practices: count.get(m.email.toLowerCase()) ?? 0, needingAction: needing.get(m.email.toLowerCase())?.size ?? 0,
  }));
  let unPractices = 0;
  const unNeeding = new Set<string>();
  for (const [email, n] of count) if (!known.has(email)) unPractices += n;
  for (const [email, set] of needing) if (!known.has(email)) for (const a of set) unNeeding.add(a);
  lines.push({ email: null, name: 'Unassigned (no or unknown manager)', practices: unPractices, needingAction: unNeeding.size });
  return lines;
}
