/**
 * One BullMQ Worker per queue; each dispatches a job by name to its processor in jobs/<name>.ts.
 * Workers are stateless: run as many as needed on as many machines as needed.
 */
import { Worker, type Job } from 'bullmq';
import type { AppDeps } from '../src/app';
import { QUEUE_NAMES, type QueueName, type Queues, type StepName } from './queues';
import { processors } from './processors';

export interface WorkerOptions {
  /** Jobs processed at once per queue. `updox` jobs are long (apply drains a run's outbox). */
  concurrency?: Partial<Record<QueueName, number>>;
}

export interface RunningWorkers {
  workers: Worker[];
  close(): Promise<void>;
}

const DEFAULT_CONCURRENCY: Record<QueueName, number> = { sync: 2, updox: 4, mail: 1 };

export function startWorkers(deps: AppDeps, q: Queues, opts: WorkerOptions = {}): RunningWorkers {
  const shutdown = new AbortController();
  const handlers = processors(deps, q, shutdown.signal);
  const workers = QUEUE_NAMES.map((name) => {
    const w = new Worker(
      name,
      async (job: Job) => {
        const handler = handlers[job.name as StepName];
        if (!handler) throw new Error(`no processor for job "${job.name}" on queue "${name}"`);
        return handler(job);
      },
      {
        connection: q.connection.duplicate(),
        prefix: q.prefix,
        concurrency: opts.concurrency?.[name] ?? DEFAULT_CONCURRENCY[name],
        // Apply can run for minutes; the lock is renewed while the event loop is free.
        lockDuration: 60_000,
      },
    );
    w.on('failed', (job, err) => deps.log.warn({ job: job?.name, jobId: job?.id, err: err.message }, 'job failed'));
    w.on('error', (err) => deps.log.error({ queue: name, err: err.message }, 'worker error'));
    return w;
  });
  return {
    workers,
    async close() {
      shutdown.abort();
      await Promise.allSettled(workers.map((w) => w.close()));
    },
  };
}
