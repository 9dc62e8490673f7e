/**
 * The nightly flow for one source: import → plan → apply → audit → numbers → report.
 * BullMQ runs children before parents, so the chain is nested leaf-first. Every child uses
 * `ignoreDependencyOnFailure` so a failed step never blocks the rest: each step reads the run's
 * status and skips itself when an earlier step failed (a file-level import failure means no plan
 * and no apply, but the audit, numbers and report still run). Job ids are derived from the run id,
 * so enqueueing the same flow twice is a no-op.
 */
import type { FlowJob } from 'bullmq';
import { defaultJobOptions, jobIdFor, STEP_QUEUE, type Queues, type StepName } from './queues';

const CHAIN: StepName[] = ['import', 'plan', 'apply', 'audit', 'numbers', 'report'];

export function nightlyFlow(prefix: string, runId: string, source: string): FlowJob {
  let node: FlowJob | undefined;
  for (const step of CHAIN) {
    const job: FlowJob = {
      name: step,
      queueName: STEP_QUEUE[step],
      prefix,
      data: { runId, source },
      opts: { ...defaultJobOptions, jobId: jobIdFor(step, runId), ignoreDependencyOnFailure: true },
      ...(node ? { children: [node] } : {}),
    };
    node = job;
  }
  return node as FlowJob;
}

export async function addNightlyFlow(q: Queues, runId: string, source: string): Promise<void> {
  await q.flow.add(nightlyFlow(q.prefix, runId, source));
}

/**
 * After `approve`: apply the released run, then audit. The nightly flow's own apply job already
 * completed (it found the run held and skipped), so these jobs get ids of their own; the outbox
 * decides what is sent, so enqueueing twice never sends twice.
 */
export async function addApprovedApply(q: Queues, runId: string, approvedAt: Date): Promise<void> {
  const tag = `approved-${approvedAt.getTime()}`;
  await q.flow.add({
    name: 'audit',
    queueName: STEP_QUEUE.audit,
    prefix: q.prefix,
    data: { runId },
    opts: { ...defaultJobOptions, jobId: jobIdFor('audit', runId, tag), ignoreDependencyOnFailure: true },
    children: [{
      name: 'apply', queueName: STEP_QUEUE.apply, prefix: q.prefix, data: { runId },
      opts: { ...defaultJobOptions, jobId: jobIdFor('apply', runId, tag), ignoreDependencyOnFailure: true },
    }],
  });
}
