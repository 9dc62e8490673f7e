/**
 * `updox-sync plan-night [--json]`: the calls each step needs tonight, the calls the window allows
 * at the configured rate, a warning when they do not fit, and the ETA (src/nightly/night-plan.ts).
 */
import { planNight, describeNightPlan } from '../nightly/night-plan';
import type { RegisterCommand } from './context';

export const register: RegisterCommand = (program, ctx) => {
  program
    .command('plan-night')
    .description('print the API calls tonight needs per step, what the window allows at the rate, and the ETA')
    .option('--json', 'print the plan as JSON')
    .action(async (opts: { json?: boolean }) => {
      await ctx.withApp(async (deps) => {
        const plan = await planNight(deps.db, deps.config, deps.clock.now());
        if (opts.json) return ctx.print(JSON.stringify(plan));
        for (const s of plan.steps) ctx.print(`${s.step.padEnd(10)} ${String(s.calls).padStart(9)} call(s)  ${s.note}`);
        ctx.print(describeNightPlan(plan));
      });
    });
};
