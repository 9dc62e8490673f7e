/**
 * One BullMQ Worker per queue; each dispatches a job by name to its processor (jobs/processors.ts),
 * and a supervisor (jobs/supervisor.ts) per process. Workers are stateless: run as many as needed
 * on as many machines as needed. Every job failure is logged here, once, with its code and kind;
 * a job whose retryable error used up its attempts fails its run with that code.
 */
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { AppDeps } from '../src/app';
import { SyncError } from '../src/errors';
import { releaseMemory } from '../src/memory';
import { failRun, getRun, isLeased } from '../src/runs';
import { errorLog, QUEUE_NAMES, type QueueName, type Queues, type StepName } from './queues';
import { processors } from './processors';
import { StepFailedError } from './step';
import { DEFAULT_SUPERVISOR, startSupervisor, type RunningSupervisor, type SupervisorOptions } from './supervisor';

export interface WorkerOptions {
  /** Jobs processed at once per queue. `updox` jobs are long (apply drains a run's outbox). */
  concurrency?: Partial<Record<QueueName, number>>;
  supervisor?: Partial<SupervisorOptions> | false;
}

export interface RunningWorkers {
  workers: Worker[];
  supervisor: RunningSupervisor | null;
  close(): Promise<void>;
}

const DEFAULT_CONCURRENCY: Record<QueueName, number> = { sync: 2, updox: 4, mail: 1 };

/** The code and kind of a job's error, for the one log line and the run. */
export function describeJobError(err: Error): { code: string; kind: string } {
  if (err instanceof StepFailedError) return { code: err.code, kind: err.kind };
  if (err instanceof SyncError) return { code: err.code, kind: err.kind };
  if (err instanceof UnrecoverableError) return { code: 'JOB_UNRECOVERABLE', kind: 'permanent' };
  return { code: 'JOB_FAILED', kind: 'unknown' };
}

export function startWorkers(deps: AppDeps, q: Queues, opts: WorkerOptions = {}): RunningWorkers {
  const shutdown = new AbortController();
  const sup: SupervisorOptions = { ...DEFAULT_SUPERVISOR, ...(opts.supervisor || {}) };
  const handlers = processors(deps, q, shutdown.signal, { handoffMs: sup.handoffMs });
  const onFailed = async (job: Job | undefined, err: Error) => {
    const { code, kind } = describeJobError(err);
    const final = !job || err instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1);
    deps.log.warn({ job: job?.name, jobId: job?.id, code, kind, final, attempt: job?.attemptsMade, err: err.message }, 'job failed');
    const data = job?.data as { runId?: unknown; generation?: unknown } | undefined;
    const runId = data?.runId;
    // A retryable step error that used up its attempts ends the run with its code, unless a
    // takeover replaced the job's generation. Other final failures (a stalled job, a lost
    // connection) leave the run to the supervisor's takeover.
    if (!final || typeof runId !== 'string' || !(err instanceof SyncError) || err.kind !== 'retryable') return;
    const run = await getRun(deps.db, runId);
    if (typeof data?.generation === 'number' && run && run.takeovers !== data.generation) return;
    if (run && isLeased(run.status)) await failRun(deps.db, runId, { code, message: `${job?.name} failed after ${job?.attemptsMade} attempts: ${err.message}` });
  };
  const workers = QUEUE_NAMES.map((name) => {
    const w = new Worker(
      name,
      async (job: Job, token?: string) => {
        const handler = handlers[job.name as StepName];
        if (!handler) throw new StepFailedError('JOB_UNKNOWN', 'bad-input', `no processor for job "${job.name}" on queue "${name}"`);
        try {
          return await handler(job, token);
        } finally {
          // The next job (an import's threads, a partner-wide pull) starts on a collected heap,
          // not on the one this job grew.
          releaseMemory(deps.log, { job: job.name, jobId: job.id });
        }
      },
      {
        connection: q.connection.duplicate(),
        prefix: q.prefix,
        concurrency: opts.concurrency?.[name] ?? DEFAULT_CONCURRENCY[name],
        // Apply can run for minutes; the lock is renewed while the event loop is free.
        lockDuration: 60_000,
        // A worker killed mid-step leaves its job stalled; it runs again on another worker. The
        // run's lease and the supervisor, not the stall count, decide when a run is given up.
        maxStalledCount: 5,
      },
    );
    w.on('failed', (job, err) => {
      onFailed(job, err).catch((e: Error) => deps.log.error({ err: e.message, jobId: job?.id }, 'could not record a job failure on its run'));
    });
    w.on('error', errorLog(deps.log, { queue: name }, 'worker error'));
    return w;
  });
  const supervisor = opts.supervisor === false ? null : startSupervisor(deps, q, sup);
  return {
    workers,
    supervisor,
    async close() {
      shutdown.abort();
      await supervisor?.stop();
      await Promise.allSettled(workers.map((w) => w.close()));
    },
  };
}
