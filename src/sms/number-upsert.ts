/**
 * The one write path for SMS-number observations, shared by the poll (SmsSendNumberList) and the
 * verification webhook. It runs inside the caller's transaction and writes a batch with a constant
 * number of statements (not one per number):
 *   1. INSERT … ON CONFLICT DO NOTHING — brand-new numbers (event: null → status);
 *   2. SELECT … ORDER BY … FOR UPDATE — lock the known rows in a fixed order and compare;
 *   3. one UPDATE … FROM unnest(…) — new values, overdue flag;
 *   4. one INSERT into sms_number_events — only for rows whose normalized status changed.
 * Why the lock: the poll and the webhook can observe the same change at the same moment. The second
 * transaction blocks on the first one's row lock (or on its uncommitted insert), then reads the
 * committed status, finds it equal and writes no event — never a duplicate. Rows are locked in
 * (account_id, number) order by every caller, so two batches cannot deadlock.
 * An observation older than the row's last change (`observedAt < status_since`, e.g. a late
 * webhook, or a poll reply read before a webhook committed) does not change the status.
 */
import type { Knex } from 'knex';
import { isOverdue, type BusinessCalendar } from './business-days';
import { normalizeNumberStatus, type NumberStatus } from './number-status';

export interface NumberObservation {
  accountId: string;
  number: string;
  rawStatus: string;
  /** Null/undefined = not carried by this source; the stored value is kept. */
  numberType?: string | null;
  ownerType?: string | null;
  ownerId?: string | null;
  businessDetails?: string | null;
  vendorUpdatedAt?: Date | null;
  /** Per-observation time (poll: when that account's request was sent); defaults to ctx.observedAt. */
  observedAt?: Date;
}

export interface UpsertContext {
  source: 'poll' | 'webhook';
  /** When the vendor state was observed (poll: when the request was sent; webhook: occurredAt, capped at now). */
  observedAt: Date;
  now: Date;
  pendingBusinessDays: number;
  /** Business days in the partner's calendar (business-days.ts calendarFor). */
  calendar: BusinessCalendar;
}

export interface UpsertedNumber {
  accountId: string;
  number: string;
  status: NumberStatus;
  rawStatus: string;
  statusSince: Date;
  overdue: boolean;
  changed: boolean;
}

export interface UpsertOutcome {
  inserted: number;
  changed: number;
  unchanged: number;
  /** Observations older than the stored status; ignored. */
  stale: number;
  events: number;
  rows: UpsertedNumber[];
}

interface LockedRow { account_id: string; number: string; status: NumberStatus; status_since: Date }

const keyOf = (a: string, n: string) => `${a}\u0000${n}`;
const byKey = (x: { accountId: string; number: string }, y: { accountId: string; number: string }) =>
  x.accountId < y.accountId ? -1 : x.accountId > y.accountId ? 1 : x.number < y.number ? -1 : x.number > y.number ? 1 : 0;

/** Record a batch of observations. Call inside a transaction. Duplicate keys in one batch: the last wins. */
export async function upsertNumbers(trx: Knex.Transaction, observations: NumberObservation[], ctx: UpsertContext): Promise<UpsertOutcome> {
  const dedup = new Map<string, NumberObservation>();
  for (const o of observations) dedup.set(keyOf(o.accountId, o.number), o);
  const obs = [...dedup.values()].sort(byKey);
  const out: UpsertOutcome = { inserted: 0, changed: 0, unchanged: 0, stale: 0, events: 0, rows: [] };
  if (!obs.length) return out;
  const overdueAt = (status: NumberStatus, since: Date) =>
    status === 'pending' && isOverdue(since, ctx.now, ctx.pendingBusinessDays, ctx.calendar);
  const events: Record<string, unknown>[] = [];

  // 1. New numbers.
  const insertRows = obs.map((o) => {
    const status = normalizeNumberStatus(o.rawStatus);
    const at = o.observedAt ?? ctx.observedAt;
    return {
      account_id: o.accountId, number: o.number, owner_type: o.ownerType ?? 'account', owner_id: o.ownerId ?? null,
      number_type: o.numberType ?? null, raw_status: o.rawStatus, status, business_details: o.businessDetails ?? null,
      vendor_updated_at: o.vendorUpdatedAt ?? null, status_since: at, first_seen_at: at,
      last_seen_at: at, overdue: overdueAt(status, at), missing: false,
    };
  });
  const inserted = await trx('sms_numbers').insert(insertRows).onConflict(['account_id', 'number']).ignore()
    .returning(['account_id', 'number']) as { account_id: string; number: string }[];
  const insertedKeys = new Set(inserted.map((r) => keyOf(r.account_id, r.number)));
  for (const r of insertRows) {
    if (!insertedKeys.has(keyOf(r.account_id, r.number))) continue;
    out.inserted++;
    events.push(eventRow(r.account_id, r.number, null, r.status, r.raw_status, r.status_since, ctx));
    out.rows.push({ accountId: r.account_id, number: r.number, status: r.status, rawStatus: r.raw_status, statusSince: r.status_since, overdue: r.overdue, changed: true });
  }

  // 2. Known numbers: lock in key order, compare.
  const known = obs.filter((o) => !insertedKeys.has(keyOf(o.accountId, o.number)));
  if (known.length) {
    const { rows: locked } = await trx.raw<{ rows: LockedRow[] }>(
      `SELECT s.account_id, s.number, s.status, s.status_since FROM sms_numbers s
       JOIN unnest(?::text[], ?::text[]) AS k(account_id, number) ON s.account_id = k.account_id AND s.number = k.number
       ORDER BY s.account_id, s.number FOR UPDATE OF s`,
      [known.map((o) => o.accountId), known.map((o) => o.number)],
    );
    const current = new Map(locked.map((r) => [keyOf(r.account_id, r.number), r]));
    const updates: PendingUpdate[] = [];
    for (const o of known) {
      const row = current.get(keyOf(o.accountId, o.number));
      if (!row) continue; // deleted concurrently; nothing we manage deletes rows
      const status = normalizeNumberStatus(o.rawStatus);
      const at = o.observedAt ?? ctx.observedAt;
      const stale = at.getTime() < row.status_since.getTime();
      const changed = !stale && status !== row.status;
      const since = changed ? at : row.status_since;
      const effective = stale ? row.status : status;
      const overdue = overdueAt(effective, since);
      if (stale) out.stale++;
      else if (changed) {
        out.changed++;
        events.push(eventRow(o.accountId, o.number, row.status, status, o.rawStatus, at, ctx));
      } else out.unchanged++;
      updates.push({ o, stale, status: effective, since, overdue });
      out.rows.push({ accountId: o.accountId, number: o.number, status: effective, rawStatus: o.rawStatus, statusSince: since, overdue, changed });
    }
    if (updates.length) await applyUpdates(trx, updates, ctx);
  }

  // 4. History.
  if (events.length) await trx('sms_number_events').insert(events);
  out.events = events.length;
  return out;
}

