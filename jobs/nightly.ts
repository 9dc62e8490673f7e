/** `nightly` (from a job scheduler): open a run for the source and enqueue its flow. */
import type { Job } from 'bullmq';
import { z } from 'zod';
import type { AppDeps } from '../src/app';
import { openSyncRun } from '../src/nightly/steps';
import { addNightlyFlow } from './flows';
import type { Queues } from './queues';

export const nightlyData = z.object({ source: z.string().min(1), trigger: z.string().default('schedule') });

export const makeNightlyProcessor = (deps: AppDeps, q: Queues) => async (job: Job) => {
  const data = nightlyData.parse(job.data);
  const log = deps.log.child({ job: job.name, jobId: job.id, source: data.source });
  const opened = await openSyncRun(deps, { source: data.source, trigger: data.trigger, dryRun: false });
  if (opened.skipped) {
    log.warn({ runId: opened.runId }, 'run skipped: another run of this source is in progress');
    return { runId: opened.runId, skipped: true };
  }
  await addNightlyFlow(q, opened.runId, data.source);
  log.info({ runId: opened.runId }, 'nightly flow enqueued');
  return { runId: opened.runId, skipped: false };
};
