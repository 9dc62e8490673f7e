/** `numbers`: pull SmsSendNumberList for every active account (also scheduled on its own). */
import type { Job } from 'bullmq';
import { z } from 'zod';
import type { AppDeps } from '../src/app';
import { stepNumbers } from '../src/nightly/steps';

export const numbersData = z.object({ runId: z.string().uuid().optional() });

export const makeNumbersProcessor = (deps: AppDeps) => async (job: Job) => {
  const data = numbersData.parse(job.data);
  return stepNumbers(deps, data.runId, deps.log.child({ job: job.name, jobId: job.id, runId: data.runId }));
};
