/** `updox-sync schedule`: register (upsert) the nightly, numbers and report schedules from config. */
import { createQueues, queueFor } from '../../jobs/queues';
import { registerSchedules } from '../../jobs/schedules';
import type { RegisterCommand } from './context';

export const register: RegisterCommand = (program, ctx) => {
  program
    .command('schedule')
    .description('register the schedules from config with BullMQ (safe to repeat); workers run them')
    .option('--now', 'also enqueue a nightly run of every source immediately')
    .option('--json', 'print the schedules as JSON')
    .action(async (opts: { now?: boolean; json?: boolean }) => {
      const config = ctx.config();
      const q = createQueues({ config });
      try {
        const entries = await registerSchedules({ config }, q);
        if (opts.now) {
          for (const s of config.sources) await queueFor(q, 'nightly').add('nightly', { source: s.name, trigger: 'cli' });
        }
        if (opts.json) ctx.print(JSON.stringify(entries));
        else for (const e of entries) ctx.print(`${e.id.padEnd(28)} ${e.pattern.padEnd(16)} ${e.tz}`);
      } finally {
        await q.close();
      }
    });
};
