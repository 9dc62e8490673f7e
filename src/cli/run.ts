/**
 * `updox-sync run RUN [--json] [--actions] [--status S] [--op OP] [--limit N]`: one run's state and
 * counts (import, plan, outbox by op and status) and, with --actions (or --status/--op), its
 * per-practice results: op, status, code, message, attempts, changed fields, conflicts, flags.
 * `formatActions` also prints a dry run's plan.
 */
import { BadInputError } from '../errors';
import { findRun, type RunRow } from '../runs';
import { actionCounts, listActions, type ActionRow } from '../sync/actions';
import { describeTally } from '../updox/list-entries';
import type { RegisterCommand } from './context';
import { countsOf, table } from './runs';

interface Flags { json?: boolean; actions?: boolean; status?: string; op?: string; limit?: string }

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const show = (v: unknown) => (v === null || v === undefined ? '∅' : JSON.stringify(v));

/** The per-practice lines of a plan or its results. */
export function formatActions(actions: ActionRow[]): string {
  if (!actions.length) return '  (no actions)';
  const rows = actions.map((a) => [
    a.account_id, a.op, a.status, a.code === null ? '' : String(a.code), String(a.attempts),
    clip((a.changed_fields ?? []).join(','), 60), (a.flags ?? []).join(','), clip(a.message ?? '', 80),
  ]);
  const lines = table(['account', 'op', 'status', 'code', 'attempts', 'changed', 'flags', 'message'], rows).split('\n').map((l) => `  ${l}`);
  for (const a of actions) {
    if (a.status === 'needs_review' && a.evidence) lines.push(`  needs review ${a.account_id}: ${formatEvidence(a.evidence)}`);
    for (const c of a.conflicts ?? []) {
      lines.push(`  conflict ${a.account_id}.${c.field}: base ${show(c.base)}, roster ${show(c.roster)}, Updox ${show(c.remote)} → kept ${c.resolved}`);
    }
  }
  return lines.join('\n');
}

type LookText = { outcome?: string; code?: number | null; message?: string; reason?: string };
const lookText = (l: LookText) => [l.outcome, l.code ?? l.reason, l.message].filter((x) => x !== undefined && x !== null && x !== '').join(' ');

/** "last write: 5000 …; PracticeGet: permanent 4000 Bad Request; PracticeList: retryable UPDOX_HTTP_STATUS HTTP 503; 6 looks". */
export function formatEvidence(e: Record<string, unknown>): string {
  const parts: string[] = [];
  const w = e.write as LookText | undefined;
  if (w) parts.push(`last write: ${[w.code, w.message].filter((x) => x !== undefined && x !== null).join(' ')}`);
  if (e.practiceGet) parts.push(`PracticeGet: ${lookText(e.practiceGet as LookText)}`);
  if (e.practiceList) parts.push(`PracticeList: ${lookText(e.practiceList as LookText)}`);
  if (typeof e.looks === 'number') parts.push(`${e.looks} look${e.looks === 1 ? '' : 's'}`);
  return parts.join('; ');
}

interface SnapshotStats { practices?: number; skipped?: number; skippedByReason?: Record<string, number>; skippedSamples?: { index: number; id: string | null; reason: string; detail: string }[] }

/** "120 practices listed; 2 list entries skipped (missing_id 1, bad_field 1): #4 (no id) accountId: empty id; …" */
export function formatSnapshot(s: SnapshotStats): string {
  const head = `${s.practices ?? 0} practices listed`;
  if (!s.skipped) return head;
  const reasons = describeTally({ byReason: s.skippedByReason ?? {} });
  const samples = (s.skippedSamples ?? []).slice(0, 5).map((x) => `#${x.index + 1} ${x.id ?? '(no id)'} ${x.detail}`).join('; ');
  return `${head}; ${s.skipped} list entr${s.skipped === 1 ? 'y' : 'ies'} skipped (${reasons})${samples ? `: ${samples}` : ''}`;
}

