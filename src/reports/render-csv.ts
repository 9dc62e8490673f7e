/**
 * CSV attachments: RFC 4180 quoting, CRLF line ends, a UTF-8 BOM so spreadsheets read accents, and
 * every cell passed through csvSafe (formula-injection guard, src/sms/csv-safe.ts). Rows are added
 * one at a time (the model streams them); the result is the attachment's text. Pure.
 */
import { csvSafe } from '../sms/csv-safe';
import { ACTION_LABELS, type ActionItem, type ChangeItem } from './types';

const quote = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** One CSV line (with CRLF) of already-ordered values. */
export function csvLine(values: readonly unknown[]): string {
  return `${values.map((v) => quote(csvSafe(v))).join(',')}\r\n`;
}

export const ACTION_COLUMNS = ['account_id', 'practice', 'manager', 'reason', 'reason_code', 'number', 'vendor_code', 'what_to_fix', 'since'] as const;
export const CHANGE_COLUMNS = ['change', 'account_id', 'practice', 'manager', 'number', 'at'] as const;

export const actionCsvRow = (a: ActionItem): string =>
  csvLine([a.accountId, a.practiceName, a.manager ?? 'unassigned', ACTION_LABELS[a.reason], a.reason, a.number, a.code, a.detail, a.since]);

export const changeCsvRow = (c: ChangeItem): string =>
  csvLine([c.kind === 'complete' ? 'details complete' : `number ${c.kind}`, c.accountId, c.practiceName, c.manager ?? 'unassigned', c.number, c.at]);

/** Collects a CSV's lines; `text()` returns the file with a BOM and header. */
export class CsvBuilder {
  private readonly parts: string[];
  private count = 0;
  constructor(columns: readonly string[]) {
    this.parts = ['\uFEFF', csvLine(columns)];
  }
  add(line: string): void {
    this.parts.push(line);
    this.count++;
  }
  get rows(): number {
    return this.count;
  }
  text(): string {
    return this.parts.join('');
  }
}
