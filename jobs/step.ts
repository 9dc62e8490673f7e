/**
 * One processor for every pipeline step (import, plan, apply, audit, numbers, report): parse the
 * payload, run the step of src/pipeline/definition.ts under a fresh attempt id, and make the job's
 * state tell the truth:
 * - a payload that fails its schema, and a permanent or bad-input error, fail the job at once
 *   (StepFailedError, an UnrecoverableError carrying the code and kind); a halted run's job fails
 *   with the halt reason;
 * - a retryable error is rethrown: BullMQ retries with backoff, and when the attempts are used up
 *   the worker fails the run with that code (jobs/worker.ts);
 * - a step that must wait (another run holds the source; a partner step waits for an apply) moves
 *   its job to delayed, costing no attempt.
 * A source run that ended (or stopped) may make the night's partner steps due: they are opened here.
 */
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { z } from 'zod';
import type { AppDeps } from '../src/app';
import { SyncError, type ErrorKind } from '../src/errors';
import { STEP_FNS } from '../src/pipeline/definition';
import { openPartnerRunIfDue } from '../src/pipeline/partner-steps';
import { attemptId, getRun, handOff, type RunStep } from '../src/runs';
import { enqueueRunSteps } from './flows';
import type { Queues } from './queues';

/** A step job's payload: the run, and the generation of its flow (absent on jobs enqueued before generations: not checked). */
export const stepData = z.object({ runId: z.string().uuid(), generation: z.number().int().min(0).optional() });

/** A job failure that must not be retried, with the run's error code and kind. */
export class StepFailedError extends UnrecoverableError {
  readonly code: string;
  readonly kind: ErrorKind;
  constructor(code: string, kind: ErrorKind, message: string) {
    super(`${code}: ${message}`);
    this.code = code;
    this.kind = kind;
  }
}

export interface StepJobOptions {
  /** How long a finished step's lease waits for the next step's job to start. */
  handoffMs: number;
}

export function makeStepProcessor(step: RunStep, deps: AppDeps, q: Queues, signal: AbortSignal, opts: StepJobOptions) {
  return async (job: Job, token?: string): Promise<unknown> => {
    const parsed = stepData.safeParse(job.data);
    if (!parsed.success) {
      throw new StepFailedError('JOB_PAYLOAD_INVALID', 'bad-input', `${step} job ${job.id}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'data'}: ${i.message}`).join('; ')}`);
    }
    const { runId, generation } = parsed.data;
    const owner = attemptId(`job-${job.id ?? step}`);
    const log = deps.log.child({ job: job.name, jobId: job.id, runId });
    let out;
    try {
      out = await STEP_FNS[step]({ deps, runId, owner, signal, log, ...(generation !== undefined ? { generation } : {}) });
    } catch (err) {
      if (err instanceof SyncError && err.kind !== 'retryable') throw new StepFailedError(err.code, err.kind, err.message);
      throw err;
    }
    if (out.kind === 'wait') {
      log.info({ step, reason: out.reason, inMs: out.ms }, 'step waits');
      await job.moveToDelayed(Date.now() + out.ms, token);
      throw new DelayedError();
    }
    if (out.kind === 'next' && step !== 'apply' && step !== 'report') await handOff(deps.db, runId, owner, opts.handoffMs);
    if (step === 'apply' || out.kind === 'stop') await openPartnerSteps(deps, q, runId, opts.handoffMs);
    return out.kind === 'next' ? { outcome: 'done', result: out.result } : { outcome: 'stopped', reason: out.reason, result: out.result };
  };
}

/** When a flow-driven source run ended, its night's partner steps may be due. */
export async function openPartnerSteps(deps: AppDeps, q: Queues, runId: string, handoffMs: number): Promise<void> {
  const run = await getRun(deps.db, runId);
  if (!run || run.kind !== 'sync' || !run.night) return;
  const partner = await openPartnerRunIfDue(deps, run.night, { owner: attemptId('partner'), leaseMs: handoffMs });
  if (partner) {
    await enqueueRunSteps(q, partner, 'audit');
    deps.log.info({ runId: partner.id, night: run.night }, 'partner steps enqueued');
  }
}
