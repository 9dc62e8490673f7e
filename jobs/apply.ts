/** `apply`: drain the run's outbox through the rate-limited client. */
import type { Job } from 'bullmq';
import { z } from 'zod';
import type { AppDeps } from '../src/app';
import { stepApply } from '../src/nightly/steps';

export const applyData = z.object({ runId: z.string().uuid() });

export const makeApplyProcessor = (deps: AppDeps, signal: AbortSignal) => async (job: Job) => {
  const data = applyData.parse(job.data);
  const log = deps.log.child({ job: job.name, jobId: job.id, runId: data.runId });
  return stepApply(deps, data.runId, { workerId: `${job.id}:${process.pid}`, signal }, log);
};
