/**
 * `npm run bench -- sync [--plan-rows N]`: the plan (bench/sync-plan.ts: 100k staged against 100k
 * known and 100k remote practices, 1% changed; target < 5 s) and the apply throughput
 * (bench/sync-apply.ts, added by the apply work). Prints figures as it goes and returns them.
 */
import { benchPlan } from './sync-plan';

export default async function bench(argv: string[]): Promise<Record<string, unknown>> {
  const plan = await benchPlan(argv);
  return { plan };
}
