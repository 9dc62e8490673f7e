/**
 * Tonight's plan of API calls: what each step needs (one PracticeList per scheduled source, the
 * writes pending in the outbox, the SmsSendNumberList calls due within the budget), what the
 * window allows at the configured rate, whether it fits, and the ETA. Reads Postgres only.
 * Before the import the night's changes are unknown: the writes counted are those pending now.
 */
import type { Knex } from 'knex';
import type { Config } from '../config';
import { checkPolicy, countDue } from '../sms/number-checks';

export interface NightStep { step: string; calls: number; note: string }

export interface NightPlan {
  steps: NightStep[];
  totalCalls: number;
  requestsPerSecond: number;
  windowHours: number;
  /** Calls the window allows at the configured rate. */
  windowCalls: number;
  fits: boolean;
  etaSeconds: number;
  warning: string | null;
}

export async function planNight(db: Knex, config: Pick<Config, 'sources' | 'numbers' | 'updox'>, now: Date): Promise<NightPlan> {
  const rps = config.updox.requestsPerSecond;
  const windowHours = config.numbers.windowHours;
  const windowCalls = Math.floor(windowHours * 3600 * rps);
  const scheduled = config.sources.filter((s) => s.schedule);
  const sources = scheduled.length ? scheduled : config.sources;
  const writes = ((await db.raw(`SELECT count(*)::int AS n FROM sync_actions WHERE status IN ('pending', 'in_flight')`)).rows[0] as { n: number }).n;
  const budget = config.numbers.budget ?? Math.max(0, windowCalls - writes - sources.length);
  const windowEnd = new Date(now.getTime() + windowHours * 3_600_000);
  const due = await countDue(db, { now, windowEnd, policy: checkPolicy(config.numbers) });
  const numbers = Math.min(due, budget);
  const steps: NightStep[] = [
    { step: 'snapshot', calls: sources.length, note: `one PracticeList per source (${sources.map((s) => s.name).join(', ')})` },
    { step: 'apply', calls: writes, note: 'saves pending in the outbox now (tonight\'s imports add theirs)' },
    { step: 'numbers', calls: numbers, note: `${due} account(s) due, budget ${budget}${due > numbers ? `: ${due - numbers} left for a later night` : ''}` },
  ];
  const totalCalls = steps.reduce((a, s) => a + s.calls, 0);
  // It fits when every due account can be asked too, not only the budgeted ones.
  const needed = sources.length + writes + due;
  const fits = needed <= windowCalls && numbers === due;
  return {
    steps, totalCalls, requestsPerSecond: rps, windowHours, windowCalls, fits,
    etaSeconds: Math.ceil(totalCalls / rps),
    warning: fits ? null : `tonight needs ${needed} call(s) with every due number account, but the ${windowHours} h window allows ${windowCalls} at ${rps}/s (numbers budget ${budget}): raise UPDOX_REQUESTS_PER_SECOND if Updox allows, widen numbers.windowHours, or let ${due - numbers} number check(s) wait for a later night`,
  };
}

export const describeNightPlan = (p: NightPlan): string =>
  `tonight: ${p.totalCalls} call(s) of ${p.windowCalls} the ${p.windowHours} h window allows at ${p.requestsPerSecond}/s, ETA ${(p.etaSeconds / 60).toFixed(1)} min`
  + (p.warning ? ` — WARNING: ${p.warning}` : '');
