/**
 * A harness for the runs tests that drive BullMQ: a test database, the simulator, a config whose
 * `small` source reads a roster file the test may rewrite, and workers (with their supervisor) on
 * a Redis prefix of their own, on the given Redis.
 */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createApp, type App } from '../../../src/app';
import { loadConfig, type Config } from '../../../src/config';
import { simulatorAdmin, startSimulator } from '../../../src/simulator/index';
import { createQueues, type Queues } from '../../../jobs/queues';
import { startWorkers, type RunningWorkers, type WorkerOptions } from '../../../jobs/worker';
import { FIXTURES, TEST_APP_ID, TEST_APP_PASSWORD, testEnv } from '../../helpers/env';
import { createTestDatabase, type TestDatabase } from '../../helpers/pg';
import { testPrefix, TEST_REDIS_URL } from '../../helpers/redis';
import { getRun, type RunRow } from '../../../src/runs';
import { sleep } from '../../../src/time';

export type Sim = Awaited<ReturnType<typeof startSimulator>>;

export interface FlowHarness {
  tdb: TestDatabase;
  sim: Sim;
  dir: string;
  roster: string;
  configFile: string;
  prefix: string;
  env: Record<string, string>;
  config: Readonly<Config>;
  app: App;
  q: Queues;
  startWorkers(opts?: WorkerOptions): RunningWorkers;
  admin: ReturnType<typeof simulatorAdmin>;
  close(): Promise<void>;
}

/** The fixture roster with a row's name and phone changed (a newer roster). */
export function changedRoster(fromFile: string, externalId: string, name: string, phone: string): string {
  return readFileSync(fromFile, 'utf8').split('\n').map((l) => {
    if (!l.startsWith(`${externalId},`)) return l;
    const cells = l.split(',');
    cells[1] = name;
    cells[7] = phone;
    return cells.join(',');
  }).join('\n');
}

export async function createFlowHarness(opts: { redisUrl?: string; databaseUrl?: string; rps?: number; schedule?: string; applyConcurrency?: number } = {}): Promise<FlowHarness> {
  const sim = await startSimulator({ applicationId: TEST_APP_ID, applicationPassword: TEST_APP_PASSWORD, port: 0, seed: 7 });
  const tdb = await createTestDatabase();
  const dir = mkdtempSync(path.join(tmpdir(), 'updox-sync-runs-'));
  const roster = path.join(dir, 'roster.csv');
  copyFileSync(path.join(FIXTURES, 'csv/small-clean.csv'), roster);
  const configFile = path.join(dir, 'config.yaml');
  let yaml = readFileSync(path.join(FIXTURES, 'config/test.yaml'), 'utf8')
    .replace('path: ../csv/small-clean.csv', `path: ${roster}`)
    .replace('outDir: /tmp/updox-sync-test-reports', `outDir: ${path.join(dir, 'reports')}`);
  if (opts.schedule) yaml = yaml.replace(`path: ${roster}`, `path: ${roster}\n    schedule: "${opts.schedule}"`);
  if (opts.applyConcurrency) yaml += `\nsync:\n  applyConcurrency: ${opts.applyConcurrency}\n`;
  writeFileSync(configFile, yaml);
  const prefix = testPrefix('runs');
  const env = {
    UPDOX_SYNC_CONFIG: configFile, DATABASE_URL: opts.databaseUrl ?? tdb.url, REDIS_URL: opts.redisUrl ?? TEST_REDIS_URL,
    QUEUE_PREFIX: prefix, UPDOX_BASE_URL: sim.baseUrl, UPDOX_REQUESTS_PER_SECOND: String(opts.rps ?? 200), UPDOX_TIMEOUT_MS: '3000',
  };
  const config = loadConfig(testEnv(env));
  const app = createApp(config);
  const q = createQueues(app.deps);
  const running: RunningWorkers[] = [];
  return {
    tdb, sim, dir, roster, configFile, prefix, env, config, app, q, admin: simulatorAdmin(sim.url),
    startWorkers(o = {}) {
      const w = startWorkers(app.deps, q, { supervisor: { intervalMs: 300, handoffMs: 3_000, maxTakeovers: 5 }, ...o });
      running.push(w);
      return w;
    },
    async close() {
      for (const w of running) await w.close().catch(() => undefined);
      await q.close().catch(() => undefined);
      await app.close();
      await sim.close();
      await tdb.drop();
    },
  };
}

/** Polls the run until `done` holds (at most `ms`); a timeout names its status and error code. */
export async function waitForRun(h: Pick<FlowHarness, 'tdb'>, runId: string, done: (r: RunRow) => boolean, ms = 60_000): Promise<RunRow> {
  const deadline = Date.now() + ms;
  for (;;) {
    const run = await getRun(h.tdb.db, runId);
    if (run && done(run)) return run;
    if (Date.now() > deadline) throw new Error(`run ${runId} is ${run?.status} (${run?.error_code ?? '-'}) after ${ms} ms`);
    await sleep(100);
  }
}

/** A harness's per-test reset: the simulator's state and the runs and practices tables. */
export async function resetFlowHarness(h: FlowHarness): Promise<void> {
  await h.admin.request('POST', '/_sim/reset', {});
  await h.tdb.db.raw('TRUNCATE runs, practices CASCADE');
}
