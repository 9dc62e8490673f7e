/**
 * `updox-sync schedule [--now [--source S]] [--json]`: registers (upserts) the schedules from config
 * and prints each one's next run. `--now` also enqueues a nightly run of every scheduled source
 * now (or of the one given with --source).
 */
import { BadInputError } from '../errors';
import { findSource } from '../nightly/source';
import { createQueues, queueFor } from '../../jobs/queues';
import { nextRun, registerSchedules } from '../../jobs/schedules';
import type { RegisterCommand } from './context';

interface Flags { now?: boolean; source?: string; json?: boolean }

export const register: RegisterCommand = (program, ctx) => {
  program
    .command('schedule')
    .description('register the schedules from config with BullMQ (safe to repeat) and print their next runs')
    .option('--now', 'also enqueue a nightly run of every scheduled source now')
    .option('-s, --source <name>', 'with --now: only this source (scheduled or not)')
    .option('--json', 'print the schedules as JSON')
    .action(async (opts: Flags) => {
      const config = ctx.config();
      if (opts.source && !opts.now) throw new BadInputError('SCHEDULE_SOURCE_WITHOUT_NOW', '--source only goes with --now');
      const now = opts.source ? [findSource(config, opts.source).name] : opts.now ? config.sources.filter((s) => s.schedule).map((s) => s.name) : [];
      const q = createQueues({ config });
      try {
        const entries = await registerSchedules({ config }, q);
        for (const source of now) await queueFor(q, 'nightly').add('nightly', { source, trigger: 'cli' });
        const rows = entries.map((e) => ({ ...e, nextRun: nextRun(e)?.toISOString() ?? null }));
        if (opts.json) ctx.print(JSON.stringify({ schedules: rows, enqueuedNow: now }));
        else {
          for (const e of rows) ctx.print(`${e.id.padEnd(28)} ${e.pattern.padEnd(16)} ${e.tz.padEnd(20)} next ${e.nextRun ?? '(pattern does not parse)'}`);
          if (opts.now) ctx.print(now.length ? `enqueued now: ${now.join(', ')}` : 'no source has a schedule; give --source NAME to run one now');
        }
      } finally {
        await q.close();
      }
    });
};
