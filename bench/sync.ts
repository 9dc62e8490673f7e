/**
 * `npm run bench -- sync [--plan-rows N]`: the plan (bench/sync-plan.ts: 100k staged against 100k
 * known and 100k remote practices, 1% changed; target < 5 s) and the apply throughput
 * (bench/sync-apply.ts: 1 and 3 worker processes against a simulator enforcing the limit). Prints figures as it goes and returns them.
 */
import { benchApply } from './sync-apply';
import { benchPlan } from './sync-plan';

export default async function bench(argv: string[]): Promise<Record<string, unknown>> {
  const plan = await benchPlan(argv);
  const apply = await benchApply(argv);
  return { plan, ...apply };
}
