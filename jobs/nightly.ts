/** `nightly` (from a job scheduler, or `schedule --now`): open a run for the source and enqueue its flow. */
import type { Job } from 'bullmq';
import { z } from 'zod';
import type { AppDeps } from '../src/app';
import { findSource } from '../src/nightly/source';
import { tonight } from '../src/pipeline/partner-steps';
import { attemptId, createRun } from '../src/runs';
import { addSourceFlow } from './flows';
import type { Queues } from './queues';
import { StepFailedError } from './step';

export const nightlyData = z.object({ source: z.string().min(1), trigger: z.string().default('schedule') });

export const makeNightlyProcessor = (deps: AppDeps, q: Queues, handoffMs: number) => async (job: Job) => {
  const parsed = nightlyData.safeParse(job.data);
  if (!parsed.success) throw new StepFailedError('JOB_PAYLOAD_INVALID', 'bad-input', `nightly job ${job.id}: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  const data = parsed.data;
  const log = deps.log.child({ job: job.name, jobId: job.id, source: data.source });
  try {
    findSource(deps.config, data.source);
  } catch (err) {
    throw new StepFailedError('SOURCE_UNKNOWN', 'bad-input', (err as Error).message);
  }
  const opened = await createRun(deps.db, {
    kind: 'sync', partnerId: deps.config.partner.id, source: data.source, dryRun: false, trigger: data.trigger,
    night: tonight(deps), owner: attemptId(`job-${job.id ?? 'nightly'}`), leaseMs: handoffMs,
  });
  if (opened.skipped) {
    log.warn({ runId: opened.run.id, blocker: opened.blocker?.id }, opened.run.error_message ?? 'run skipped');
    return { runId: opened.run.id, skipped: true, message: opened.run.error_message };
  }
  await addSourceFlow(q, opened.run.id);
  log.info({ runId: opened.run.id }, 'nightly flow enqueued');
  return { runId: opened.run.id, skipped: false };
};
