/**
 * The admin report's run sections: runs held by a guardrail (someone must approve or fix them) and
 * every run since the last report with its status and counts. Dry runs are listed as such but never
 * as held: a dry run can never be approved.
 */
import type { Knex } from 'knex';
import { needsAttention } from '../runs/status';
import { formatTime } from './format';
import type { AdminSectionContext } from './admin-sections';
import type { ReportSection } from './types';

interface RunDbRow {
  id: string; kind: string; source: string | null; status: string; dry_run: boolean; created_at: Date; finished_at: Date | null;
  import_stats: Record<string, unknown> | null; held_reason: string | null; halt_reason: string | null; error_code: string | null; error_message: string | null;
  total: number;
}

async function loadRuns(db: Knex, where: string, bindings: unknown[], cap: number) {
  const { rows } = await db.raw<{ rows: RunDbRow[] }>(
    `SELECT r.*, count(*) OVER ()::int AS total FROM runs r WHERE ${where} ORDER BY r.created_at DESC LIMIT ?`,
    [...bindings, cap] as Knex.RawBinding[]);
  if (!rows.length) return { rows, acts: [] as ActCount[], total: 0 };
  const { rows: acts } = await db.raw<{ rows: ActCount[] }>(
    `SELECT run_id, op, status, count(*)::int AS n FROM sync_actions WHERE run_id = ANY(?::uuid[]) GROUP BY 1, 2, 3`, [rows.map((r) => r.id)]);
  return { rows, acts, total: rows[0]!.total };
}

interface ActCount { run_id: string; op: string; status: string; n: number }

const DONE: Record<string, string> = { create: 'created', update: 'updated', upgrade: 'upgraded', deactivate: 'deactivated', reactivate: 'reactivated' };

/** "12 read, 1 quarantined, 1 updated, 2 failed" from a run's import stats and its outbox rows. */
export function runCounts(run: Pick<RunDbRow, 'import_stats' | 'dry_run'>, acts: Pick<ActCount, 'op' | 'status' | 'n'>[]): string {
  const parts: string[] = [];
  const stats = (run.import_stats ?? {}) as { read?: number; quarantined?: number; stats?: { read?: number; quarantined?: number } };
  const s = stats.stats ?? stats;
  if (s.read != null) parts.push(`${s.read} read`);
  if (s.quarantined) parts.push(`${s.quarantined} quarantined`);
  const sum = (f: (a: { op: string; status: string }) => boolean) => acts.filter(f).reduce((n, a) => n + a.n, 0);
  for (const op of Object.keys(DONE)) {
    const n = sum((a) => a.op === op && (run.dry_run || a.status === 'succeeded'));
    if (n) parts.push(`${n} ${run.dry_run ? `to ${op}` : DONE[op]}`);
  }
  const failed = sum((a) => a.status === 'failed' || a.status === 'halted');
  if (failed) parts.push(`${failed} failed`);
  const pending = sum((a) => a.status === 'pending' || a.status === 'in_flight');
  if (pending && !run.dry_run) parts.push(`${pending} pending`);
  return parts.join(', ') || 'no changes';
}

export async function heldRunsSection(c: AdminSectionContext): Promise<ReportSection | null> {
  const { rows } = await loadRuns(c.db, `r.status = 'held' AND NOT r.dry_run`, [], 100);
  if (!rows.length) return null;
  return {
    id: 'held-runs', title: 'Runs held for approval', tone: 'alert', table: null, empty: '',
    notes: rows.map((r) => `Run ${r.id} (${r.source ?? r.kind}) is held and changes nothing until approved: ${r.held_reason ?? 'no reason recorded'}. `
      + `Check it with \`updox-sync run ${r.id}\`, then \`updox-sync approve ${r.id}\`.`),
  };
}

export async function runsSection(c: AdminSectionContext): Promise<ReportSection> {
  const { rows, acts, total } = await loadRuns(c.db, `r.created_at > ? AND r.created_at <= ? AND r.kind <> 'report'`, [c.since, c.now], c.listCap);
  const note = (r: RunDbRow) => [r.held_reason && `held: ${r.held_reason}`, r.halt_reason && `halted: ${r.halt_reason}`,
    (r.error_code || r.error_message) && [r.error_code, r.error_message].filter(Boolean).join(': ')].filter(Boolean).join(' · ');
  const attention = rows.filter((r) => needsAttention(r.status));
  const notes = [
    ...(attention.length ? [`${attention.length} of them need attention: ${[...new Set(attention.map((r) => r.status.replace(/_/g, ' ')))].join(', ')}.`] : []),
    ...(total > rows.length ? [`Showing the latest ${rows.length}; \`updox-sync runs\` lists all.`] : []),
  ];
  return {
    id: 'runs', title: `Runs since the last report (${total})`, tone: 'info', notes,
    empty: 'No runs.',
    table: {
      columns: ['Started', 'Run', 'Status', 'Result'], total,
      rows: rows.map((r) => [
        formatTime(r.created_at.toISOString(), c.timeZone),
        `${r.kind}${r.source ? ` · ${r.source}` : ''}${r.dry_run ? ' (dry run)' : ''}`,
        r.status.replace(/_/g, ' '),
        [runCounts(r, acts.filter((a) => a.run_id === r.id)), note(r)].filter(Boolean).join(' — '),
      ]),
    },
  };
}
