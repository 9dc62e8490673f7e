/**
 * `updox-sync schedule [--now [--source S]] [--json]`: registers (upserts) the schedules from config
 * and prints each one's next run. `--now` also enqueues a nightly run of every scheduled source
 * now (or of the one given with --source).
 */
import { BadInputError } from '../errors';
import { findSource } from '../nightly/source';
import { createQueues, queueFor } from '../../jobs/queues';
import { nextRun, registerSchedules } from '../../jobs/schedules';
import type { Config } from '../config';
import { createKnex } from '../db/knex';
import { describeNightPlan, planNight, type NightPlan } from '../nightly/night-plan';
import type { RegisterCommand } from './context';

interface Flags { now?: boolean; source?: string; json?: boolean }

/** The night plan's one line (plan-night); schedule needs only Redis, so a database it cannot read is said, not fatal. */
async function nightPlanLine(config: Config): Promise<{ line: string; plan: NightPlan | null }> {
  const db = createKnex(config.databaseUrl, { min: 0, max: 1 });
  try {
    const plan = await planNight(db, config, new Date());
    return { line: describeNightPlan(plan), plan };
  } catch (err) {
    return { line: `tonight: no night plan (database not readable: ${(err as Error).message.split('\n')[0]})`, plan: null };
  } finally {
    await db.destroy();
  }
}

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
        const night = await nightPlanLine(config);
        if (opts.json) ctx.print(JSON.stringify({ schedules: rows, enqueuedNow: now, nightPlan: night.plan }));
        else {
          for (const e of rows) ctx.print(`${e.id.padEnd(28)} ${e.pattern.padEnd(16)} ${e.tz.padEnd(20)} next ${e.nextRun ?? '(pattern does not parse)'}`);
          ctx.print(night.line);
          if (opts.now) ctx.print(now.length ? `enqueued now: ${now.join(', ')}` : 'no source has a schedule; give --source NAME to run one now');
        }
      } finally {
        await q.close();
      }
    });
};
