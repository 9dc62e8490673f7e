/**
 * Records what happened to one outbox row, in ONE transaction with the `practices` row it
 * affects (DESIGN.md "Apply", STYLE.md §2 step 7). The outbox update is guarded by the claim
 * (`claimed_by` = this worker, row not final): a worker that lost its lease, or a late reply after
 * a halt was taken over by another worker, records nothing and says so.
 */
import type { Knex } from 'knex';
import type { Config } from '../config';
import { COLUMN_OF, PRACTICE_FIELDS } from '../practice';
import { markDetailsInsufficient } from '../sms/insufficient';
import type { ClaimedAction } from './claim';
import { extraFields, fromWire } from './payload';

export type Recorded =
  | { status: 'succeeded'; code: number | null; message: string; writes: number; reconciles: number }
  | { status: 'failed'; code: number | null; message: string; writes: number; reconciles: number; insufficient?: boolean }
  | { status: 'needs_review'; code: number | null; message: string; writes: number; reconciles: number; evidence: Record<string, unknown> }
  | { status: 'pending'; code: number | null; message: string; writes: number; reconciles: number; delayMs: number; needsReconcile: boolean; evidence?: Record<string, unknown> };

export interface RecordContext {
  runId: string;
  workerId: string;
  /** Fallback source for practices when the row carries none. */
  runSource: string | null;
  now: Date;
  partner?: Config['partner']['businessDetails'];
}

/** Returns false when the row was no longer ours (nothing recorded). */
export async function recordOutcome(db: Knex, a: ClaimedAction, rec: Recorded, ctx: RecordContext): Promise<boolean> {
  if (rec.status === 'succeeded') return recordSucceeded(db, a, rec, ctx);
  return db.transaction(async (trx) => {
    let message = rec.message;
    if (rec.status === 'failed' && rec.insufficient) {
      message = (await markDetailsInsufficient(trx, a.accountId, ctx.now, rec.message, ctx.partner)).summary;
    }
    const final = rec.status !== 'pending';
    const updated = await trx('sync_actions')
      .where({ id: a.id, claimed_by: ctx.workerId })
      .whereIn('status', ['in_flight', 'pending'])
      .update({
        status: rec.status,
        code: rec.code,
        message: message.slice(0, 2000),
        attempts: trx.raw('attempts + ?', [rec.writes]),
        reconciles: trx.raw('reconciles + ?', [rec.reconciles]),
        needs_reconcile: rec.status === 'pending' ? rec.needsReconcile : false,
        next_attempt_at: rec.status === 'pending' ? trx.raw('now() + make_interval(secs => ?)', [rec.delayMs / 1000]) : null,
        lease_expires_at: null,
        // Evidence builds up over the looks of one row (the lost write's answer first, then the reads).
        ...(rec.status === 'needs_review' || (rec.status === 'pending' && rec.evidence)
          ? { evidence: trx.raw("coalesce(evidence, '{}'::jsonb) || ?::jsonb", [JSON.stringify(rec.evidence)]) } : {}),
        ...(final ? { finished_at: trx.fn.now() } : { claimed_by: null }),
      });
    if (updated === 0) return false;
    if (rec.status === 'failed' || rec.status === 'needs_review') {
      // Only the outcome: the values were not saved (or it is unknown whether they were). A failed create has no practices row; the
      // next plan sees the account as unknown and plans it again anyway.
      await trx('practices').where({ account_id: a.accountId }).update({
        last_run_id: ctx.runId, last_status: rec.status, last_code: rec.code, last_message: message.slice(0, 2000), updated_at: trx.fn.now(),
      });
    }
    return true;
  });
}

/**
 * The common case in ONE statement (one round trip, atomic like any statement): the guarded
 * outbox update feeds the practices upsert, so the practice is written only when the row was ours.
 */
async function recordSucceeded(db: Knex, a: ClaimedAction, rec: Recorded, ctx: RecordContext): Promise<boolean> {
  const values = fromWire(a.payload);
  if (a.op === 'deactivate') values.active = false;
  if (a.op === 'reactivate') values.active = true;
  const practiceCols = PRACTICE_FIELDS.map((f) => COLUMN_OF[f]);
  const bindings: Record<string, unknown> = {
    id: a.id, workerId: ctx.workerId, code: rec.code, message: rec.message.slice(0, 2000), writes: rec.writes, reconciles: rec.reconciles,
    accountId: a.accountId, externalId: a.externalId, managerEmail: a.managerEmail, runId: ctx.runId,
    // An adopted account (upgrade) that no roster lists stays unowned: claiming it for the run's
    // source would let a full-roster sync deactivate it.
    source: a.source ?? (a.op === 'upgrade' ? null : ctx.runSource),
    // The fields we do not model, as saved: the next plan sends them again when a read lacks them.
    extra: extraOrNull(a.payload),
  };
  PRACTICE_FIELDS.forEach((f, i) => { bindings[`v${i}`] = values[f]; });
  const valueList = PRACTICE_FIELDS.map((f, i) => (f === 'active' ? `CAST(:v${i} AS boolean)` : `CAST(:v${i} AS text)`)).join(', ');
  // Identity and ownership are never cleared by a save that does not carry them; `active` not
  // sent keeps its value at Updox (A7), so it keeps ours too.
  const keep = new Set(['source', 'external_id', 'manager_email', 'active']);
  const updatable = ['source', 'external_id', 'manager_email', 'api_version', 'last_run_id', 'last_saved_at', 'last_status', 'last_code', 'last_message', 'updated_at', 'extra_fields', ...practiceCols];
  const set = updatable.map((c) => (keep.has(c) ? `${c} = coalesce(excluded.${c}, practices.${c})` : `${c} = excluded.${c}`)).join(', ');
  const { rows } = await db.raw(
    `WITH done AS (
       UPDATE sync_actions
          SET status = 'succeeded', code = CAST(:code AS int), message = :message, attempts = attempts + :writes,
              reconciles = reconciles + :reconciles, needs_reconcile = false, next_attempt_at = NULL,
              lease_expires_at = NULL, finished_at = now()
        WHERE id = :id AND claimed_by = :workerId AND status IN ('in_flight', 'pending')
       RETURNING id)
     INSERT INTO practices (account_id, source, external_id, manager_email, api_version, last_run_id, last_saved_at,
                            last_status, last_code, last_message, updated_at, extra_fields, ${practiceCols.join(', ')})
     SELECT :accountId, CAST(:source AS text), CAST(:externalId AS text), CAST(:managerEmail AS text), '1.1', CAST(:runId AS uuid), now(),
            'succeeded', CAST(:code AS int), :message, now(), CAST(:extra AS jsonb), ${valueList}
       FROM done
     ON CONFLICT (account_id) DO UPDATE SET ${set}
     RETURNING account_id`,
    bindings,
  );
  return (rows as unknown[]).length === 1;
}

function extraOrNull(payload: Record<string, unknown>): string | null {
  const extra = extraFields(payload);
  return Object.keys(extra).length ? JSON.stringify(extra) : null;
}