export function formatRun(run: RunRow, byOp: Record<string, Record<string, number>>): string {
  const lines = [`run ${run.id} (${run.kind}, ${run.source ?? '-'}): ${run.status}${run.dry_run ? ' (dry run: nothing is sent)' : ''}`];
  lines.push(`  created ${new Date(run.created_at).toISOString()}${run.finished_at ? `, finished ${new Date(run.finished_at).toISOString()}` : ''}`);
  if (run.import_stats) {
    const s = run.import_stats as { read?: number; valid?: number; quarantined?: number };
    lines.push(`  roster: ${s.read ?? 0} read, ${s.valid ?? 0} valid, ${s.quarantined ?? 0} quarantined`);
  }
  const plan = run.plan_stats as { counts?: Record<string, number>; durationMs?: number; snapshot?: SnapshotStats } | null;
  if (plan?.snapshot) lines.push(`  Updox: ${formatSnapshot(plan.snapshot)}`);
  if (plan?.counts) {
    const c = plan.counts;
    const extra = [
      c.conflicts ? `${c.conflicts} with conflicts` : '', c.adopted ? `${c.adopted} adopted` : '', c.collision ? `${c.collision} accountId collisions (not planned)` : '',
      c.unreadable ? `${c.unreadable} unreadable in PracticeList (not planned)` : '',
      c.clearsAddress ? `${c.clearsAddress} clear an address field` : '', c.clearsWebsite ? `${c.clearsWebsite} clear the website` : '',
      c.retried ? `${c.retried} retried after a failure` : '',
    ].filter(Boolean);
    lines.push(`  plan: ${countsOf(run)}${plan.durationMs !== undefined ? ` (${plan.durationMs} ms)` : ''}${extra.length ? `; ${extra.join(', ')}` : ''}`);
  }
  const ops = Object.entries(byOp);
  if (ops.length) lines.push(`  outbox: ${ops.map(([op, st]) => `${op} ${Object.entries(st).map(([s, n]) => `${n} ${s}`).join('/')}`).join('; ')}`);
  const review = ops.reduce((n, [, st]) => n + (st.needs_review ?? 0), 0);
  if (review) lines.push(`  NEEDS REVIEW: ${review} write${review === 1 ? '' : 's'} whose reply was lost and whose outcome Updox would not confirm — see: updox-sync run ${run.id} --status needs_review`);
  if (run.held_reason) lines.push(`  HELD: ${run.held_reason}${run.status === 'held' ? ` — release with: updox-sync approve ${run.id}` : ''}`);
  if (run.approved_at) lines.push(`  approved by ${run.approved_by ?? 'unknown'} at ${new Date(run.approved_at).toISOString()}`);
  if (run.halt_reason) lines.push(`  HALTED: ${run.halt_reason}`);
  if (run.error_message) lines.push(`  error [${run.error_code ?? '-'}]: ${run.error_message}`);
  return lines.join('\n');
}

export const register: RegisterCommand = (program, ctx) => {
  program
    .command('run')
    .description("show one run: status, counts and (with --actions) each practice's result")
    .argument('<run>', 'run id (or a unique prefix of it, at least 4 characters)')
    .option('--actions', 'list the per-practice results (op, status, code, message, attempts)')
    .option('--status <status>', 'only actions in this status (pending, in_flight, succeeded, failed, needs_review, halted, cancelled); implies --actions')
    .option('--op <op>', 'only actions of this op (create, update, deactivate, reactivate); implies --actions')
    .option('-n, --limit <n>', 'at most this many actions', '200')
    .option('--json', 'print the run and its actions as JSON')
    .action(async (runArg: string, flags: Flags) => {
      const limit = Number(flags.limit ?? 200);
      if (!Number.isInteger(limit) || limit < 1) throw new BadInputError('CLI_BAD_OPTION', `--limit must be a positive integer, got "${flags.limit}"`);
      await ctx.withApp(async (deps) => {
        const run = await findRun(deps.db, runArg);
        const byOp = await actionCounts(deps.db, run.id);
        const wantActions = Boolean(flags.actions || flags.status || flags.op);
        const acts = wantActions
          ? await listActions(deps.db, run.id, { limit, ...(flags.status ? { status: flags.status } : {}), ...(flags.op ? { op: flags.op } : {}) })
          : [];
        if (flags.json) {
          ctx.print(JSON.stringify({ run, outbox: byOp, ...(wantActions ? { actions: acts } : {}) }));
          return;
        }
        ctx.print(formatRun(run, byOp));
        if (wantActions) {
          ctx.print(`actions${flags.status ? ` (${flags.status})` : ''}${flags.op ? ` (${flags.op})` : ''}, first ${limit}:`);
          ctx.print(formatActions(acts));
        }
      });
    });
};
