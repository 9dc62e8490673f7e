/**
 * BullMQ flows built from the pipeline's one definition (src/pipeline/definition.ts): a source
 * run's steps (import → plan → apply) and a partner night's steps (audit → numbers → report),
 * each from a given step on (a supervisor takeover resumes mid-way). BullMQ runs children before
 * parents, so a chain is nested leaf-first. Every child uses `ignoreDependencyOnFailure`: a failed
 * step never blocks its parent, which reads the run and skips itself when the run ended. Job ids
 * derive from the run id (and the takeover or approval tag), so adding the same flow twice is a
 * no-op. A job carries its generation (the run's `takeovers` when it was enqueued): a step starts
 * only while the run is still in that generation, so the jobs of a flow a takeover replaced do
 * nothing when they run after all.
 */
import type { FlowJob } from 'bullmq';
import { PARTNER_STEPS, SOURCE_STEPS, stepsFrom } from '../src/pipeline/definition';
import type { PartnerStep, RunRow, RunStep, SourceStep } from '../src/runs';
import { defaultJobOptions, jobIdFor, STEP_QUEUE, type Queues } from './queues';

export function chainFlow(prefix: string, runId: string, steps: readonly RunStep[], generation: number, tag = takeoverTag(generation)): FlowJob {
  let node: FlowJob | undefined;
  for (const step of steps) {
    const job: FlowJob = {
      name: step,
      queueName: STEP_QUEUE[step],
      prefix,
      data: { runId, generation },
      opts: { ...defaultJobOptions, jobId: jobIdFor(step, runId, tag), ignoreDependencyOnFailure: true },
      ...(node ? { children: [node] } : {}),
    };
    node = job;
  }
  if (!node) throw new Error('a flow needs at least one step');
  return node;
}

/** The tag of a run's jobs after `takeovers` supervisor takeovers (none before the first). */
export const takeoverTag = (takeovers: number): string | undefined => (takeovers > 0 ? `t${takeovers}` : undefined);

/** Enqueues a run's remaining steps, from `from` on, as one flow. */
export async function enqueueRunSteps(q: Queues, run: Pick<RunRow, 'id' | 'kind' | 'takeovers'>, from: RunStep, tag = takeoverTag(run.takeovers)): Promise<void> {
  const steps = run.kind === 'partner'
    ? stepsFrom(PARTNER_STEPS, from as PartnerStep)
    : stepsFrom(SOURCE_STEPS, from as SourceStep);
  await q.flow.add(chainFlow(q.prefix, run.id, steps, run.takeovers, tag));
}

/** A new source run's flow (nightly, demo, tests). */
export async function addSourceFlow(q: Queues, runId: string): Promise<void> {
  await enqueueRunSteps(q, { id: runId, kind: 'sync', takeovers: 0 }, 'import');
}

/** After `approve` or `resume`: apply the released run, with the job ids of its new generation (src/runs/operator.ts). */
export async function addReleasedApply(q: Queues, run: Pick<RunRow, 'id' | 'kind' | 'takeovers'>): Promise<void> {
  await enqueueRunSteps(q, run, 'apply');
}
