/** `report`: send each manager's report for the current period (once per period). */
import type { Job } from 'bullmq';
import { z } from 'zod';
import type { AppDeps } from '../src/app';
import { stepReport } from '../src/nightly/steps';

export const reportData = z.object({ runId: z.string().uuid().optional(), period: z.string().optional() });

export const makeReportProcessor = (deps: AppDeps) => async (job: Job) => {
  const data = reportData.parse(job.data);
  return stepReport(deps, data.period, deps.log.child({ job: job.name, jobId: job.id, runId: data.runId }));
};
