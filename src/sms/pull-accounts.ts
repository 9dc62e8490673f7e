/**
 * Which accounts a numbers pull asks, and how many calls a night allows it: the given accounts,
 * the due ones most urgent first within the budget (number-checks.ts, read through a cursor), or
 * every active practice in keyset pages.
 */
import type { AppDeps } from '../app';
import { checkPolicy, dueAccounts } from './number-checks';
import type { PullOptions, PullStats } from './numbers';

/**
 * The night's SmsSendNumberList budget: numbers.budget when set, else the calls the window allows at
 * the configured rate less the writes still pending in the outbox (writes go first).
 */
export async function numbersBudget(deps: Pick<AppDeps, 'db' | 'config'>): Promise<{ budget: number; windowCalls: number; pendingWrites: number }> {
  const windowCalls = Math.floor(deps.config.numbers.windowHours * 3600 * deps.config.updox.requestsPerSecond);
  const r = (await deps.db.raw(`SELECT count(*)::int AS n FROM sync_actions WHERE status IN ('pending', 'in_flight')`)).rows[0] as { n: number };
  const budget = deps.config.numbers.budget ?? Math.max(0, windowCalls - r.n);
  return { budget, windowCalls, pendingWrites: r.n };
}

/**
 * Account ids: exactly the given ones; or (mode `due`) the due ones, most urgent first, up to the
 * budget, read through a cursor; or every active practice in keyset pages.
 */
export async function* streamAccounts(deps: Pick<AppDeps, 'db' | 'config' | 'clock'>, opts: PullOptions, stats: Pick<PullStats, 'due' | 'budget' | 'leftDue'>): AsyncGenerator<string> {
  if (opts.accountIds) {
    yield* [...new Set(opts.accountIds)].sort();
    return;
  }
  if (opts.mode === 'due') {
    const budget = opts.budget ?? (await numbersBudget(deps)).budget;
    const now = deps.clock.now();
    const windowEnd = new Date(now.getTime() + deps.config.numbers.windowHours * 3_600_000);
    const { accounts, due } = await dueAccounts(deps.db, { now, windowEnd, limit: budget, policy: checkPolicy(deps.config.numbers), ...(opts.pageSize ? { pageSize: opts.pageSize } : {}) });
    stats.due = due;
    stats.budget = budget;
    stats.leftDue = Math.max(0, due - budget);
    for await (const a of accounts) yield a.accountId;
    return;
  }
  const pageSize = opts.pageSize ?? 1000;
  let after = '';
  for (;;) {
    const ids = await deps.db('practices').where('account_id', '>', after).andWhere('active', true)
      .orderBy('account_id').limit(pageSize).pluck('account_id') as string[];
    yield* ids;
    if (ids.length < pageSize) return;
    after = ids[ids.length - 1]!;
  }
}
