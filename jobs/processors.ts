/** Job name → processor. Each processor is a thin shell: parse the payload, scope the logger, delegate. */
import type { Job } from 'bullmq';
import type { AppDeps } from '../src/app';
import { PARTNER_STEPS, SOURCE_STEPS } from '../src/pipeline/definition';
import type { Queues, StepName } from './queues';
import { makeNightlyProcessor } from './nightly';
import { makeNumbersPullProcessor } from './numbers-pull';
import { makePartnerProcessor } from './partner';
import { makeStepProcessor, type StepJobOptions } from './step';

export type Processor = (job: Job, token?: string) => Promise<unknown>;

export function processors(deps: AppDeps, q: Queues, signal: AbortSignal, opts: StepJobOptions): Record<StepName, Processor> {
  const steps = Object.fromEntries([...SOURCE_STEPS, ...PARTNER_STEPS].map((s) => [s, makeStepProcessor(s, deps, q, signal, opts)]));
  return {
    ...steps,
    nightly: makeNightlyProcessor(deps, q, opts.handoffMs),
    partner: makePartnerProcessor(deps, q, opts.handoffMs),
    'numbers-pull': makeNumbersPullProcessor(deps, signal),
  } as Record<StepName, Processor>;
}
