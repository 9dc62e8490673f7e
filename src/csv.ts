/**
 * The one way this project writes CSV: csv-stringify with RFC 4180 quoting, CRLF line ends, a
 * UTF-8 BOM at the start of a file (so spreadsheets read accents) and its `escape_formulas` guard
 * (a cell starting with =, +, -, @, a tab or a carriage return gets a leading ' so a spreadsheet
 * shows it as text, OWASP "CSV Injection"). Any cell holding a CR or LF is quoted. Pure.
 */
import { stringify, type Options } from 'csv-stringify/sync';

export const CSV_OPTIONS: Options = {
  record_delimiter: 'windows',
  escape_formulas: true,
  quoted_match: /[\r\n]/,
  cast: { date: (d) => d.toISOString(), boolean: (b) => (b ? 'true' : 'false') },
};

/** Written once at the start of a CSV file. */
export const CSV_BOM = '\uFEFF';

/** CSV lines (CRLF each) of already-ordered values. */
export const csvLines = (rows: readonly (readonly unknown[])[]): string => stringify(rows as unknown[][], CSV_OPTIONS);
