/** `plan`: snapshot Updox, diff, write the outbox (or hold the run). */
import type { Job } from 'bullmq';
import { z } from 'zod';
import type { AppDeps } from '../src/app';
import { stepPlan } from '../src/nightly/steps';

export const planData = z.object({ runId: z.string().uuid() });

export const makePlanProcessor = (deps: AppDeps) => async (job: Job) => {
  const data = planData.parse(job.data);
  return stepPlan(deps, data.runId, deps.log.child({ job: job.name, jobId: job.id, runId: data.runId }));
};
