/**
 * The number-check schedule in Postgres (`number_checks`): which active accounts are due tonight,
 * most urgent first and up to the night's budget; recording a check; the webhook moving a time;
 * and how fresh the data is (for `numbers` and the report).
 *
 * An account is due when it was never checked, its next_check_at falls before the end of the
 * night's window, or an event happened since its last check: the practice was saved
 * (practices.last_saved_at), a 4039 was recorded (details_insufficient_at), or its business
 * details became complete (a business_detail_audits row that is not incomplete). The selection is
 * read through a cursor, a page at a time.
 */
import type { Knex } from 'knex';
import type { Config } from '../config';
import { streamRows } from '../db/cursor';
import { URGENCY, nextCheck, nextAfterRefusal, type CheckPolicy, type NextCheck } from './next-check';
import { normalizeNumberStatus } from './number-status';

export interface DueAccount { accountId: string; reason: string }

export const checkPolicy = (c: Config['numbers']): CheckPolicy =>
  ({ soonHours: c.soonHours, verifiedRefreshDays: c.verifiedRefreshDays, noNumbersRefreshDays: c.noNumbersRefreshDays });

const rankSql = `CASE ${Object.entries(URGENCY).map(([k, v]) => `WHEN x.reason = '${k}' THEN ${v}`).join(' ')} ELSE 1 END`;

/** Due accounts with their reason. Bindings: now, now, the end of the window (due before it). */
function dueSql(lookbackDays: number): string {
  return `SELECT y.account_id, y.reason, y.due_at FROM (
    SELECT p.account_id,
      CASE WHEN c.account_id IS NULL THEN 'never'
        WHEN p.last_saved_at > c.checked_at THEN 'saved'
        WHEN p.details_insufficient_at > c.checked_at THEN 'details_insufficient'
        WHEN a.completed_at > c.checked_at THEN 'newly_complete'
        ELSE c.reason END AS reason,
      CASE WHEN c.account_id IS NULL OR p.last_saved_at > c.checked_at OR p.details_insufficient_at > c.checked_at
          OR a.completed_at > c.checked_at THEN CAST(? AS timestamptz) ELSE c.next_check_at END AS due_at
    FROM practices p
    LEFT JOIN number_checks c ON c.account_id = p.account_id
    LEFT JOIN (SELECT account_id, max(audited_at) AS completed_at FROM business_detail_audits
      WHERE status <> 'incomplete' AND audited_at > CAST(? AS timestamptz) - interval '${lookbackDays} days' GROUP BY account_id) a ON a.account_id = p.account_id
    WHERE p.active
  ) y WHERE y.due_at <= CAST(? AS timestamptz)`;
}

/** Accounts an event or an older check than this cannot be newer than: the longest refresh, plus a day. */
const lookbackOf = (p: CheckPolicy) => Math.ceil(Math.max(p.verifiedRefreshDays, p.noNumbersRefreshDays)) + 1;

/**
 * How many accounts are due in all, and the most urgent of them, at most `limit`, read through a
 * cursor in pages (streamRows: one snapshot, and no transaction held while they are read), so the
 * selection's memory is one page whatever the partner's size and the budget.
 */
export async function dueAccounts(db: Knex, o: { now: Date; windowEnd: Date; limit: number; policy: CheckPolicy; pageSize?: number }):
  Promise<{ accounts: AsyncGenerator<DueAccount>; due: number }> {
  const limit = Math.max(0, Math.floor(o.limit));
  if (limit === 0) return { accounts: (async function* () {})(), due: await countDue(db, o) };
  // The count of all due accounts rides on every row (a window over the selection before its
  // LIMIT), so the selection is evaluated once; the first page is read here to learn it.
  const rows = streamRows<{ account_id: string; reason: string; due: number }>(db, {
    sql: `SELECT x.account_id, x.reason, (count(*) OVER ())::int AS due FROM (${dueSql(lookbackOf(o.policy))}) x
      ORDER BY ${rankSql}, x.due_at, x.account_id LIMIT ${limit}`,
    bindings: [o.now, o.now, o.windowEnd],
  }, o.pageSize ?? 2000);
  const first = await rows.next();
  async function* accounts(): AsyncGenerator<DueAccount> {
    try {
      if (first.done) return;
      yield { accountId: first.value.account_id, reason: first.value.reason };
      for await (const r of rows) yield { accountId: r.account_id, reason: r.reason };
    } finally {
      await rows.return(undefined); // a reader that stops early gives the connection back
    }
  }
  return { accounts: accounts(), due: first.done ? 0 : first.value.due };
}

