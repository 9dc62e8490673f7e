/**
 * Phone and fax numbers → 10 NANP digits. Pure. Common shapes are matched by a fast regex;
 * everything else goes through libphonenumber-js (extensions, international prefixes, letters).
 * A trailing float suffix ("9106096740.0", from spreadsheets and pandas) is stripped first.
 */
import { ok, reject, type CellIssue, type CellResult } from './field-result';
import { lazyRequire } from './lazy';

// libphonenumber-js is loaded on the first number the fast regex does not handle.
const libphonenumber = lazyRequire<typeof import('libphonenumber-js')>('libphonenumber-js');

const FAST = /^\+?(?:1[\s.-]?)?\(?([2-9]\d\d)\)?[\s.-]?([2-9]\d\d)[\s.-]?(\d{4})$/;
const FLOAT_SUFFIX = /^(\+?\d+)\.0+$/;
const LIST_SPLIT = /\s*(?:[,;/]|\s+or\s+|\s+and\s+)\s*/i;

export function normalizePhone(input: string): CellResult {
  let text = input.trim();
  const warnings: CellIssue[] = [];
  const float = FLOAT_SUFFIX.exec(text);
  if (float) text = float[1]!;
  const fast = FAST.exec(text);
  if (fast) return ok(fast[1]! + fast[2]! + fast[3]!);

  // A list of numbers: keep the first, flag the rest.
  const parts = text.split(LIST_SPLIT).filter((p) => p.trim() !== '');
  if (parts.length > 1 && /\d{3}/.test(parts[1]!)) {
    text = parts[0]!.trim();
    warnings.push({ rule: 'extra_numbers', message: `kept the first number; dropped ${parts.slice(1).join(', ')}` });
    const f = FAST.exec(text);
    if (f) return ok(f[1]! + f[2]! + f[3]!, warnings);
  }
  // 001 is the international dialling prefix (from the US) → +.
  if (/^0{2}1/.test(text.replace(/[\s().-]/g, ''))) text = '+' + text.replace(/^[\s(]*0[\s.-]*0[\s.-]*/, '');
  const parsed = libphonenumber().parsePhoneNumberFromString(text, 'US');
  if (!parsed || parsed.countryCallingCode !== '1') {
    if (parsed && parsed.countryCallingCode !== '1') return reject('non_us', `not a US number (+${parsed.countryCallingCode})`);
    return reject('invalid', `not a phone number: "${clip(input)}"`);
  }
  const digits = parsed.nationalNumber;
  if (digits.length !== 10 || !parsed.isValid()) return reject('invalid', `not a valid 10-digit US number: "${clip(input)}"`);
  if (parsed.ext) warnings.push({ rule: 'extension_dropped', message: `extension ${parsed.ext} dropped` });
  return ok(digits, warnings);
}

export const clip = (s: string, n = 60): string => (s.length > n ? `${s.slice(0, n)}…` : s);
