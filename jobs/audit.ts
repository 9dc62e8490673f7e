/** `audit`: business-details audit of every practice. */
import type { Job } from 'bullmq';
import { z } from 'zod';
import type { AppDeps } from '../src/app';
import { stepAudit } from '../src/nightly/steps';

export const auditData = z.object({ runId: z.string().uuid().optional() });

export const makeAuditProcessor = (deps: AppDeps) => async (job: Job) => {
  const data = auditData.parse(job.data);
  return stepAudit(deps, data.runId, deps.log.child({ job: job.name, jobId: job.id, runId: data.runId }));
};
