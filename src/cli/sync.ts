/**
 * `updox-sync sync`: a one-off import → plan → apply for one source, in this process, through the
 * pipeline's one definition (src/pipeline/), then the business-details audit of its practices.
 * `--dry-run` plans and sends nothing (the run ends `previewed`). This process owns the run under a
 * lease; killed, a worker's supervisor finishes the run from its last completed step. SIGTERM or
 * SIGINT stops the step within seconds and hands the run to a worker the same way.
 */
import { EXIT } from '../errors';
import { runSourceStepsInProcess } from '../pipeline/in-process';
import { openSyncRun } from '../pipeline/open';
import { formatSummary, summarizeRun } from '../nightly/summary';
import { attemptId, isSuccess } from '../runs';
import { listActions } from '../sync/actions';
import { auditPractices } from '../sms/audit';
import { formatActions } from './run';
import { isQuiet, type RegisterCommand } from './context';
import { startApplyProgress } from './progress';

interface SyncOpts { source?: string; file?: string; dryRun?: boolean; json?: boolean; audit?: boolean }

const EXIT_BY_STATUS: Record<string, number> = { failed: EXIT.badInput, held: EXIT.held, halted: EXIT.halted, cancelled: EXIT.failure, superseded: EXIT.failure };

export const register: RegisterCommand = (program, ctx) => {
  program
    .command('sync')
    .description('import, plan and apply one source now (the nightly pipeline, in this process)')
    .option('-s, --source <name>', 'configured source (default: the first one)')
    .option('-f, --file <path>', 'read this CSV instead of the source\'s path (the source\'s mapping and rules apply)')
    .option('--dry-run', 'go through the same planner, print the plan, call nothing')
    .option('--no-audit', 'skip the business-details audit after applying')
    .option('--json', 'print a machine-readable summary')
    .action(async (opts: SyncOpts) => {
      await ctx.withApp(async (deps) => {
        const source = opts.source ?? deps.config.sources[0]?.name ?? '';
        const log = deps.log.child({ command: 'sync', source });
        const owner = attemptId('cli');
        const opened = await openSyncRun(deps, { source, trigger: 'cli', dryRun: Boolean(opts.dryRun), owner });
        if (opened.skipped) {
          const message = opened.run.error_message ?? 'another run of this source is in progress';
          ctx.print(opts.json
            ? JSON.stringify({ runId: opened.runId, status: 'skipped', message, blocker: opened.blocker ? { id: opened.blocker.id, status: opened.blocker.status, createdAt: opened.blocker.created_at } : null })
            : `skipped: ${message}`);
          process.exitCode = EXIT.failure;
          return;
        }
        const runId = opened.runId;
        const stopping = new AbortController();
        const onSignal = () => stopping.abort();
        process.once('SIGTERM', onSignal);
        process.once('SIGINT', onSignal);
        // Shows the apply once the plan has written the outbox (nothing before, nothing for a dry run).
        const progress = startApplyProgress(deps, runId, { tty: Boolean(process.stderr.isTTY), quiet: Boolean(opts.json) || Boolean(opts.dryRun) || isQuiet(program) });
        try {
          const run = await runSourceStepsInProcess(deps, runId, { owner, log, signal: stopping.signal, ...(opts.file ? { file: opts.file } : {}) });
          await progress.stop();
          if (!opts.dryRun && opts.audit !== false && isSuccess(run.status)) {
            await auditPractices(deps, { runId });
          }
        } finally {
          await progress.stop();
          process.off('SIGTERM', onSignal);
          process.off('SIGINT', onSignal);
        }
        const summary = await summarizeRun(deps.db, runId);
        ctx.print(opts.json ? JSON.stringify(summary) : formatSummary(summary));
        if (opts.dryRun && !opts.json) {
          const actions = await listActions(deps.db, runId, { limit: 20 });
          if (actions.length) ctx.print(`first ${actions.length} planned action(s) (all: updox-sync run ${runId} --actions):\n${formatActions(actions)}`);
        }
        if (stopping.signal.aborted) process.exitCode = EXIT.failure;
        else if (EXIT_BY_STATUS[summary.status] !== undefined) process.exitCode = EXIT_BY_STATUS[summary.status]!;
      });
    });
};
