/**
 * One source record → one line of `COPY roster_rows … FROM STDIN` text, valid or not: a valid row
 * carries its normalized practice, an invalid one its raw cells and every issue (staging moves it
 * to roster_quarantine afterwards). Pure apart from the counters it keeps; the same code runs on
 * the CSV parse worker (csv-import-worker.ts) and on the main thread (partner-database sources),
 * so both produce byte-identical staged rows.
 */
import type { RosterField, SourceConfig } from '../config';
import { COLUMN_OF, PRACTICE_FIELDS } from '../practice';
import { deriveAccountId } from '../sync/account-id';
import { makeRules, normalizeRow, type Issue, type RawFields, type Warning } from './normalize';

/** The columns every line carries, in order. */
export const COPY_COLUMNS = [
  'run_id', 'row_number', 'external_id', 'account_id', ...PRACTICE_FIELDS.map((f) => COLUMN_OF[f]), 'manager_email', 'warnings', 'raw', 'issues',
];

/** What a row formatter needs; plain data, so it can be posted to a worker thread. */
export interface RowFormatConfig {
  runId: string;
  headers: string[];
  /** Mapped roster field → the cell index it reads. */
  index: Partial<Record<RosterField, number>>;
  source: Pick<SourceConfig, 'placeholders' | 'timeZoneFromState' | 'assign' | 'accountId'>;
}

export interface RowCounts {
  read: number;
  /** Rows written as valid (before duplicates are moved out). */
  valid: number;
  /** Rows written as invalid. */
  quarantined: number;
  /** `field:rule` → rows with that warning. */
  warnings: Record<string, number>;
}

export interface RowFormatter {
  /** The COPY line (with its newline) for one record. */
  line(row: number, cells: readonly (string | null | undefined)[]): string;
  readonly counts: RowCounts;
}

const NEEDS_ESCAPE = /[\\\t\n\r]/;
const BACKSLASH = /\\/g;
const TAB = /\t/g;
const NL = /\n/g;
const CR = /\r/g;

/** A value in COPY text format: `\N` for null, backslash, tab and line breaks escaped. */
export function copyText(v: string | null | undefined): string {
  if (v === null || v === undefined) return '\\N';
  return NEEDS_ESCAPE.test(v) ? v.replace(BACKSLASH, '\\\\').replace(TAB, '\\t').replace(NL, '\\n').replace(CR, '\\r') : v;
}

// Practice columns + manager_email, all null: the middle of an invalid row's line.
const NULL_PRACTICE = '\t\\N'.repeat(PRACTICE_FIELDS.length + 1);

export function createRowFormatter(cfg: RowFormatConfig): RowFormatter {
  const fields = Object.keys(cfg.index) as RosterField[];
  const cols = fields.map((f) => cfg.index[f]!);
  const nFields = fields.length;
  const rules = makeRules(cfg.source, fields);
  const accountRule = cfg.source.accountId;
  const headers = cfg.headers;
  const width = headers.length;
  const runCell = copyText(cfg.runId);
  const counts: RowCounts = { read: 0, valid: 0, quarantined: 0, warnings: {} };
  const warningCounts = counts.warnings;

  function line(row: number, cells: readonly (string | null | undefined)[]): string {
    counts.read++;
    const raw: RawFields = {};
    for (let k = 0; k < nFields; k++) raw[fields[k]!] = cells[cols[k]!];
    const res = normalizeRow(raw, rules);
    const warnings = res.warnings;
    for (let k = 0; k < warnings.length; k++) {
      const key = `${warnings[k]!.field}:${warnings[k]!.rule}`;
      warningCounts[key] = (warningCounts[key] ?? 0) + 1;
    }
    let issues: Issue[] | null = res.ok ? null : res.issues;
    if (cells.length !== width && (cells.length < width || hasExtraCells(cells, width))) {
      const issue: Issue = { field: '(row)', value: null, rule: 'column_count', message: `row has ${cells.length} cells, the header has ${width}` };
      issues = issues ? [issue, ...issues] : [issue];
    }
    if (issues || !res.ok) {
      counts.quarantined++;
      const externalId = res.ok ? res.row.externalId : res.externalId;
      return `${runCell}\t${row}\t${copyText(externalId)}\t\\N${NULL_PRACTICE}\t\\N\t${copyText(JSON.stringify(rawRecord(headers, cells)))}\t${copyText(JSON.stringify(issues))}\n`;
    }
    counts.valid++;
    const r = res.row;
    const v = r.values;
    let out = `${runCell}\t${row}\t${copyText(r.externalId)}\t${copyText(deriveAccountId(r.externalId, accountRule))}`;
    for (let k = 0; k < PRACTICE_FIELDS.length; k++) {
      const x = v[PRACTICE_FIELDS[k]!];
      out += typeof x === 'boolean' ? (x ? '\tt' : '\tf') : '\t' + copyText(x);
    }
    return `${out}\t${copyText(r.managerEmail)}\t${warnings.length ? copyText(JSON.stringify(warnings)) : '\\N'}\t\\N\t\\N\n`;
  }
  return { line, counts };
}

function hasExtraCells(cells: readonly (string | null | undefined)[], width: number): boolean {
  for (let i = width; i < cells.length; i++) {
    const c = cells[i];
    if (c && c.trim() !== '') return true;
  }
  return false;
}

/** The record as header → cell, for a quarantined row (extra cells get `column_N`). */
export function rawRecord(headers: readonly string[], cells: readonly (string | null | undefined)[]): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  const n = Math.max(headers.length, cells.length);
  for (let i = 0; i < n; i++) out[headers[i] || `column_${i + 1}`] = cells[i] ?? null;
  return out;
}

export type { Warning };
