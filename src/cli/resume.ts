/**
 * `updox-sync resume RUN [--by NAME] [--no-enqueue] [--json]`: continues a halted run (after its
 * cause, e.g. credentials, is fixed) from its outbox, if it is still the newest plan of its source.
 * A held run is approved instead (`approve`); a run that is working resumes by itself.
 */
import { findRun, resumeRun } from '../runs';
import type { RegisterCommand } from './context';
import { defaultActor, enqueueApply } from './operator-run';

interface Flags { by?: string; json?: boolean; enqueue?: boolean }

export const register: RegisterCommand = (program, ctx) => {
  program
    .command('resume')
    .description('continue a halted run from its outbox (after fixing what halted it)')
    .argument('<run>', 'run id (or a unique prefix of it, at least 4 characters)')
    .option('--by <name>', 'who resumes (recorded on the run); default: the OS user')
    .option('--no-enqueue', 'only release the run; a worker\'s supervisor enqueues its apply')
    .option('--json', 'print the result as JSON')
    .action(async (runArg: string, flags: Flags) => {
      await ctx.withApp(async (deps) => {
        const found = await findRun(deps.db, runArg);
        const run = await resumeRun(deps.db, found.id, flags.by ?? defaultActor());
        if (flags.enqueue !== false) await enqueueApply(deps, run);
        const pending = Number(((await deps.db('sync_actions').where({ run_id: run.id, status: 'pending' }).count({ n: '*' })) as Array<{ n: string }>)[0]?.n ?? 0);
        if (flags.json) {
          ctx.print(JSON.stringify({ runId: run.id, status: run.status, was: found.status, haltReason: found.halt_reason, pendingActions: pending, enqueued: flags.enqueue !== false }));
          return;
        }
        ctx.print(`resumed run ${run.id} (halted: ${found.halt_reason ?? 'no reason recorded'}); ${pending} action(s) pending; `
          + (flags.enqueue !== false ? 'apply enqueued for the workers' : 'a running worker\'s supervisor enqueues it'));
      });
    });
};
