/**
 * `updox-sync numbers`: pull SmsSendNumberList for the accounts due (most urgent first, within the
 * night's budget; `--all` every active account; `--account` the given ones), record statuses and
 * their changes, and print what needs attention (overdue and rejected numbers, accounts without a
 * number, accounts the vendor refused: 4011) and how fresh the data is. A 4015 halts (exit code 5).
 */
import { BadInputError } from '../errors';
import { numberFreshness, type NumberFreshness } from '../sms/number-checks';
import { PULL_LIST_CAP, pullNumbers, type PullStats } from '../sms/numbers';
import { LIMITS } from '../config-values';
import { describeTally } from '../updox/list-entries';
import { intOption } from './int-option';
import type { RegisterCommand } from './context';

interface Opts { account?: string[]; json?: boolean; concurrency?: number; all?: boolean; budget?: string }

export const register: RegisterCommand = (program, ctx) => {
  program
    .command('numbers')
    .description('pull SMS numbers and their verification status for the accounts due (most urgent first, within the budget)')
    .option('--account <id...>', 'only these accounts')
    .option('--all', 'every active account (a full pull), whatever is due')
    .option('--budget <n>', 'at most this many calls (default numbers.budget, else what the window leaves after the writes)')
    .option('--concurrency <n>', 'calls in flight (default UPDOX_MAX_IN_FLIGHT)', intOption(LIMITS.maxInFlight.min, LIMITS.maxInFlight.max))
    .option('--json', 'print the result as JSON')
    .action(async (opts: Opts) => {
      await ctx.withApp(async (deps) => {
        const budget = opts.budget === undefined ? undefined : Number(opts.budget);
        if (budget !== undefined && !(Number.isInteger(budget) && budget >= 0)) {
          throw new BadInputError('CLI_BAD_OPTION', `--budget must be a whole number ≥ 0, got ${opts.budget}`);
        }
        const stats = await pullNumbers(deps, deps.updox, {
          ...(opts.account ? { accountIds: opts.account } : {}),
          ...(opts.concurrency ? { concurrency: opts.concurrency } : {}),
          mode: opts.all ? 'all' : 'due',
          ...(budget !== undefined ? { budget } : {}),
        });
        const freshness = await numberFreshness(deps.db, deps.clock.now());
        ctx.print(opts.json ? JSON.stringify({ ...stats, freshness }) : describe(stats, freshness));
      });
    });
};

function describe(s: PullStats, f: NumberFreshness): string {
  const lines = [
    `asked ${s.accounts} account(s) in ${(s.durationMs / 1000).toFixed(1)} s: ${s.listed} listed, ${s.numbers} number(s); `
      + `${s.inserted} new, ${s.changed} changed, ${s.missing} no longer listed; ${s.events} status event(s)`,
  ];
  if (s.due !== null) lines.push(`due tonight: ${s.due}; budget ${s.budget} call(s); left for a later pull: ${s.leftDue}`);
  lines.push(`freshness: ${f.activeAccounts} active account(s), ${f.overdue} overdue for a check (${f.neverChecked} never checked); `
    + `oldest check ${f.oldestCheckAt?.toISOString() ?? '—'}, oldest observation ${f.oldestObservationAt?.toISOString() ?? '—'}`);
  // The pull keeps the first PULL_LIST_CAP of each list; --json has those, the report's actions.csv every one.
  const list = (title: string, items: string[], total: number) => {
    if (!total) return;
    lines.push(`${title} (${total}):`);
    for (const i of items.slice(0, 50)) lines.push(`  ${i}`);
    if (total > 50) lines.push(`  … and ${total - 50} more (--json lists the first ${PULL_LIST_CAP}; the report's actions.csv has every one)`);
  };
  list('overdue (pending too long)', s.overdue.map((r) => `${r.accountId}  ${r.number}  pending since ${r.since}`), s.totals.overdue);
  list('rejected', s.rejected.map((r) => `${r.accountId}  ${r.number}  since ${r.since}`), s.totals.rejected);
  list('accounts without a number', s.accountsWithoutNumber, s.totals.accountsWithoutNumber);
  list('accounts refused by the vendor (4011: unknown or inactive)', s.unauthorizedAccounts, s.totals.unauthorizedAccounts);
  if (s.skipped.total) {
    lines.push(`${s.skipped.total} list entr${s.skipped.total === 1 ? 'y' : 'ies'} skipped (${describeTally(s.skipped)}); those accounts' other numbers were kept, none was marked gone:`);
    for (const x of s.skipped.samples) lines.push(`  #${x.index + 1} ${x.id ?? '(no number)'}  ${x.reason}: ${x.detail}`);
  }
  list('accounts that failed', s.failedAccounts.map((f) => `${f.accountId}  ${f.outcome} ${f.code ?? ''} ${f.message}`), s.totals.failedAccounts);
  return lines.join('\n');
}
