/**
 * `partner` (the report schedule): opens tonight's partner steps if no source flow has opened
 * them yet, so the reports go out even on a night when no source ran. The steps themselves wait
 * for any apply still running (src/pipeline/partner-steps.ts).
 */
import type { Job } from 'bullmq';
import type { AppDeps } from '../src/app';
import { openPartnerRunIfDue, tonight } from '../src/pipeline/partner-steps';
import { attemptId } from '../src/runs';
import { enqueueRunSteps } from './flows';
import type { Queues } from './queues';

export const makePartnerProcessor = (deps: AppDeps, q: Queues, handoffMs: number) => async (job: Job) => {
  const night = tonight(deps);
  const run = await openPartnerRunIfDue(deps, night, { owner: attemptId(`job-${job.id ?? 'partner'}`), leaseMs: handoffMs, force: true });
  if (!run) return { night, opened: false };
  await enqueueRunSteps(q, run, 'audit');
  deps.log.info({ runId: run.id, night }, 'partner steps enqueued');
  return { night, opened: true, runId: run.id };
};
