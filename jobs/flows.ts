/**
 * The nightly flow for one source: import → plan → apply → audit → numbers → report.
 * BullMQ runs children before parents, so the chain is nested leaf-first. Every child uses
 * `ignoreDependencyOnFailure` so a failed step never blocks the rest: each step reads the run's
 * status and skips itself when an earlier step failed (a file-level import failure means no plan
 * and no apply, but the audit, numbers and report still run). Job ids are derived from the run id,
 * so enqueueing the same flow twice is a no-op.
 */
import type { FlowJob } from 'bullmq';
import { defaultJobOptions, STEP_QUEUE, type Queues, type StepName } from './queues';

const CHAIN: StepName[] = ['import', 'plan', 'apply', 'audit', 'numbers', 'report'];

export function nightlyFlow(prefix: string, runId: string, source: string): FlowJob {
  let node: FlowJob | undefined;
  for (const step of CHAIN) {
    const job: FlowJob = {
      name: step,
      queueName: STEP_QUEUE[step],
      prefix,
      data: { runId, source },
      opts: { ...defaultJobOptions, jobId: `${step}:${runId}`, ignoreDependencyOnFailure: true },
      ...(node ? { children: [node] } : {}),
    };
    node = job;
  }
  return node as FlowJob;
}

export async function addNightlyFlow(q: Queues, runId: string, source: string): Promise<void> {
  await q.flow.add(nightlyFlow(q.prefix, runId, source));
}
