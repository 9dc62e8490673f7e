/**
 * Postal codes → 5 or 9 digits. Pure. Strips a float suffix (".0"), joins a ZIP+4 given in a
 * second column, and restores leading zeros lost by spreadsheets when the state makes it
 * unambiguous (every ZIP of that state starts with 0, and the padded code starts with one of its
 * prefixes: NJ 7102 → 07102, PR 907 → 00907).
 */
import { ok, reject, type CellIssue, type CellResult } from './field-result';
import { ZERO_ZIP_PREFIXES } from './us-states';

const clean = (s: string) => s.trim().replace(/\.0+$/, '');

const ZIP59 = /^\d{5}(?:\d{4})?$/;

export function normalizePostal(input: string, ext: string | null, state: string | null): CellResult {
  if (ext === null && ZIP59.test(input)) return ok(input); // the common case, already right
  let digits = clean(input);
  const warnings: CellIssue[] = [];
  if (/^\d{5}-\d{4}$/.test(digits) || /^\d{5} \d{4}$/.test(digits)) digits = digits.replace(/[- ]/, '');
  if (!/^\d+$/.test(digits)) return reject('invalid', `not a ZIP code: "${input.trim()}"`);
  let plus4 = ext ? clean(ext) : '';
  if (plus4 && !/^\d{1,4}$/.test(plus4)) {
    warnings.push({ rule: 'ext_ignored', message: `ZIP+4 "${ext}" is not 4 digits; ignored` });
    plus4 = '';
  }
  if (plus4) plus4 = plus4.padStart(4, '0');
  if (digits.length === 5 || digits.length === 9) return ok(plus4 && digits.length === 5 ? digits + plus4 : digits, warnings);
  // Lost leading zero(s): 3–4 digits for a ZIP5, 7–8 for a ZIP9.
  const target = digits.length <= 5 ? 5 : 9;
  const prefixes = state ? ZERO_ZIP_PREFIXES[state] : undefined;
  if (prefixes && digits.length >= target - 2) {
    const padded = digits.padStart(target, '0');
    if (prefixes.some((p) => padded.startsWith(p))) {
      warnings.push({ rule: 'leading_zero_restored', message: `${digits} → ${padded}` });
      return ok(target === 5 && plus4 ? padded + plus4 : padded, warnings);
    }
  }
  return reject('invalid', `ZIP code must have 5 or 9 digits: "${input.trim()}"${state ? ` (state ${state})` : ''}`);
}
