/**
 * `updox-sync cancel RUN [--by NAME] [--json]`: stops a run that has not ended. Workers stop sending
 * at their next lease renewal (within seconds); its pending practices are marked cancelled; who
 * cancelled it is recorded. Calls already in flight finish and their replies are recorded.
 */
import { cancelRun, findRun } from '../runs';
import type { RegisterCommand } from './context';
import { defaultActor } from './operator-run';

interface Flags { by?: string; json?: boolean }

export const register: RegisterCommand = (program, ctx) => {
  program
    .command('cancel')
    .description('stop a run: nothing more is sent, its pending practices are marked cancelled')
    .argument('<run>', 'run id (or a unique prefix of it, at least 4 characters)')
    .option('--by <name>', 'who cancels (recorded on the run); default: the OS user')
    .option('--json', 'print the result as JSON')
    .action(async (runArg: string, flags: Flags) => {
      await ctx.withApp(async (deps) => {
        const found = await findRun(deps.db, runArg);
        const { run, cancelledActions } = await cancelRun(deps.db, found.id, flags.by ?? defaultActor());
        if (flags.json) {
          ctx.print(JSON.stringify({ runId: run.id, status: run.status, was: found.status, cancelledBy: run.cancelled_by, cancelledAt: run.cancelled_at, cancelledActions }));
          return;
        }
        ctx.print(`cancelled run ${run.id} (was ${found.status}) by ${run.cancelled_by}; ${cancelledActions} pending action(s) cancelled`);
      });
    });
};
