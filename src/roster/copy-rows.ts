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
import { IdFingerprints } from './id-fingerprints';
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
  /** External ids that may occur on more than one row (staging checks them); null: check all rows. */
  duplicateSuspects: string[] | null;
  /** Rows written as valid (before duplicates are moved out). */
  valid: number;
  /** Rows written as invalid. */
  quarantined: number;
  /** `field:rule` → rows with that warning. */
  warnings: Record<string, number>;
}

export interface RowFormatter {
  /**
   * The COPY line (with its newline) for one record. `plain`: the caller has checked that no
   * cell holds a control character or a backslash, so no cell needs cleaning or escaping.
   */
  line(row: number, cells: readonly (string | null | undefined)[], plain?: boolean): string;
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

/**
 * Postgres text and jsonb cannot hold U+0000: in a quarantined row's raw cells and issues it is
 * written as U+2400 (SYMBOL FOR NULL), so the row is kept and shows where the NUL was.
 */
// An escaped NUL is `\u0000` after an even number of backslashes (an odd one escapes the `\`).
const NUL_ESCAPED = /(?<!\\)((?:\\\\)*)\\u0000/g;
const NUL = /\0/g;
const jsonbSafe = (json: string): string => (json.includes('\\u0000') ? json.replace(NUL_ESCAPED, '$1\u2400') : json);
const noNul = (v: string): string => (v.includes('\0') ? v.replace(NUL, '\u2400') : v);

/** copyText for a value known to need no escaping. */
const nullText = (v: string | null | undefined): string => (v === null || v === undefined ? '\\N' : v);

// Practice columns + manager_email, all null: the middle of an invalid row's line.
const NULL_PRACTICE = '\t\\N'.repeat(PRACTICE_FIELDS.length + 1);

/** An index past any record's end: an unmapped field reads `undefined`. */
const UNMAPPED = 0x3fffffff;

export function createRowFormatter(cfg: RowFormatConfig): RowFormatter {
  const fields = Object.keys(cfg.index) as RosterField[];
  const rules = makeRules(cfg.source, fields);
  const at = (f: RosterField) => cfg.index[f] ?? UNMAPPED;
  const iExternalId = at('externalId'), iName = at('name'), iAddress1 = at('address1'), iAddress2 = at('address2');
  const iCity = at('city'), iState = at('state'), iPostal = at('postal'), iPostalExt = at('postalExt'), iCountry = at('country');
  const iPhone = at('phone'), iFax = at('fax'), iWebsiteUrl = at('websiteUrl'), iAlternativeWebsiteUrl = at('alternativeWebsiteUrl');
  const iWebsiteAddress = at('websiteAddress'), iTimeZone = at('timeZone'), iDirectDomain = at('directDomain');
  const iDirectAddress = at('directAddress'), iManagerEmail = at('managerEmail'), iActive = at('active');
  const accountRule = cfg.source.accountId;
  const headers = cfg.headers;
  const width = headers.length;
  const runCell = copyText(cfg.runId);
  const ids = new IdFingerprints();
  const stats = { read: 0, valid: 0, quarantined: 0, warnings: {} as Record<string, number> };
  const warningCounts = stats.warnings;

  function line(row: number, cells: readonly (string | null | undefined)[], plain = false): string {
    stats.read++;
    // One object shape for every row (all fields, in ROSTER_FIELDS order).
    const raw: RawFields = {
      externalId: cells[iExternalId], name: cells[iName], address1: cells[iAddress1], address2: cells[iAddress2],
      city: cells[iCity], state: cells[iState], postal: cells[iPostal], postalExt: cells[iPostalExt], country: cells[iCountry],
      phone: cells[iPhone], fax: cells[iFax], websiteUrl: cells[iWebsiteUrl], alternativeWebsiteUrl: cells[iAlternativeWebsiteUrl],
      websiteAddress: cells[iWebsiteAddress], timeZone: cells[iTimeZone], directDomain: cells[iDirectDomain],
      directAddress: cells[iDirectAddress], managerEmail: cells[iManagerEmail], active: cells[iActive],
    };
    const res = normalizeRow(raw, rules, plain);
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
      stats.quarantined++;
      const externalId = res.ok ? res.row.externalId : res.externalId;
      if (externalId !== null) ids.add(externalId);
      return `${runCell}\t${row}\t${copyText(externalId === null ? null : noNul(externalId))}\t\\N${NULL_PRACTICE}\t\\N\t${copyText(jsonbSafe(JSON.stringify(rawRecord(headers, cells))))}\t${copyText(jsonbSafe(JSON.stringify(issues)))}\n`;
    }
    stats.valid++;
    const r = res.row;
    ids.add(r.externalId);
    const v = r.values;
    const esc = plain ? nullText : copyText;
    // In COPY_COLUMNS order (a unit test holds the two together). State, postal, country,
    // phone, fax, time zone and website address are validated to characters that need no
    // escaping; the free-text fields, ids, URLs and emails go through copyText.
    return `${runCell}\t${row}\t${esc(r.externalId)}\t${copyText(deriveAccountId(r.externalId, accountRule))}\t${esc(v.name)}\t${esc(v.address1)}\t${esc(v.address2)}\t${esc(v.city)}\t${v.state ?? '\\N'}\t${v.postal ?? '\\N'}\t${v.country ?? '\\N'}\t${v.phone ?? '\\N'}\t${v.fax ?? '\\N'}\t${esc(v.websiteUrl)}\t${esc(v.alternativeWebsiteUrl)}\t${v.websiteAddress ?? '\\N'}\t${v.timeZone ?? '\\N'}\t${esc(v.directDomain)}\t${esc(v.directAddress)}\t${v.active === null ? '\\N' : v.active ? 't' : 'f'}\t${esc(r.managerEmail)}\t${warnings.length ? copyText(JSON.stringify(warnings)) : '\\N'}\t\\N\t\\N\n`;
  }
  return {
    line,
    get counts(): RowCounts {
      return { ...stats, warnings: { ...warningCounts }, duplicateSuspects: ids.suspects() };
    },
  };
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
