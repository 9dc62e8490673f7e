/**
 * The events that deserve a person's attention, read from Postgres (the truth, whichever process
 * made them): a run that failed, halted or is held; a run with actions left `needs_review`; a
 * report delivery that failed. Each has a key that names it exactly once: a run halted again after
 * a resume is a new event (its `takeovers` moved on), the same halt seen twice is not. Only events
 * of the last `lookbackHours` are considered, so a first start does not page about history.
 */
import type { Knex } from 'knex';

export interface AlertEvent { key: string; kind: string; text: string }

const RUN_KINDS: Record<string, string> = { failed: 'run_failed', halted: 'run_halted', held: 'run_held' };

export async function findAlertEvents(db: Knex, partner: string, lookbackHours = 24): Promise<AlertEvent[]> {
  const since = db.raw(`now() - make_interval(hours => ?)`, [lookbackHours]);
  const runs = (await db('runs').where({ dry_run: false }).whereIn('status', Object.keys(RUN_KINDS))
    .where(db.raw('coalesce(finished_at, created_at)'), '>', since)
    .select('id', 'kind', 'source', 'status', 'takeovers', 'held_reason', 'halt_reason', 'error_code', 'error_message')) as Array<{
      id: string; kind: string; source: string | null; status: string; takeovers: number; held_reason: string | null; halt_reason: string | null; error_code: string | null; error_message: string | null;
    }>;
  const events: AlertEvent[] = runs.map((r) => {
    const what = `${r.kind} run ${r.id}${r.source ? ` of source "${r.source}"` : ''}`;
    const text = r.status === 'held'
      ? `updox-sync (${partner}): ${what} is held: ${r.held_reason ?? 'guardrail'}. Review it (updox-sync run ${r.id} --actions), then updox-sync approve ${r.id}`
      : r.status === 'halted'
        ? `updox-sync (${partner}): ${what} halted: ${r.halt_reason ?? 'Updox refused the credentials or SMS activation'}. Fix it, then updox-sync resume ${r.id}`
        : `updox-sync (${partner}): ${what} failed${r.error_code ? ` [${r.error_code}]` : ''}: ${r.error_message ?? 'see updox-sync run ' + r.id}`;
    return { key: `run:${r.id}:${r.status}:${r.takeovers}`, kind: RUN_KINDS[r.status]!, text };
  });
  const review = (await db('sync_actions').where({ status: 'needs_review' }).where('created_at', '>', since)
    .select('run_id').count({ n: '*' }).groupBy('run_id')) as Array<{ run_id: string; n: string }>;
  for (const r of review) {
    events.push({ key: `review:${r.run_id}`, kind: 'actions_need_review', text: `updox-sync (${partner}): run ${r.run_id} left ${r.n} action(s) needing review: updox-sync run ${r.run_id} --status needs_review` });
  }
  const reports = (await db('report_deliveries').where({ status: 'failed' }).where('updated_at', '>', since)
    .select('id', 'recipient', 'period', 'error')) as Array<{ id: string; recipient: string; period: string; error: string | null }>;
  for (const d of reports) {
    events.push({ key: `report:${d.id}:failed`, kind: 'report_failed', text: `updox-sync (${partner}): the ${d.period} report to ${d.recipient} could not be delivered: ${d.error ?? 'unknown error'}` });
  }
  return events;
}