interface PendingUpdate { o: NumberObservation; stale: boolean; status: NumberStatus; since: Date; overdue: boolean }

/** 3. One UPDATE for the batch. A stale observation only refreshes last_seen_at and the overdue flag. */
async function applyUpdates(trx: Knex.Transaction, ups: PendingUpdate[], ctx: UpsertContext): Promise<void> {
  const col = <T>(f: (u: PendingUpdate) => T) => ups.map(f);
  await trx.raw(
    `UPDATE sms_numbers s SET
       status = v.status,
       raw_status = CASE WHEN v.stale THEN s.raw_status ELSE v.raw_status END,
       status_since = v.status_since,
       number_type = coalesce(v.number_type, s.number_type),
       owner_type = coalesce(v.owner_type, s.owner_type),
       owner_id = coalesce(v.owner_id, s.owner_id),
       business_details = coalesce(v.business_details, s.business_details),
       vendor_updated_at = coalesce(v.vendor_updated_at, s.vendor_updated_at),
       last_seen_at = greatest(s.last_seen_at, v.seen_at),
       overdue = v.overdue,
       missing = false
     FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::timestamptz[], ?::text[], ?::text[], ?::text[], ?::text[],
                 ?::timestamptz[], ?::boolean[], ?::boolean[], ?::timestamptz[])
       AS v(account_id, number, status, raw_status, status_since, number_type, owner_type, owner_id, business_details,
            vendor_updated_at, overdue, stale, seen_at)
     WHERE s.account_id = v.account_id AND s.number = v.number`,
    [
      col((u) => u.o.accountId), col((u) => u.o.number), col((u) => u.status), col((u) => u.o.rawStatus),
      col((u) => u.since), col((u) => u.o.numberType ?? null), col((u) => u.o.ownerType ?? null),
      col((u) => u.o.ownerId ?? null), col((u) => u.o.businessDetails ?? null), col((u) => u.o.vendorUpdatedAt ?? null),
      col((u) => u.overdue), col((u) => u.stale), col((u) => u.o.observedAt ?? ctx.observedAt),
    ] as unknown as Knex.RawBinding[],
  );
}

function eventRow(accountId: string, number: string, from: NumberStatus | null, to: NumberStatus, raw: string, at: Date, ctx: UpsertContext) {
  return { account_id: accountId, number, from_status: from, to_status: to, raw_status: raw, source: ctx.source, observed_at: at, recorded_at: ctx.now };
}

/**
 * Poll only: numbers of these accounts that the vendor no longer lists are flagged `missing`
 * (status and history are kept). Returns how many were newly flagged.
 */
export async function markMissing(trx: Knex.Transaction, accountIds: string[], seen: { accountId: string; number: string }[]): Promise<number> {
  if (!accountIds.length) return 0;
  const res = await trx.raw(
    `UPDATE sms_numbers s SET missing = true, overdue = false
     WHERE s.account_id = ANY(?::text[]) AND NOT s.missing
       AND NOT EXISTS (SELECT 1 FROM unnest(?::text[], ?::text[]) AS k(account_id, number)
                       WHERE k.account_id = s.account_id AND k.number = s.number)`,
    [accountIds, seen.map((k) => k.accountId), seen.map((k) => k.number)],
  );
  return (res as { rowCount: number }).rowCount ?? 0;
}
