/**
 * Exactly-once bookkeeping in report_deliveries, one row per (recipient, kind, period):
 *
 *   (none) ──insert on conflict do nothing──► pending ──claim (atomic UPDATE … WHERE)──► sending
 *   sending ──SMTP accepted / file written──► sent | written        (final)
 *   sending ──attempts exhausted──────────────► failed               (final; shown in the next report)
 *   sending ──lease expired (worker died)─────► claimable again by the next worker
 *
 * The claim is a single UPDATE whose WHERE re-checks the status: under READ COMMITTED a second
 * concurrent claimer blocks on the row lock, re-evaluates the WHERE against the committed row,
 * matches nothing and walks away. Every later write is guarded by `claimed_by`, so a worker whose
 * lease was taken over cannot overwrite the new owner's outcome.
 */
import type { Knex } from 'knex';

export type DeliveryStatus = 'pending' | 'sending' | 'sent' | 'written' | 'failed';

export interface DeliveryKey { recipient: string; kind: 'manager' | 'admin'; period: string }

export interface DeliveryRow {
  id: string;
  recipient: string;
  kind: string;
  period: string;
  status: DeliveryStatus;
  attempts: number;
  message_id: string | null;
  path: string | null;
  error: string | null;
  lease_until: Date | null;
  claimed_by: string | null;
  transport: string | null;
  created_at: Date;
  sent_at: Date | null;
}

export type ClaimResult = { claimed: true; row: DeliveryRow; takenOver: boolean } | { claimed: false; row: DeliveryRow };

export async function claimDelivery(
  db: Knex, key: DeliveryKey, o: { now: Date; leaseMs: number; workerId: string; messageId: string },
): Promise<ClaimResult> {
  await db.raw(
    `INSERT INTO report_deliveries (recipient, kind, period, status, message_id, created_at, updated_at)
     VALUES (?, ?, ?, 'pending', ?, ?, ?) ON CONFLICT (recipient, kind, period) DO NOTHING`,
    [key.recipient, key.kind, key.period, o.messageId, o.now, o.now]);
  const { rows } = await db.raw<{ rows: (DeliveryRow & { was: string })[] }>(
    `UPDATE report_deliveries d SET status = 'sending', claimed_by = ?, lease_until = ?, message_id = ?, updated_at = ?
     FROM (SELECT id, status AS was FROM report_deliveries WHERE recipient = ? AND kind = ? AND period = ? FOR UPDATE) old
     WHERE d.id = old.id AND (d.status = 'pending' OR (d.status = 'sending' AND d.lease_until < ?))
     RETURNING d.*, old.was`,
    [o.workerId, new Date(o.now.getTime() + o.leaseMs), o.messageId, o.now, key.recipient, key.kind, key.period, o.now]);
  if (rows[0]) return { claimed: true, row: rows[0], takenOver: rows[0].was === 'sending' };
  const row = await db('report_deliveries').where(key).first() as DeliveryRow;
  return { claimed: false, row };
}

/** Counts an attempt and extends the lease; false when the claim was lost (do not send). */
export async function startAttempt(db: Knex, id: string, workerId: string, now: Date, leaseMs: number): Promise<boolean> {
  const n = await db('report_deliveries').where({ id, claimed_by: workerId, status: 'sending' })
    .update({ attempts: db.raw('attempts + 1'), lease_until: new Date(now.getTime() + leaseMs), updated_at: now });
  return n === 1;
}

export async function markDelivered(
  db: Knex, id: string, workerId: string,
  o: { status: 'sent' | 'written'; now: Date; messageId: string; path?: string | null; transport: string },
): Promise<boolean> {
  const n = await db('report_deliveries').where({ id, claimed_by: workerId, status: 'sending' }).update({
    status: o.status, sent_at: o.now, message_id: o.messageId, path: o.path ?? null, transport: o.transport,
    error: null, lease_until: null, updated_at: o.now,
  });
  return n === 1;
}

export async function markFailed(db: Knex, id: string, workerId: string, error: string, now: Date): Promise<void> {
  await db('report_deliveries').where({ id, claimed_by: workerId, status: 'sending' })
    .update({ status: 'failed', error, lease_until: null, updated_at: now });
}

/** Nothing was sent (the report could not be built): give the claim back for the next run. */
export async function releaseClaim(db: Knex, id: string, workerId: string, error: string, now: Date): Promise<void> {
  await db('report_deliveries').where({ id, claimed_by: workerId, status: 'sending' })
    .update({ status: 'pending', claimed_by: null, lease_until: null, error, updated_at: now });
}

/** The last delivered report to this recipient before this period, and a failure after it, if any. */
export async function previousDeliveries(db: Knex, key: DeliveryKey): Promise<{ sent: DeliveryRow | null; failed: DeliveryRow | null }> {
  const base = () => db('report_deliveries').where({ recipient: key.recipient, kind: key.kind }).whereNot({ period: key.period });
  const sent = (await base().whereIn('status', ['sent', 'written']).orderBy('sent_at', 'desc').first()) as DeliveryRow | undefined;
  const fq = base().where({ status: 'failed' }).orderBy('created_at', 'desc');
  if (sent?.sent_at) fq.where('created_at', '>', sent.sent_at);
  const failed = (await fq.first()) as DeliveryRow | undefined;
  return { sent: sent ?? null, failed: failed ?? null };
}