/** How many active accounts are due a number check before the end of the window. */
export async function countDue(db: Knex, o: { now: Date; windowEnd: Date; policy: CheckPolicy }): Promise<number> {
  const count = await db.raw(`SELECT count(*)::int AS n FROM (${dueSql(lookbackOf(o.policy))}) d`, [o.now, o.now, o.windowEnd]);
  return (count.rows[0] as { n: number }).n;
}

export interface CheckOutcome { accountId: string; at: Date; result: { statuses: string[] } | 'refused' | 'failed' }

/** Records a batch of checks (one statement): when, the next time, why. A failed check stays due. */
export async function recordChecks(db: Knex, outcomes: readonly CheckOutcome[], policy: CheckPolicy, now: Date): Promise<void> {
  if (!outcomes.length) return;
  const rows = outcomes.map((o) => {
    const next: NextCheck = o.result === 'failed' ? { nextCheckAt: now, reason: 'failed' }
      : o.result === 'refused' ? nextAfterRefusal(o.at, policy)
        : nextCheck(o.result.statuses.map(normalizeNumberStatus), o.at, policy);
    return { id: o.accountId, checked: o.result === 'failed' ? null : o.at, next: next.nextCheckAt, reason: next.reason, failed: o.result === 'failed' ? 1 : 0 };
  });
  await db.raw(`INSERT INTO number_checks (account_id, checked_at, next_check_at, reason, failures)
    SELECT * FROM unnest(?::text[], ?::timestamptz[], ?::timestamptz[], ?::text[], ?::int[])
    ON CONFLICT (account_id) DO UPDATE SET
      checked_at = coalesce(excluded.checked_at, number_checks.checked_at),
      next_check_at = excluded.next_check_at, reason = excluded.reason,
      failures = CASE WHEN excluded.failures > 0 THEN number_checks.failures + 1 ELSE 0 END`,
  [rows.map((r) => r.id), rows.map((r) => r.checked), rows.map((r) => r.next), rows.map((r) => r.reason), rows.map((r) => r.failed)] as never);
}

/**
 * A verification webhook changed a number: the account's next check follows its stored statuses
 * (all verified: the weekly refresh; anything else: soon). Its last check time does not change.
 */
export async function moveCheckAfterWebhook(db: Knex, accountId: string, policy: CheckPolicy, now: Date): Promise<void> {
  const statuses = (await db('sms_numbers').where({ account_id: accountId, missing: false }).pluck('status')) as string[];
  const next = nextCheck(statuses.map((s) => normalizeNumberStatus(s)), now, policy);
  await db.raw(`INSERT INTO number_checks (account_id, next_check_at, reason) VALUES (?, ?, ?)
    ON CONFLICT (account_id) DO UPDATE SET next_check_at = excluded.next_check_at, reason = excluded.reason`,
  [accountId, next.nextCheckAt, next.reason]);
}

export interface NumberFreshness {
  activeAccounts: number;
  neverChecked: number;
  /** Active accounts whose next check is past (or never checked). */
  overdue: number;
  /** The oldest last check of an active account (null: none checked). */
  oldestCheckAt: Date | null;
  /** The oldest observation among the listed numbers of active accounts. */
  oldestObservationAt: Date | null;
}

/** How fresh the number data is, for `numbers` and the report. */
export async function numberFreshness(db: Knex, now: Date): Promise<NumberFreshness> {
  const r = (await db.raw(`SELECT count(*)::int AS active,
      count(*) FILTER (WHERE c.account_id IS NULL OR c.checked_at IS NULL)::int AS never,
      count(*) FILTER (WHERE c.account_id IS NULL OR c.next_check_at < ?)::int AS overdue,
      min(c.checked_at) AS oldest_check,
      (SELECT min(n.last_seen_at) FROM sms_numbers n JOIN practices q ON q.account_id = n.account_id AND q.active WHERE NOT n.missing) AS oldest_obs
    FROM practices p LEFT JOIN number_checks c ON c.account_id = p.account_id WHERE p.active`, [now])).rows[0] as
    { active: number; never: number; overdue: number; oldest_check: Date | null; oldest_obs: Date | null };
  return { activeAccounts: r.active, neverChecked: r.never, overdue: r.overdue, oldestCheckAt: r.oldest_check, oldestObservationAt: r.oldest_obs };
}
