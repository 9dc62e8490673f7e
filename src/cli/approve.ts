/**
 * `updox-sync approve RUN [--by NAME] [--json]`: releases a run the guardrail held (held → planned),
 * recording who approved it, and enqueues its apply (then an audit) for the workers. `--no-enqueue`
 * leaves that to the next `updox-sync worker` start (its reconcile enqueues every planned run).
 */
import { userInfo } from 'node:os';
import { addApprovedApply } from '../../jobs/flows';
import { createQueues } from '../../jobs/queues';
import { approveRun } from '../sync/approve';
import { findRun } from '../sync/runs';
import type { RegisterCommand } from './context';

interface Flags { by?: string; json?: boolean; enqueue?: boolean }

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
    .option('--no-enqueue', 'only release the run; do not enqueue its apply now')
    .option('--json', 'print the result as JSON')
    .action(async (runArg: string, flags: Flags) => {
      await ctx.withApp(async (deps) => {
        const found = await findRun(deps.db, runArg);
        const by = flags.by ?? defaultApprover();
        const run = await approveRun(deps.db, found.id, by);
        if (flags.enqueue !== false) {
          const q = createQueues(deps);
          try {
            await addApprovedApply(q, run.id, run.approved_at ?? new Date());
          } finally {
            await q.close();
          }
        }
        const pending = Number(((await deps.db('sync_actions').where({ run_id: run.id, status: 'pending' }).count({ n: '*' })) as Array<{ n: string }>)[0]?.n ?? 0);
        if (flags.json) {
          ctx.print(JSON.stringify({ runId: run.id, status: run.status, approvedBy: run.approved_by, approvedAt: run.approved_at, pendingActions: pending, enqueued: flags.enqueue !== false }));
          return;
        }
        ctx.print(`approved run ${run.id} (held: ${found.held_reason ?? 'no reason recorded'}) by ${run.approved_by}; ${pending} actions pending`);
        ctx.print(flags.enqueue !== false
          ? 'apply enqueued: a running `updox-sync worker` sends it (or run `updox-sync worker` now)'
          : 'not enqueued: the next `updox-sync worker` start picks the planned run up');
      });
    });
};
