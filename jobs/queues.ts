/**
 * Queue wiring. Queue names are nouns (STYLE.md §4): `sync` (nightly, partner, import, plan, audit),
 * `updox` (apply, numbers: the steps that call Updox), `mail` (report). Jobs carry ids, never data
 * or secrets; Postgres is the truth (a lost job is enqueued again by a worker's supervisor).
 */
import { FlowProducer, Queue, type DefaultJobOptions } from 'bullmq';
import type { AppDeps } from '../src/app';
import { throttledLog, type Logger } from '../src/log';
import { createRedis, type Redis } from '../src/redis';
import { DAY } from '../src/time';

export const QUEUE_NAMES = ['sync', 'updox', 'mail'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/** Which queue each step (job name) runs on. Job name = step name = file name in jobs/. */
export const STEP_QUEUE = {
  nightly: 'sync',
  partner: 'sync',
  import: 'sync',
  plan: 'sync',
  audit: 'sync',
  apply: 'updox',
  numbers: 'updox',
  'numbers-pull': 'updox',
  report: 'mail',
} as const satisfies Record<string, QueueName>;
export type StepName = keyof typeof STEP_QUEUE;

export const defaultJobOptions: DefaultJobOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 2_000, jitter: 0.5 },
  // removeOnComplete.age is in SECONDS (bullmq#3540).
  removeOnComplete: { age: (7 * DAY) / 1000, count: 2_000 },
  removeOnFail: { age: (30 * DAY) / 1000 },
};

export interface Queues {
  connection: Redis;
  prefix: string;
  queues: Record<QueueName, Queue>;
  flow: FlowProducer;
  close(): Promise<void>;
}

/**
 * A listener for a BullMQ object's 'error' events (a refused or lost Redis connection, mostly),
 * logged at most every 30 s per message (throttledLog). BullMQ prints an error nobody listens for
 * to stderr as a raw stack, once per reconnection attempt. Without a logger they are dropped: the
 * command's own awaited call fails with its error.
 */
export function errorLog(log: Logger | undefined, what: Record<string, string>, msg: string): (err: Error) => void {
  const write = throttledLog(log, 'error', msg);
  return (err) => write({ ...what, err: err.message });
}

export function createQueues(deps: Pick<AppDeps, 'config'> & { log?: Logger }): Queues {
  const connection = createRedis(deps.config.redisUrl);
  const prefix = deps.config.queuePrefix;
  const queues = Object.fromEntries(
    QUEUE_NAMES.map((name) => [name, new Queue(name, { connection, prefix, defaultJobOptions })]),
  ) as Record<QueueName, Queue>;
  for (const [name, queue] of Object.entries(queues)) queue.on('error', errorLog(deps.log, { queue: name }, 'queue error'));
  const flow = new FlowProducer({ connection, prefix });
  flow.on('error', errorLog(deps.log, { producer: 'flow' }, 'flow producer error'));
  return {
    connection,
    prefix,
    queues,
    flow,
    async close() {
      await Promise.allSettled([...Object.values(queues).map((q) => q.close()), flow.close()]);
      connection.disconnect();
    },
  };
}

export const queueFor = (q: Queues, step: StepName): Queue => q.queues[STEP_QUEUE[step]];

/**
 * The job id of a step of a run: deterministic, so enqueueing the same step twice is a no-op.
 * BullMQ refuses custom ids containing ':' (reserved for its own keys), hence the dash.
 */
export const jobIdFor = (step: StepName, runId: string, tag?: string): string => `${step}-${runId}${tag ? `-${tag}` : ''}`;
