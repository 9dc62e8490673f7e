/**
 * Registers the schedules from config with BullMQ job schedulers (upsert: re-running is safe and
 * never duplicates): one `nightly` per source with a schedule, `numbers-pull` and `partner` (the
 * report schedule: it opens the night's partner steps if no source flow has). The supervisor calls
 * `missingSchedules` every tick and registers them again when Redis lost them.
 */
import parser from 'cron-parser';
import type { AppDeps } from '../src/app';
import { reportTimeZone } from '../src/reports/send';
import { queueFor, type Queues, type StepName } from './queues';

export interface ScheduleEntry { id: string; pattern: string; tz: string; job: StepName; source?: string }

/** The schedules config asks for. */
export function wantedSchedules(config: AppDeps['config']): ScheduleEntry[] {
  const entries: ScheduleEntry[] = [];
  for (const source of config.sources) {
    if (!source.schedule) continue;
    entries.push({ id: `nightly:${source.name}`, pattern: source.schedule, tz: source.timezone, job: 'nightly', source: source.name });
  }
  const tz = reportTimeZone(config);
  entries.push({ id: 'numbers-pull', pattern: config.numbers.schedule, tz, job: 'numbers-pull' });
  entries.push({ id: 'partner', pattern: config.reports.schedule, tz, job: 'partner' });
  return entries;
}

/** The next time a schedule fires (null when its pattern does not parse). */
export function nextRun(e: Pick<ScheduleEntry, 'pattern' | 'tz'>, from = new Date()): Date | null {
  try {
    return parser.parse(e.pattern, { tz: e.tz, currentDate: from }).next().toDate();
  } catch {
    return null;
  }
}

export async function registerSchedules(deps: Pick<AppDeps, 'config'>, q: Queues): Promise<ScheduleEntry[]> {
  const entries = wantedSchedules(deps.config);
  for (const e of entries) {
    await queueFor(q, e.job).upsertJobScheduler(e.id, { pattern: e.pattern, tz: e.tz }, {
      name: e.job,
      data: e.source ? { source: e.source, trigger: 'schedule' } : {},
    });
  }
  // Remove schedulers config no longer asks for (a source without a schedule now; the old names).
  const wanted = new Set(entries.map((e) => e.id));
  for (const queue of new Set(entries.map((e) => queueFor(q, e.job)))) {
    for (const s of await queue.getJobSchedulers()) {
      const key = s.key ?? s.id;
      if (key && !wanted.has(key) && (key.startsWith('nightly:') || key === 'numbers' || key === 'report')) await queue.removeJobScheduler(key);
    }
  }
  return entries;
}

/** Ids of the wanted schedules that BullMQ does not have. */
export async function missingSchedules(deps: Pick<AppDeps, 'config'>, q: Queues): Promise<string[]> {
  const missing: string[] = [];
  for (const e of wantedSchedules(deps.config)) {
    if (!(await queueFor(q, e.job).getJobScheduler(e.id))) missing.push(e.id);
  }
  return missing;
}
