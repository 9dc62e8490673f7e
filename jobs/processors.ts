/** Job name → processor. Each processor is a thin shell: parse the payload, scope the logger, delegate. */
import type { Job } from 'bullmq';
import type { AppDeps } from '../src/app';
import type { Queues, StepName } from './queues';
import { makeNightlyProcessor } from './nightly';
import { makeImportProcessor } from './import';
import { makePlanProcessor } from './plan';
import { makeApplyProcessor } from './apply';
import { makeAuditProcessor } from './audit';
import { makeNumbersProcessor } from './numbers';
import { makeReportProcessor } from './report';

export type Processor = (job: Job) => Promise<unknown>;

export function processors(deps: AppDeps, q: Queues, signal: AbortSignal): Record<StepName, Processor> {
  return {
    nightly: makeNightlyProcessor(deps, q),
    import: makeImportProcessor(deps),
    plan: makePlanProcessor(deps),
    apply: makeApplyProcessor(deps, signal),
    audit: makeAuditProcessor(deps),
    numbers: makeNumbersProcessor(deps),
    report: makeReportProcessor(deps),
  };
}
