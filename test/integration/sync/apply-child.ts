/**
 * A worker process for the crash tests and the apply bench: `node --import tsx apply-child.ts`.
 * Reads its settings from the environment (test code may; src/ may not), runs applyRun (or the
 * legacy upgrade) and prints one JSON line with its result.
 *
 * Kill hook (test-only, inert unless set): UPDOX_SYNC_TEST_KILL_POINT = claimed | before_send |
 * after_send | recorded makes the process SIGKILL itself at the N-th occurrence of that point
 * (UPDOX_SYNC_TEST_KILL_AFTER, default 1). The hook is passed to applyRun as its `at` option;
 * production code never sets it.
 */
import { createApp } from '../../../src/app';
import { loadConfig } from '../../../src/config';
import { findSource } from '../../../src/nightly/source';
import { applyRun, type ApplyPoint } from '../../../src/sync/apply';
import { planRun } from '../../../src/sync/plan';
import { isAppliable, startStep } from '../../../src/runs';
import { snapshotRemote } from '../../../src/sync/snapshot';
import { upgradeLegacy } from '../../../src/sync/upgrade-legacy';
import { createUpdoxClient } from '../../../src/updox/client';
import { testEnv } from '../../helpers/env';

const env = process.env;
const config = loadConfig(testEnv({
  DATABASE_URL: env.DATABASE_URL,
  QUEUE_PREFIX: env.QUEUE_PREFIX,
  UPDOX_BASE_URL: env.UPDOX_BASE_URL,
  UPDOX_REQUESTS_PER_SECOND: env.UPDOX_REQUESTS_PER_SECOND ?? '2000',
  UPDOX_MAX_IN_FLIGHT: env.UPDOX_MAX_IN_FLIGHT ?? '64',
  UPDOX_TIMEOUT_MS: env.UPDOX_TIMEOUT_MS ?? '3000',
  LOG_LEVEL: env.LOG_LEVEL ?? 'silent',
}));
const app = createApp(config, { dbPool: { min: 0, max: 12 } });
const client = createUpdoxClient(config.updox, {
  redis: app.deps.redis, log: app.deps.log, limiterKey: `${config.queuePrefix}:updox-limiter`,
  backoff: { baseMs: 20, capMs: 200 },
});

const killPoint = env.UPDOX_SYNC_TEST_KILL_POINT as ApplyPoint | undefined;
const killAfter = Number(env.UPDOX_SYNC_TEST_KILL_AFTER ?? '1');
let seen = 0;
const at = killPoint
  ? (point: ApplyPoint) => {
    if (point === killPoint && ++seen >= killAfter) process.kill(process.pid, 'SIGKILL');
  }
  : undefined;

const common = {
  workerId: env.APPLY_WORKER_ID ?? `child:${process.pid}`,
  concurrency: Number(env.APPLY_CONCURRENCY ?? '8'),
  leaseMs: Number(env.APPLY_LEASE_MS ?? '1500'),
  pollMs: 100,
  backoff: { baseMs: Number(env.APPLY_BACKOFF_MS ?? '50'), capMs: 1000 },
  ...(at ? { at } : {}),
};

try {
  if (env.APPLY_WAIT_FOR_GO) {
    // Bench: report readiness, then start when the run leaves 'queued' (all workers start together).
    process.stdout.write('ready\n');
    for (;;) {
      const run = await app.deps.db('runs').where({ id: env.APPLY_RUN_ID }).first('status');
      if (run?.status !== 'queued') break;
      await new Promise((r) => setTimeout(r, 5));
    }
  }
  const res = env.APPLY_MODE === 'upgrade'
    ? await upgradeLegacy(app.deps, client, {
      ...common,
      ...(env.UPGRADE_SOURCE ? { source: env.UPGRADE_SOURCE } : {}),
      ...(env.UPGRADE_ACCOUNTS ? { accounts: env.UPGRADE_ACCOUNTS.split(',') } : {}),
      ...(env.UPDOX_SYNC_TEST_KILL_POINT === 'plan_chunk' ? { atPlanChunk: () => void process.kill(process.pid, 'SIGKILL') } : {}),
    })
    : await planThenApply(env.APPLY_RUN_ID ?? '', env.APPLY_MODE === 'sync');
  process.stdout.write(`${JSON.stringify(res)}\n`);
} finally {
  await client.close();
  await app.close();
}

/** APPLY_MODE=sync: the plan step (snapshot + planRun) first, as the nightly flow runs it. */
async function planThenApply(runId: string, plan: boolean) {
  const run = await app.deps.db('runs').where({ id: runId }).first('status');
  if (plan && !isAppliable(run?.status as string)) {
    await startStep(app.deps.db, runId, 'plan', common.workerId);
    await snapshotRemote(app.deps, client, runId);
    await planRun(app.deps, { runId, source: findSource(config, 'small') });
  }
  return applyRun(app.deps, client, { ...common, runId });
}

