/**
 * `updox-sync approve RUN [--by NAME] [--json]`: releases a run the guardrail held (held → planned),
 * recording who approved it. The apply step then runs like after any plan: a worker picks the
 * planned run up (its start-up reconcile enqueues `apply:<runId>`).
 */
import { userInfo } from 'node:os';
import { approveRun } from '../sync/approve';
import { findRun } from '../sync/runs';
import type { RegisterCommand } from './context';

interface Flags { by?: string; json?: boolean }

function defaultApprover(): string {
  try {
    return userInfo().username;
  } catch {
    return 'cli';
  }
}

export const register: RegisterCommand = (program, ctx) => {
  program
    .command('approve')
    .description('release a run held by the guardrail so that it is applied')
    .argument('<run>', 'run id (or a unique prefix of it, at least 4 characters)')
    .option('--by <name>', 'who approves (recorded on the run); default: the OS user')
    .option('--json', 'print the result as JSON')
    .action(async (runArg: string, flags: Flags) => {
      await ctx.withApp(async (deps) => {
        const found = await findRun(deps.db, runArg);
        const by = flags.by ?? defaultApprover();
        const run = await approveRun(deps.db, found.id, by);
        const pending = Number(((await deps.db('sync_actions').where({ run_id: run.id, status: 'pending' }).count({ n: '*' })) as Array<{ n: string }>)[0]?.n ?? 0);
        if (flags.json) {
          ctx.print(JSON.stringify({ runId: run.id, status: run.status, approvedBy: run.approved_by, approvedAt: run.approved_at, pendingActions: pending }));
          return;
        }
        ctx.print(`approved run ${run.id} (held: ${found.held_reason ?? 'no reason recorded'}) by ${run.approved_by}; ${pending} actions pending`);
        ctx.print('approved; the apply step will run: updox-sync worker picks it up');
      });
    });
};
