/**
 * A run's summary, computed from the outbox and staging tables (the truth), for the CLI, the demo
 * and the e2e tests: what was created, updated, unchanged, failed, quarantined.
 */
import type { Knex } from 'knex';

export interface RunSummary {
  runId: string;
  source: string | null;
  status: string;
  dryRun: boolean;
  heldReason: string | null;
  haltReason: string | null;
  error: string | null;
  read: number;
  valid: number;
  quarantined: number;
  planned: Record<string, number>;
  created: number;
  updated: number;
  deactivated: number;
  reactivated: number;
  unchanged: number;
  failed: number;
  /** Writes whose reply was lost and that Updox would not confirm (outbox `needs_review`). */
  needsReview: number;
  pending: number;
  apiWrites: number;
}

export async function summarizeRun(db: Knex, runId: string): Promise<RunSummary> {
  const run = await db('runs').where({ id: runId }).first();
  if (!run) throw new Error(`run ${runId} not found`);
  const rows = (await db('sync_actions')
    .where({ run_id: runId })
    .select('op', 'status')
    .count<{ op: string; status: string; n: string }[]>({ n: '*' })
    .sum({ writes: 'attempts' })
    .groupBy('op', 'status')) as unknown as { op: string; status: string; n: string; writes: string | null }[];
  const planned: Record<string, number> = {};
  let created = 0, updated = 0, deactivated = 0, reactivated = 0, failed = 0, needsReview = 0, pending = 0, apiWrites = 0;
  for (const r of rows) {
    const n = Number(r.n);
    planned[r.op] = (planned[r.op] ?? 0) + n;
    apiWrites += Number(r.writes ?? 0);
    if (r.status === 'succeeded') {
      if (r.op === 'create') created += n;
      else if (r.op === 'update' || r.op === 'upgrade') updated += n;
      else if (r.op === 'deactivate') deactivated += n;
      else if (r.op === 'reactivate') reactivated += n;
    } else if (r.status === 'failed' || r.status === 'halted') failed += n;
    else if (r.status === 'needs_review') needsReview += n;
    else if (r.status === 'pending' || r.status === 'in_flight') pending += n;
  }
  const stats = (run.import_stats ?? {}) as { read?: number; valid?: number; quarantined?: number; stats?: { read?: number; valid?: number; quarantined?: number } };
  const s = stats.stats ?? stats;
  const valid = Number(s.valid ?? 0);
  const touched = (planned.create ?? 0) + (planned.update ?? 0) + (planned.reactivate ?? 0);
  return {
    runId,
    source: run.source,
    status: run.status,
    dryRun: run.dry_run,
    heldReason: run.held_reason,
    haltReason: run.halt_reason,
    error: run.error_message ? `${run.error_code}: ${run.error_message}` : null,
    read: Number(s.read ?? 0),
    valid,
    quarantined: Number(s.quarantined ?? 0),
    planned,
    created,
    updated,
    deactivated,
    reactivated,
    unchanged: Math.max(0, valid - touched),
    failed,
    needsReview,
    pending,
    apiWrites,
  };
}

export function formatSummary(s: RunSummary): string {
  const lines = [
    `run ${s.runId} (${s.source ?? '-'}): ${s.status}${s.dryRun ? ' (dry run: nothing was sent)' : ''}`,
    `  roster:  ${s.read} read, ${s.valid} valid, ${s.quarantined} quarantined`,
    s.dryRun
      ? `  plan:    ${Object.entries(s.planned).map(([k, v]) => `${v} ${k}`).join(', ') || 'no changes'}; ${s.unchanged} unchanged`
      : `  applied: ${s.created} created, ${s.updated} updated, ${s.deactivated} deactivated, ${s.reactivated} reactivated, ${s.unchanged} unchanged, ${s.failed} failed${s.needsReview ? `, ${s.needsReview} NEED REVIEW (updox-sync run ${s.runId} --status needs_review)` : ''}${s.pending ? `, ${s.pending} pending` : ''}`,
    `  API writes: ${s.apiWrites}`,
  ];
  if (s.heldReason && s.dryRun) lines.push(`  the guardrail would hold a real run: ${s.heldReason}`);
  else if (s.heldReason && s.status === 'held') lines.push(`  HELD: ${s.heldReason} — release with: updox-sync approve ${s.runId}`);
  if (s.haltReason) lines.push(`  HALTED: ${s.haltReason}`);
  if (s.error) lines.push(`  error: ${s.error}`);
  return lines.join('\n');
}
