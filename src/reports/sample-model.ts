/**
 * A realistic sample report (a manager with a mix of problems), for the committed screenshots
 * (docs/report-sample*.png, made by src/reports/sample.ts) and the renderer tests. The issue texts
 * come from the same describeIssue() the model uses. Pure.
 */
import { describeIssue, type IssueInput } from './describe';
import type { BuiltReport } from './model';
import { csvInMemory } from './csv-file';
import { CHANGE_COLUMNS, changeCsvRow, issueColumns, issueCsvRow } from './render-csv';
import type { ChangeItem, Issue, PracticeToFix, ReportModel } from './types';

const M = 'priya@partner.example';
const ASK = 'Partner operations (ops@partner.example)';
const PORTAL = 'https://partner.example/updox/practices/{accountId}';

const missing = (field: string) => ({ code: 'MISSING_FIELD', side: 'account', field, severity: 'error' });
const issue = (i: Omit<IssueInput, 'ask' | 'waitedBusinessDays'> & { since: string; waited?: number }): Issue => ({
  reason: i.reason, number: i.number, since: i.since, vendorCode: i.code,
  detail: describeIssue({ ...i, ask: ASK, waitedBusinessDays: i.waited ?? null }),
});
const practice = (accountId: string, practiceName: string, issues: Issue[]): PracticeToFix => ({
  accountId, practiceName, manager: M, action: issues[0]!.detail, issues, issueTotal: issues.length,
  fixAt: { url: PORTAL.replace('{accountId}', accountId) },
});

export function sampleReport(): BuiltReport {
  const poBox = { code: 'PO_BOX_ONLY', side: 'account', field: 'address1', severity: 'error',
    message: 'The only address is a PO box ("PO BOX 12"). Add the practice\'s street address: carriers do not accept a PO box alone.' };
  const practices: PracticeToFix[] = [
    practice('tp-1042', 'Lakeside Family Medicine', [
      issue({ reason: 'SAVE_FAILED', code: 4060, message: 'postal: must be 5 or 9 digits', findings: [], number: null, since: '2026-11-23T02:14:00.000Z' }),
    ]),
    practice('tp-0977', 'Northgate Pediatrics', [
      issue({ reason: 'DETAILS_INSUFFICIENT', code: 4039, message: null, findings: [missing('address1'), missing('websiteUrl')], number: null, since: '2026-11-22T15:40:00.000Z' }),
      issue({ reason: 'DETAILS_INCOMPLETE', code: null, message: null, findings: [missing('address1'), missing('websiteUrl')], number: null, since: '2026-11-22T06:00:00.000Z' }),
    ]),
    practice('tp-0311', 'Riverbend Dermatology', [
      issue({ reason: 'NUMBER_REJECTED', code: null, message: 'REJECTED', findings: [poBox], number: '6145550143', since: '2026-11-21T09:05:00.000Z' }),
      issue({ reason: 'DETAILS_INCOMPLETE', code: null, message: null, findings: [poBox], number: null, since: '2026-11-21T06:00:00.000Z' }),
    ]),
    practice('tp-0520', 'Maple Street Dental & Implants', [
      issue({ reason: 'DETAILS_INCOMPLETE', code: null, message: null, findings: [missing('city'), missing('postal')], number: null, since: '2026-11-20T06:00:00.000Z' }),
    ]),
    practice('tp-0618', 'Harbor View Orthopedics', [
      issue({ reason: 'DETAILS_INCOMPLETE', code: null, message: null, number: null, since: '2026-11-19T06:00:00.000Z',
        findings: [{ code: 'INVALID_STATE', side: 'account', field: 'state', severity: 'error', message: 'The state "XX" is not a US state code. Use the two-letter postal code, such as OH.' }] }),
    ]),
    practice('tp-0733', 'Summit Eye Care', [
      issue({ reason: 'NUMBER_OVERDUE', code: null, message: 'PENDING', findings: [], number: '6145550187', since: '2026-11-16T12:00:00.000Z', waited: 6 }),
    ]),
  ];
  const changes: ChangeItem[] = [
    { kind: 'verified', accountId: 'tp-0101', practiceName: 'Oakwood Internal Medicine', manager: M, number: '6145550101', at: '2026-11-23T18:02:00.000Z' },
    { kind: 'verified', accountId: 'tp-0102', practiceName: 'Clearwater Cardiology', manager: M, number: '6145550102', at: '2026-11-23T20:45:00.000Z' },
    { kind: 'rejected', accountId: 'tp-0311', practiceName: 'Riverbend Dermatology', manager: M, number: '6145550143', at: '2026-11-23T11:30:00.000Z' },
    { kind: 'complete', accountId: 'tp-0208', practiceName: 'Brookside Women\'s Health', manager: M, number: null, at: '2026-11-24T06:01:00.000Z' },
  ];
  const days = Array.from({ length: 14 }, (_, i) => `2026-11-${String(11 + i).padStart(2, '0')}`);
  const verified = [20, 21, 21, 23, 24, 24, 26, 27, 29, 30, 30, 32, 33, 35];
  const pending = [14, 13, 14, 12, 12, 13, 11, 10, 9, 9, 10, 8, 8, 6];
  const rejected = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2];
  const notStarted = [8, 8, 7, 7, 6, 5, 5, 5, 4, 4, 3, 3, 2, 2];
  const issues = practices.flatMap((p) => p.issues);
  const issueCounts: ReportModel['issueCounts'] = {};
  for (const i of issues) issueCounts[i.reason] = (issueCounts[i.reason] ?? 0) + 1;
  const model: ReportModel = {
    kind: 'manager',
    recipient: { email: M, name: 'Priya Raman' },
    partner: { id: 'acme-ehr', name: 'Acme EHR' },
    period: { kind: 'daily', label: '2026-11-24', start: '2026-11-24T05:00:00.000Z', end: '2026-11-25T05:00:00.000Z', timeZone: 'America/New_York' },
    generatedAt: '2026-11-24T12:00:00.000Z',
    since: '2026-11-23T12:00:00.000Z',
    previousReport: { period: '2026-11-23', at: '2026-11-23T12:00:00.000Z' },
    previousFailure: null,
    totals: {
      practices: 48, active: 46, smsReady: 33, practicesNeedingAction: practices.length, issues: issues.length,
      numbers: { verified: 35, pending: 6, not_started: 2, rejected: 2 }, audit: { complete: 38, warnings: 5, incomplete: 3 },
    },
    practices: { items: practices, total: practices.length },
    issueCounts,
    partnerIssues: [],
    changes: {
      verified: { items: changes.slice(0, 2), total: 2 },
      rejected: { items: changes.slice(2, 3), total: 1 },
      complete: { items: changes.slice(3), total: 1 },
    },
    chart: { days, series: { verified, pending, rejected, not_started: notStarted } },
    contact: ASK,
    admin: null,
    listCap: 25,
  };
  const actions = csvInMemory(issueColumns('manager'), practices.flatMap((p) => p.issues.map((i) => issueCsvRow('manager', p, i))));
  const changed = csvInMemory(CHANGE_COLUMNS, changes.map(changeCsvRow));
  return { model, csv: { actions, changes: changed }, dispose: () => Promise.resolve() };
}
