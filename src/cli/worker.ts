/** `updox-sync worker`: BullMQ workers for every queue, until SIGTERM/SIGINT. */
import { closeOnSignals, createApp } from '../app';
import { createQueues } from '../../jobs/queues';
import { startWorkers } from '../../jobs/worker';
import { reconcileRuns } from '../../jobs/reconcile';
import type { RegisterCommand } from './context';

export const register: RegisterCommand = (program, ctx) => {
  program
    .command('worker')
    .description('run BullMQ workers for all queues (sync, updox, mail); scale out by running more')
    .option('--updox-concurrency <n>', 'apply/numbers jobs processed at once', (v) => Number.parseInt(v, 10))
    .action(async (opts: { updoxConcurrency?: number }) => {
      const app = createApp(ctx.config());
      const { deps } = app;
      const q = createQueues(deps);
      const running = startWorkers(deps, q, opts.updoxConcurrency ? { concurrency: { updox: opts.updoxConcurrency } } : {});
      // Losing Redis loses no data: re-enqueue what the outbox says is still to do.
      const requeued = await reconcileRuns(deps, q);
      deps.log.info({ requeued, pid: process.pid }, 'worker started');
      closeOnSignals(async () => {
        await running.close();
        await q.close();
        await app.close();
      }, deps.log);
      await new Promise(() => {}); // until a signal
    });
};
