/**
 * A worker's metrics port after a nightly run: the run by source and status, the last success, the
 * Updox calls by method and outcome with their latency, the limiter's wait and rate, queue depths,
 * the outbox backlog and the numbers' freshness — names and values.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueues, queueFor, type Queues } from '../../../jobs/queues';
import { startWorkers, type RunningWorkers } from '../../../jobs/worker';
import { createApp, type App } from '../../../src/app';
import { loadConfig } from '../../../src/config';
import { startMetricsServer, type MetricsServer } from '../../../src/http/metrics-server';
import { startSimulator, type RunningSimulator } from '../../../src/simulator';
import { TEST_APP_ID, TEST_APP_PASSWORD, testEnv } from '../../helpers/env';
import { createTestDatabase, type TestDatabase } from '../../helpers/pg';
import { deleteKeys, testPrefix } from '../../helpers/redis';

const prefix = testPrefix('wmetrics');
let tdb: TestDatabase;
let sim: RunningSimulator;
let app: App;
let q: Queues;
let workers: RunningWorkers;
let server: MetricsServer;

beforeAll(async () => {
  [tdb, sim] = await Promise.all([createTestDatabase(), startSimulator({ applicationId: TEST_APP_ID, applicationPassword: TEST_APP_PASSWORD, autoRequestVerification: true })]);
  app = createApp(loadConfig(testEnv({ DATABASE_URL: tdb.url, QUEUE_PREFIX: prefix, UPDOX_BASE_URL: sim.baseUrl, UPDOX_REQUESTS_PER_SECOND: '50' })));
  q = createQueues(app.deps);
  workers = startWorkers(app.deps, q, { supervisor: { intervalMs: 60_000 } });
  server = await startMetricsServer(app.deps, Object.values(q.queues), '127.0.0.1', 0);
}, 60_000);
afterAll(async () => {
  await server?.close();
  await workers?.close();
  await q?.close();
  await app?.close();
  await Promise.all([sim?.close(), tdb?.drop(), deleteKeys(prefix)]);
});

/** The value of one sample, by metric name and labels (all given labels must match). */
function sample(body: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of body.split('\n')) {
    const m = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[3]);
  }
  return undefined;
}

describe('worker metrics', () => {
  it('reports the run, the Updox calls, the limiter, the queues, the outbox and the numbers after a nightly run', async () => {
    const t0 = Date.now() / 1000;
    await queueFor(q, 'nightly').add('nightly', { source: 'small', trigger: 'test' });
    const deadline = Date.now() + 90_000;
    let run: { status: string } | undefined;
    while (Date.now() < deadline) {
      run = await tdb.db('runs').where({ kind: 'sync', source: 'small' }).first();
      const partner = await tdb.db('runs').where({ kind: 'partner' }).whereIn('status', ['succeeded', 'completed_with_errors', 'failed']).first();
      if (run && ['succeeded', 'completed_with_errors', 'failed'].includes(run.status) && partner) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(run?.status).toBe('succeeded');
    const body = await (await fetch(server.url)).text();

    expect(sample(body, 'updox_sync_runs', { kind: 'sync', source: 'small', status: 'succeeded' })).toBe(1);
    expect(sample(body, 'updox_sync_run_last_success_timestamp_seconds', { kind: 'sync', source: 'small' })).toBeGreaterThanOrEqual(Math.floor(t0));
    expect(sample(body, 'updox_sync_updox_calls_total', { method: 'PracticeList', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(sample(body, 'updox_sync_updox_calls_total', { method: 'PracticeSave', outcome: 'ok' })).toBe(10);
    expect(sample(body, 'updox_sync_updox_call_duration_seconds_count', { method: 'PracticeSave', outcome: 'ok' })).toBe(10);
    expect(sample(body, 'updox_sync_updox_call_duration_seconds_sum', { method: 'PracticeSave', outcome: 'ok' })).toBeGreaterThan(0);
    expect(sample(body, 'updox_sync_updox_calls_total', { method: 'SmsSendNumberList', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(sample(body, 'updox_sync_limiter_rate_per_second', { kind: 'configured' })).toBe(50);
    expect(sample(body, 'updox_sync_limiter_rate_per_second', { kind: 'effective' })).toBeGreaterThan(0);
    expect(sample(body, 'updox_sync_limiter_wait_seconds_total')).toBeGreaterThanOrEqual(0);
    expect(sample(body, 'updox_sync_outbox_actions', { status: 'pending' })).toBe(0);
    expect(sample(body, 'updox_sync_outbox_oldest_pending_seconds')).toBe(0);
    expect(sample(body, 'updox_sync_numbers_last_seen_timestamp_seconds', { which: 'newest' })).toBeGreaterThanOrEqual(Math.floor(t0));
    for (const queue of ['sync', 'updox', 'mail']) expect(sample(body, 'updox_sync_queue_jobs', { queue, state: 'waiting' })).toBe(0);
    expect(sample(body, 'updox_sync_queue_jobs', { queue: 'updox', state: 'completed' })).toBeGreaterThanOrEqual(1);
    expect(sample(body, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect((await fetch(server.url.replace('/metrics', '/other'))).status).toBe(404);
  }, 120_000);
});
