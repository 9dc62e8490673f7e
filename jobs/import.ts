/** `import`: stream the source into roster_rows for the run. */
import type { Job } from 'bullmq';
import { z } from 'zod';
import type { AppDeps } from '../src/app';
import { stepImport } from '../src/nightly/steps';

export const importData = z.object({ runId: z.string().uuid(), source: z.string().min(1) });

export const makeImportProcessor = (deps: AppDeps) => async (job: Job) => {
  const data = importData.parse(job.data);
  return stepImport(deps, data.runId, deps.log.child({ job: job.name, jobId: job.id, runId: data.runId }));
};
