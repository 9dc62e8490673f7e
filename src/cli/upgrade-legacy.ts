/**
 * `updox-sync upgrade-legacy`: re-save every legacy account (last saved through the un-versioned
 * API) through PracticeSave/1.1 with the roster's full business details and website URLs, and
 * report which cannot be upgraded and why. Resumable: after a crash, run it again. On a TTY a
 * progress bar shows an ETA derived from the configured rate limit.
 */
import { isFinal, isSuccess } from '../runs';
import { readFileSync } from 'node:fs';
import cliProgress from 'cli-progress';
import { BadInputError, EXIT } from '../errors';
import { UPGRADE_LIST_CAP, upgradeLegacy, type UpgradePlan, type UpgradeReport } from '../sync/upgrade-legacy';
import { isQuiet, type RegisterCommand } from './context';

interface Opts { source?: string; accounts?: string; dryRun?: boolean; json?: boolean; concurrency?: string }

/** One account id per line (or comma-separated); blank lines and `#` comments ignored. */
export function readAccountsFile(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new BadInputError('ACCOUNTS_FILE_UNREADABLE', `--accounts ${file}: cannot read: ${(err as Error).message}`, { cause: err });
  }
  const ids = text.split(/\r?\n/).map((l) => l.replace(/#.*/, '')).flatMap((l) => l.split(',')).map((s) => s.trim()).filter(Boolean);
  if (!ids.length) throw new BadInputError('ACCOUNTS_FILE_EMPTY', `--accounts ${file}: no account ids in the file`);
  return ids;
}

export const register: RegisterCommand = (program, ctx) => {
  program
    .command('upgrade-legacy')
    .description('re-save legacy accounts through PracticeSave/1.1 with full business details (resumable)')
    .option('-s, --source <name>', 'source whose latest staged roster supplies the details (default: the first one)')
    .option('--accounts <file>', 'upgrade exactly the account ids in this file (one per line) instead of the inferred legacy ones')
    .option('--concurrency <n>', 'calls in flight in this process (default sync.applyConcurrency)')
    .option('--dry-run', 'list, plan and report; write nothing')
    .option('--json', 'print the report as JSON')
    .action(async (opts: Opts) => {
      const accounts = opts.accounts ? readAccountsFile(opts.accounts) : undefined;
      await ctx.withApp(async (deps) => {
        const tty = Boolean(process.stderr.isTTY) && !opts.json && !isQuiet(program);
        const rps = deps.config.updox.requestsPerSecond;
        const bar = new cliProgress.SingleBar({
          format: 'upgrade [{bar}] {value}/{total} | {failed} failed | ETA {etaRate} at {rps}/s',
          stream: process.stderr, hideCursor: true,
        }, cliProgress.Presets.shades_classic);
        let started = false;
        try {
          const report = await upgradeLegacy(deps, deps.updox, {
            workerId: `cli:${process.pid}`,
            dryRun: Boolean(opts.dryRun),
            ...(opts.source ? { source: opts.source } : {}),
            ...(accounts ? { accounts } : {}),
            ...(opts.concurrency ? { concurrency: Math.max(1, Number(opts.concurrency) || 1) } : {}),
            onPlanned: (plan) => { if (!opts.json) ctx.print(describePlan(plan, Boolean(opts.dryRun))); },
            onProgress: (p) => {
              if (!tty || opts.dryRun) return;
              const payload = { failed: p.failed, etaRate: formatEta((p.total - p.done) / rps), rps };
              if (!started) { bar.start(p.total, p.done, payload); started = true; } else bar.update(p.done, payload);
            },
          });
          if (started) bar.stop(); // before printing, so the report does not land inside the bar
          started = false;
          ctx.print(opts.json ? JSON.stringify({ ...report, apply: undefined }) : describeReport(report));
          if (report.status === 'halted') process.exitCode = EXIT.halted;
          else if (isFinal(report.status) && !isSuccess(report.status) && report.status !== 'previewed') process.exitCode = EXIT.failure;
        } finally {
          if (started) bar.stop();
        }
      });
    });
};

export function formatEta(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(s % 60).padStart(2, '0')}s`;
}

function describePlan(p: UpgradePlan, dryRun: boolean): string {
  const lines = [
    `upgrade run ${p.runId}${p.resumed ? ' (resumed)' : ''}: ${p.candidates} legacy account(s), ${p.queued} to re-save through PracticeSave/1.1`
      + `${dryRun ? ' (dry run: nothing sent)' : ''}; about ${formatEta(p.etaSeconds)} at the configured rate limit`,
  ];
  const list = <T>(title: string, items: T[], total: number, line: (x: T) => string) => {
    if (!total) return;
    lines.push(`${title} (${total}):`);
    for (const x of items.slice(0, 50)) lines.push(`  ${line(x)}`);
    if (total > 50) lines.push(`  … and ${total - 50} more (--json lists the first ${UPGRADE_LIST_CAP})`);
  };
  list('cannot be upgraded', p.blocked, totalOf(p, 'blocked'), (b) => `${b.accountId}  ${b.reason}  ${b.message}`);
  list('upgraded with a warning', p.warnings, totalOf(p, 'warnings'), (w) => `${w.accountId}  ${w.code}  ${w.message}`);
  return lines.join('\n');
}

/** A plan recorded before the lists were capped has no totals: its lists are whole. */
const totalOf = (p: UpgradePlan, k: 'blocked' | 'warnings') => Math.max(p.totals?.[k] ?? 0, p[k].length);

function describeReport(r: UpgradeReport): string {
  if (r.dryRun) return `dry run: ${r.queued} would be re-saved, ${totalOf(r, 'blocked')} cannot be upgraded`;
  const lines = [`upgrade run ${r.runId}: ${r.status}; ${r.succeeded} upgraded, ${r.failedTotal} failed, ${totalOf(r, 'blocked')} cannot be upgraded`];
  for (const f of r.failed.slice(0, 50)) lines.push(`  failed ${f.accountId}  ${f.code ?? '-'}  ${f.message}`);
  if (r.apply?.haltReason) lines.push(`  HALTED: ${r.apply.haltReason} — fix it and run upgrade-legacy again to resume`);
  return lines.join('\n');
}
