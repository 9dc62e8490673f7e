/**
 * approveRun: releases a run the guardrail held (`held` → `planned`, src/runs/operator.ts), recording
 * who approved it and when, and records its unchanged practices in the same transaction. Applying
 * is then enqueued by the caller. Refuses a dry run, a run that is not held, and a held run that a
 * newer plan of the same source has superseded (its actions were computed against an older state
 * and must not be sent).
 */
import type { Knex } from 'knex';
import { approveHeld, type Queryable, type RunRow } from '../runs';
import { RECORD_UNCHANGED_SQL, withPgTransaction } from './plan-sql';

export async function approveRun(db: Knex, runId: string, by: string): Promise<RunRow> {
  const approver = by.trim() || 'unknown';
  return withPgTransaction(db, async (c) => {
    const updated = await approveHeld(c as unknown as Queryable, runId, approver);
    if (updated.source) for (const q of RECORD_UNCHANGED_SQL) await c.query(q, [runId, updated.source]);
    return updated;
  });
}
