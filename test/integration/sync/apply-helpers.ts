/**
 * Shared pieces of the apply, crash, fault and upgrade tests: a fresh database, Redis prefix,
 * simulator and real client; planned runs with outbox rows (what the planner writes); the
 * simulator's admin API; and a worker child process (apply-child.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import path from 'node:path';
import type { Knex } from 'knex';
import { createApp, type App } from '../../../src/app';
import { loadConfig, type Config } from '../../../src/config';
import { simulatorAdmin, startSimulator, type CountersSnapshot } from '../../../src/simulator/index';
import { payloadHash } from '../../../src/sync/merge';
import { createUpdoxClient, type AttemptEvent, type UpdoxHttpClient } from '../../../src/updox/client';
import type { UpdoxPractice } from '../../../src/updox/types';
import { testEnv, TEST_APP_ID, TEST_APP_PASSWORD } from '../../helpers/env';
import { createTestDatabase, type TestDatabase } from '../../helpers/pg';
import { deleteKeys, testPrefix } from '../../helpers/redis';

export type Sim = Awaited<ReturnType<typeof startSimulator>>;

export interface Harness {
  tdb: TestDatabase;
  app: App;
  db: Knex;
  config: Readonly<Config>;
  client: UpdoxHttpClient;
  sim: Sim;
  prefix: string;
  /** Environment for a child worker on the same database, Redis prefix and simulator. */
  childEnv: Record<string, string>;
  close(): Promise<void>;
}

export async function createHarness(opts: { rps?: number; simRps?: number; env?: Record<string, string>; onAttempt?: (e: AttemptEvent) => void } = {}): Promise<Harness> {
  const rps = opts.rps ?? 2000;
  const sim = await startSimulator({
    applicationId: TEST_APP_ID, applicationPassword: TEST_APP_PASSWORD, port: 0, seed: 7,
    ...(opts.simRps ? { rateLimit: { requestsPerSecond: opts.simRps } } : {}),
  });
  const tdb = await createTestDatabase();
  const prefix = testPrefix('apply');
  const childEnv = {
    DATABASE_URL: tdb.url, QUEUE_PREFIX: prefix, UPDOX_BASE_URL: sim.baseUrl, UPDOX_REQUESTS_PER_SECOND: String(rps),
    UPDOX_MAX_IN_FLIGHT: '64', UPDOX_TIMEOUT_MS: '3000', ...opts.env,
  };
  const config = loadConfig(testEnv(childEnv));
  const app = createApp(config, { dbPool: { min: 0, max: 12 } });
  const client = createUpdoxClient(config.updox, {
    redis: app.deps.redis, log: app.deps.log, limiterKey: `${prefix}:updox-limiter`, backoff: { baseMs: 20, capMs: 200 },
    ...(opts.onAttempt ? { onAttempt: opts.onAttempt } : {}),
  });
  return {
    tdb, app, db: app.deps.db, config, client, sim, prefix, childEnv,
    async close() {
      await client.close();
      await app.close();
      await sim.close();
      await tdb.drop();
      await deleteKeys(prefix);
    },
  };
}

/** A valid PracticeSave/1.1 body (no auth). `v` varies the values (an update sends v+1). */
export function practice(i: number, v = 0, prefix = 'ap-'): UpdoxPractice {
  const n = String(i).padStart(5, '0');
  return {
    accountId: `${prefix}${n}`,
    name: `Practice ${n}${v ? ` v${v}` : ''}`,
    address1: `${i + 1} Main Street`,
    city: 'Columbus',
    state: 'OH',
    postal: '43215',
    phone: `614${String(5_000_000 + i * 7 + v).padStart(7, '0').slice(-7)}`,
    timeZone: 'America/New_York',
    active: 'true',
    websiteUrl: `https://p${n}.example/${v}`,
  };
}

export async function createPlannedRun(db: Knex, opts: { kind?: string; source?: string; status?: string } = {}): Promise<string> {
  const [run] = await db('runs').insert({
    kind: opts.kind ?? 'sync', partner_id: 'test-partner', source: opts.source ?? 'small', status: opts.status ?? 'planned', trigger: 'test',
  }).returning('id');
  return (run as { id: string }).id;
}

/** Outbox rows as the planner writes them. */
export async function insertActions(db: Knex, runId: string, payloads: UpdoxPractice[], op = 'create', source = 'small'): Promise<void> {
  const rows = payloads.map((p) => ({
    run_id: runId, account_id: p.accountId, external_id: p.accountId.replace(/^ap-/, ''), op,
    payload: JSON.stringify(p), payload_hash: payloadHash(p),
    status: 'pending', source, manager_email: 'priya@partner.example',
  }));
  for (let i = 0; i < rows.length; i += 1000) await db('sync_actions').insert(rows.slice(i, i + 1000));
}

export async function simPost(sim: Sim, p: string, body: unknown = {}, method: 'POST' | 'DELETE' = 'POST'): Promise<void> {
  await simulatorAdmin(sim.url).request(method, p, body);
}

export type Counters = CountersSnapshot;
export const simCounters = (sim: Sim) => simulatorAdmin(sim.url).counters();
export const simPractices = async (sim: Sim) =>
  new Map((await simulatorAdmin(sim.url).practices() as (UpdoxPractice & { apiVersion?: string })[]).map((p) => [p.accountId, p]));

/** Fields of a payload the simulator must now hold (same comparison as apply's reconcile). */
export { payloadDifferences } from '../../../src/sync/apply-rules';

export interface ChildRun { child: ChildProcess; done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> }

const CHILD = path.resolve(import.meta.dirname, 'apply-child.ts');

export function spawnChild(env: Record<string, string>): ChildRun {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

export async function waitFor(cond: () => Promise<boolean>, timeoutMs = 30_000, stepMs = 20): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('waitFor: timed out');
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/**
 * Registers a file's harness hooks: one harness for the file (`set` receives it), the simulator and
 * the outbox tables (`tables`) emptied before each test.
 */
export function useHarness(set: (h: Harness) => void, tables = 'sync_actions, practices, runs'): void {
  let h: Harness | undefined;
  beforeAll(async () => { h = await createHarness(); set(h); });
  afterAll(async () => { await h?.close(); });
  beforeEach(async () => {
    await simPost(h!.sim, '/_sim/reset');
    await h!.db.raw(`TRUNCATE ${tables} CASCADE`);
  });
}
