/**
 * Spreadsheet formula-injection guard for CSV cells (OWASP "CSV Injection"): a cell that starts
 * with =, +, -, @, a tab or a carriage return is prefixed with a single quote so a spreadsheet shows
 * it as text instead of evaluating it. Pure.
 */
export function csvSafe(value: unknown): string {
  if (value === null || value === undefined) return '';
  const s = value instanceof Date ? value.toISOString() : String(value);
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}
