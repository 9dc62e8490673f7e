/**
 * The report's CSV attachments (src/csv.ts: csv-stringify, BOM, CRLF, formula escaping): one row
 * per issue, and one per change. Pure: csv-file.ts writes them.
 */
import { csvLines } from '../csv';
import { ISSUE_LABELS, type ChangeItem, type FixAt, type Issue, type PracticeToFix, type ReportKind } from './types';

export { csvLines };

/** One row per issue; the admin's file also carries the reason and vendor codes. */
export const issueColumns = (kind: ReportKind): string[] => [
  'account_id', 'practice', 'manager', 'issue', 'number', 'what_to_do', 'fix_at', 'since',
  ...(kind === 'admin' ? ['reason_code', 'vendor_code'] : []),
];
export const CHANGE_COLUMNS = ['change', 'account_id', 'practice', 'manager', 'number', 'at'] as const;

export const fixAtText = (f: FixAt): string => ('url' in f ? f.url : `ask ${f.ask}`);

export const issueCsvRow = (kind: ReportKind, p: Pick<PracticeToFix, 'accountId' | 'practiceName' | 'manager' | 'fixAt'>, i: Issue): unknown[] => [
  p.accountId, p.practiceName, p.manager ?? 'unassigned', ISSUE_LABELS[i.reason], i.number, i.detail, fixAtText(p.fixAt), i.since,
  ...(kind === 'admin' ? [i.reason, i.vendorCode] : []),
];

export const changeCsvRow = (c: ChangeItem): unknown[] =>
  [c.kind === 'complete' ? 'details complete' : `number ${c.kind}`, c.accountId, c.practiceName, c.manager ?? 'unassigned', c.number, c.at];
