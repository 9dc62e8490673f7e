/**
 * Registers the schedules from config with BullMQ job schedulers (upsert: re-running is safe and
 * never duplicates): one `nightly` per source with a schedule, `numbers` and `report`.
 */
import type { AppDeps } from '../src/app';
import { queueFor, type Queues } from './queues';

export interface ScheduleEntry { id: string; pattern: string; tz: string; job: string }

export async function registerSchedules(deps: Pick<AppDeps, 'config'>, q: Queues): Promise<ScheduleEntry[]> {
  const { config } = deps;
  const entries: ScheduleEntry[] = [];
  const wanted = new Set<string>();
  for (const source of config.sources) {
    if (!source.schedule) continue;
    const id = `nightly:${source.name}`;
    await queueFor(q, 'nightly').upsertJobScheduler(id, { pattern: source.schedule, tz: source.timezone }, {
      name: 'nightly',
      data: { source: source.name, trigger: 'schedule' },
    });
    entries.push({ id, pattern: source.schedule, tz: source.timezone, job: 'nightly' });
    wanted.add(id);
  }
  const tz = config.sources[0]?.timezone ?? 'UTC';
  await queueFor(q, 'numbers').upsertJobScheduler('numbers', { pattern: config.numbers.schedule, tz }, { name: 'numbers', data: {} });
  entries.push({ id: 'numbers', pattern: config.numbers.schedule, tz, job: 'numbers' });
  await queueFor(q, 'report').upsertJobScheduler('report', { pattern: config.reports.schedule, tz }, { name: 'report', data: {} });
  entries.push({ id: 'report', pattern: config.reports.schedule, tz, job: 'report' });
  // Remove nightly schedulers of sources that no longer have a schedule.
  const existing = await queueFor(q, 'nightly').getJobSchedulers();
  for (const s of existing) {
    const key = s.key ?? s.id;
    if (key && key.startsWith('nightly:') && !wanted.has(key)) await queueFor(q, 'nightly').removeJobScheduler(key);
  }
  return entries;
}
