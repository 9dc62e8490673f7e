/**
 * `updox-sync report`: build the period's reports. Without --send it previews (prints what each
 * recipient would get); with --out DIR it writes the .eml files there without recording anything;
 * with --send it delivers once per recipient and period (SMTP_URL, or .eml files in
 * reports.outDir, or in --out DIR when both are given) and records the delivery.
 */
import { EXIT } from '../errors';
import { sendReports, type RecipientResult, type SendReportsResult } from '../reports/send';
import { assertOutputDir } from '../safe-files';
import { intOption } from './int-option';
import type { RegisterCommand } from './context';

interface Opts { manager?: string; period?: string; send?: boolean; out?: string; json?: boolean; listCap?: number }

export const register: RegisterCommand = (program, ctx) => {
  program
    .command('report')
    .description('build the managers\' and admins\' SMS readiness reports; --send delivers them once per period')
    .option('--manager <email>', 'only this manager (or admin)')
    .option('--period <period>', 'a day (2026-11-24) or an ISO week (2026-W48); default: the current period')
    .option('--send', 'deliver (SMTP_URL, else .eml files in reports.outDir) and record it; a period already sent is skipped')
    .option('--out <dir>', 'write the .eml files to this folder (a preview unless --send is given too)')
    .option('--list-cap <n>', 'rows per list in the email body (the CSV has all)', intOption(1, 100_000))
    .option('--json', 'print the result as JSON (with each report model when previewing)')
    .action(async (opts: Opts) => {
      const outDir = opts.out ? await assertOutputDir(opts.out, '--out') : undefined;
      await ctx.withApp(async (deps) => {
        const res = await sendReports(deps, {
          send: Boolean(opts.send),
          includeModels: Boolean(opts.json) && !opts.send,
          ...(opts.manager ? { manager: opts.manager } : {}),
          ...(opts.period ? { period: opts.period } : {}),
          ...(outDir ? { outDir } : {}),
          ...(opts.listCap ? { listCap: opts.listCap } : {}),
        });
        ctx.print(opts.json ? JSON.stringify(res) : describe(res, Boolean(opts.send)));
        if (res.failed) process.exitCode = EXIT.failure;
      });
    });
};

const need = (r: RecipientResult) => `${r.practices ?? 0} practice(s) needing action, ${r.issues ?? 0} issue(s)`;

function line(r: RecipientResult): string {
  const who = `${r.kind === 'admin' ? 'admin  ' : 'manager'} ${r.recipient}`;
  switch (r.status) {
    case 'sent': return `  ${who}: sent (${need(r)}, attempt ${r.attempts ?? 1})`;
    case 'written': return `  ${who}: written ${r.path}`;
    case 'skipped': return `  ${who}: skipped, already ${r.reason}${r.path ? ` (${r.path})` : ''}`;
    case 'failed': return `  ${who}: FAILED ${r.error}`;
    case 'preview': return `  ${who}: ${need(r)}${r.path ? ` → ${r.path}` : ''}`;
  }
}

function describe(res: SendReportsResult, send: boolean): string {
  const head = send
    ? `reports ${res.period} via ${res.transport}: ${res.sent} sent, ${res.written} written, ${res.skipped} skipped, ${res.failed} failed`
    : `reports ${res.period} (preview, nothing recorded${res.transport === 'eml' ? '' : '; use --send to deliver or --out DIR to write .eml files'}):`;
  return [head, ...res.recipients.map(line)].join('\n');
}
