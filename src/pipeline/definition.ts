/**
 * The pipeline, written once: the source steps (import → plan → apply) of one source's run and the
 * partner steps (audit → numbers → report) of a partner's night. The in-process driver
 * (in-process.ts: `sync`) and the BullMQ flows (jobs/flows.ts, jobs/step.ts: nightly, demo,
 * tests, supervisor takeovers) both run these functions in this order. An upgrade run
 * (`upgrade-legacy`) has no import: its steps are UPGRADE_STEPS, plan (from PracticeList, its own)
 * then apply, run by the same in-process driver.
 */
import { PARTNER_STEPS, SOURCE_STEPS, type RunStep } from '../runs';
import type { StepOutcome } from './outcome';
import { PARTNER_STEP_FNS } from './partner-steps';
import { SOURCE_STEP_FNS, type StepContext } from './source-steps';

export { SOURCE_STEPS, PARTNER_STEPS };

export type StepFn = (ctx: StepContext) => Promise<StepOutcome>;

export const STEP_FNS: Record<RunStep, StepFn> = { ...SOURCE_STEP_FNS, ...PARTNER_STEP_FNS };

/** The steps of an upgrade run (src/sync/upgrade-legacy.ts supplies its plan step). */
export const UPGRADE_STEPS = ['plan', 'apply'] as const satisfies readonly (typeof SOURCE_STEPS)[number][];

/** The steps of a pipeline from `from` on (a takeover resumes mid-way). */
export function stepsFrom<S extends RunStep>(steps: readonly S[], from: S): S[] {
  const i = steps.indexOf(from);
  return i < 0 ? [...steps] : steps.slice(i);
}

export const isSourceStep = (s: string): s is (typeof SOURCE_STEPS)[number] => (SOURCE_STEPS as readonly string[]).includes(s);
export const isPartnerStep = (s: string): s is (typeof PARTNER_STEPS)[number] => (PARTNER_STEPS as readonly string[]).includes(s);
