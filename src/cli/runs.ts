/**
 * `updox-sync runs [--source S] [--kind K] [--limit N] [--json]`: the most recent runs, newest
 * first, as a table (id, kind, source, status, created, counts).
 */
import { BadInputError } from '../errors';
import { listRuns, type RunRow } from '../runs';
import type { RegisterCommand } from './context';

interface Flags { source?: string; kind?: string; limit?: string; json?: boolean }

/** A plain text table; columns padded to their widest cell. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

const PLAN_KEYS = ['create', 'update', 'deactivate', 'reactivate', 'unchanged'] as const;

/** "2 create, 5 update, 93 unchanged (held)" from plan_stats, or import counts before a plan. */
export function countsOf(run: RunRow): string {
  const plan = (run.plan_stats as { counts?: Record<string, number> } | null)?.counts;
  if (plan) {
    const parts = PLAN_KEYS.filter((k) => plan[k]).map((k) => `${plan[k]} ${k}`);
    if (plan.conflicts) parts.push(`${plan.conflicts} conflicts`);
    return parts.join(', ') || 'no practices';
  }
  const imp = run.import_stats as { read?: number; valid?: number; quarantined?: number } | null;
  return imp ? `${imp.read ?? 0} read, ${imp.valid ?? 0} valid, ${imp.quarantined ?? 0} quarantined` : '';
}

const when = (d: Date | string | null) => (d ? new Date(d).toISOString().replace('T', ' ').slice(0, 19) : '');

export const register: RegisterCommand = (program, ctx) => {
  program
    .command('runs')
    .description('list recent runs (newest first) with their status and counts')
    .option('-s, --source <name>', 'only runs of this source')
    .option('--kind <kind>', 'only runs of this kind (sync, upgrade, numbers, audit, report)')
    .option('-n, --limit <n>', 'how many runs', '20')
    .option('--json', 'print the runs as JSON')
    .action(async (flags: Flags) => {
      const limit = Number(flags.limit ?? 20);
      if (!Number.isInteger(limit) || limit < 1) throw new BadInputError('CLI_BAD_OPTION', `--limit must be a positive integer, got "${flags.limit}"`);
      await ctx.withApp(async (deps) => {
        const runs = await listRuns(deps.db, { limit, ...(flags.source ? { source: flags.source } : {}), ...(flags.kind ? { kind: flags.kind } : {}) });
        if (flags.json) {
          ctx.print(JSON.stringify(runs.map((r) => ({
            id: r.id, kind: r.kind, source: r.source, status: r.status, dryRun: r.dry_run, createdAt: r.created_at, finishedAt: r.finished_at,
            counts: (r.plan_stats as { counts?: unknown } | null)?.counts ?? null, heldReason: r.held_reason, error: r.error_message,
          }))));
          return;
        }
        if (!runs.length) {
          ctx.print('no runs yet');
          return;
        }
        ctx.print(table(['id', 'kind', 'source', 'status', 'created', 'counts'], runs.map((r) => [
          r.id, r.kind, r.source ?? '-', `${r.status}${r.dry_run ? ' (dry)' : ''}`, when(r.created_at), countsOf(r),
        ])));
      });
    });
};
