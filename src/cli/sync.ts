/**
 * `updox-sync sync`: a one-off import → plan → apply (→ audit) for one source, in this process,
 * through the same step functions the nightly BullMQ flow uses. `--dry-run` plans and sends nothing.
 */
import { EXIT } from '../errors';
import { openSyncRun, stepApply, stepAudit, stepImport, stepPlan } from '../nightly/steps';
import { formatSummary, summarizeRun } from '../nightly/summary';
import { finishRun, listActions } from '../sync/runs';
import { formatActions } from './run';
import type { RegisterCommand } from './context';

interface SyncOpts { source?: string; file?: string; dryRun?: boolean; json?: boolean; audit?: boolean }

export const register: RegisterCommand = (program, ctx) => {
  program
    .command('sync')
    .description('import, plan and apply one source now (the nightly flow, in this process)')
    .option('-s, --source <name>', 'configured source (default: the first one)')
    .option('-f, --file <path>', 'read this CSV instead of the source\'s path (the source\'s mapping and rules apply)')
    .option('--dry-run', 'go through the same planner, print the plan, call nothing')
    .option('--no-audit', 'skip the business-details audit after applying')
    .option('--json', 'print a machine-readable summary')
    .action(async (opts: SyncOpts) => {
      await ctx.withApp(async (deps) => {
        const source = opts.source ?? deps.config.sources[0]?.name ?? '';
        const log = deps.log.child({ command: 'sync', source });
        const opened = await openSyncRun(deps, { source, trigger: 'cli', dryRun: Boolean(opts.dryRun), ...(opts.file ? { file: opts.file } : {}) });
        if (opened.skipped) {
          ctx.print(opts.json ? JSON.stringify({ runId: opened.runId, status: 'skipped' }) : `skipped: another run of "${source}" is in progress (run ${opened.runId})`);
          process.exitCode = EXIT.failure;
          return;
        }
        const runId = opened.runId;
        await stepImport(deps, runId, log, opts.file);
        await stepPlan(deps, runId, log);
        if (opts.dryRun) {
          const run = await deps.db('runs').where({ id: runId }).first();
          if (run && !['failed', 'held'].includes(run.status)) await finishRun(deps.db, runId, 'planned');
        } else {
          await stepApply(deps, runId, { workerId: `cli:${process.pid}` }, log);
          if (opts.audit !== false) await stepAudit(deps, runId, log);
        }
        const summary = await summarizeRun(deps.db, runId);
        ctx.print(opts.json ? JSON.stringify(summary) : formatSummary(summary));
        if (opts.dryRun && !opts.json) {
          const actions = await listActions(deps.db, runId, { limit: 20 });
          if (actions.length) ctx.print(`first ${actions.length} planned action(s) (all: updox-sync run ${runId} --actions):\n${formatActions(actions)}`);
        }
        if (summary.status === 'failed') process.exitCode = EXIT.badInput;
        else if (summary.status === 'held') process.exitCode = EXIT.held;
        else if (summary.status === 'halted') process.exitCode = EXIT.halted;
      });
    });
};
