/**
 * A doctor check's result, and the table it is printed as. Pure.
 * `fail`: something a run needs is missing or wrong (exit 1); `warn`: works, but not as it should
 * in production; `skip`: could not be checked because something it depends on failed.
 */
export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  check: string;
  status: CheckStatus;
  detail: string;
}

export const doctorExitCode = (results: readonly CheckResult[]): number => (results.some((r) => r.status === 'fail') ? 1 : 0);

/** "check  status  detail" columns; the detail is the last column, never padded. */
export function formatChecks(results: readonly CheckResult[]): string {
  const w = Math.max(5, ...results.map((r) => r.check.length));
  const mark: Record<CheckStatus, string> = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL', skip: 'skip' };
  const lines = [`${'check'.padEnd(w)}  status  detail`, ...results.map((r) => `${r.check.padEnd(w)}  ${mark[r.status]}    ${r.detail}`)];
  const fails = results.filter((r) => r.status === 'fail').length;
  const warns = results.filter((r) => r.status === 'warn').length;
  lines.push('', fails ? `${fails} check(s) failed, ${warns} warning(s)` : `all checks passed${warns ? `, ${warns} warning(s)` : ''}`);
  return lines.join('\n');
}
