/**
 * The nightly flow end to end through BullMQ: the source steps (import → plan → apply), then the
 * night's partner steps (audit → numbers → report) once, with the workers of jobs/worker.ts,
 * against real Postgres, Redis and the Updox simulator over HTTP. Run twice on the same roster,
 * the second run makes zero API writes.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app';
import { loadConfig } from '../../src/config';
import { openSyncRun } from '../../src/pipeline/open';
import { batchNight, waitForFlow } from '../../src/pipeline/wait';
import { summarizeRun } from '../../src/nightly/summary';
import { simulatorAdmin, startSimulator, type CountersSnapshot } from '../../src/simulator/index';
import { addSourceFlow } from '../../jobs/flows';
import { createQueues, type Queues } from '../../jobs/queues';
import { startWorkers, type RunningWorkers } from '../../jobs/worker';
import { FIXTURES, TEST_APP_ID, TEST_APP_PASSWORD, testEnv } from '../helpers/env';
import { createTestDatabase, type TestDatabase } from '../helpers/pg';
import { deleteKeys, testPrefix } from '../helpers/redis';

// Beside the chaos and subprocess files a step's hand-off can fall to the supervisor's takeover
// (docs/runs.md), which takes longer than the 60 s default; waitForFlow's own limit comes first, so a
// run that truly hangs fails with its status and step.
describe('the nightly flow through BullMQ', { timeout: 180_000 }, () => {
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  let tdb: TestDatabase;
  let app: App;
  let q: Queues;
  let workers: RunningWorkers;
  let prefix: string;
  let outDir: string;

  const counters = () => simulatorAdmin(sim.url).counters();
  const writes = (c: CountersSnapshot) => Object.values(c.writesByAccount).reduce((a, b) => a + b, 0);

  async function runNightly(): Promise<string> {
    const { runId, skipped } = await openSyncRun(app.deps, { source: 'small', trigger: 'test', dryRun: false, night: batchNight('2026-12-01', `e2e-${++nights}`) });
    expect(skipped).toBe(false);
    await addSourceFlow(q, runId);
    const { run, partner } = await waitForFlow(app.deps.db, runId, { timeoutMs: 150_000, pollMs: 100 });
    // The run's own record names what went wrong when it did not succeed.
    expect({ status: run.status, error: run.error_code, message: run.error_message, halt: run.halt_reason })
      .toEqual({ status: 'succeeded', error: null, message: null, halt: null });
    expect(partner?.status).toBe('succeeded');
    expect(Object.keys(partner?.apply_stats ?? {}).sort()).toEqual(['audit', 'numbers', 'report']);
    return runId;
  }
  let nights = 0;

  beforeAll(async () => {
    sim = await startSimulator({ applicationId: TEST_APP_ID, applicationPassword: TEST_APP_PASSWORD, port: 0, rateLimit: { requestsPerSecond: 50 } });
    tdb = await createTestDatabase();
    prefix = testPrefix('e2e');
    outDir = mkdtempSync(path.join(tmpdir(), 'updox-sync-e2e-'));
    // The test config, with the report folder and the roster path made absolute for this run.
    const configFile = path.join(outDir, 'config.yaml');
    const base = readFileSync(path.join(FIXTURES, 'config/test.yaml'), 'utf8')
      .replace('path: ../csv/small-clean.csv', `path: ${path.join(FIXTURES, 'csv/small-clean.csv')}`)
      .replace('outDir: /tmp/updox-sync-test-reports', `outDir: ${path.join(outDir, 'reports')}`);
    writeFileSync(configFile, base);
    const config = loadConfig(testEnv({
      UPDOX_SYNC_CONFIG: configFile, DATABASE_URL: tdb.url, QUEUE_PREFIX: prefix, UPDOX_BASE_URL: sim.baseUrl,
      UPDOX_REQUESTS_PER_SECOND: '40', LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'silent',
    }));
    app = createApp(config);
    q = createQueues(app.deps);
    workers = startWorkers(app.deps, q);
  });

  afterAll(async () => {
    await workers?.close();
    await q?.close();
    await app?.close();
    await sim?.close();
    await tdb?.drop();
    if (prefix) await deleteKeys(prefix);
  });

  it('creates every valid practice in Updox, audits, pulls numbers and writes the reports', async () => {
    const runId = await runNightly();
    const s = await summarizeRun(app.deps.db, runId);
    expect(s.status).toBe('succeeded');
    expect(s.read).toBe(10);
    expect(s.valid).toBe(10);
    expect(s.created).toBe(10);
    expect(s.failed).toBe(0);

    const byId = new Map((await simulatorAdmin(sim.url).practices()).map((p) => [p.accountId, p]));
    expect(byId.size).toBe(10);
    const riverside = byId.get('tp-P001');
    expect(riverside).toMatchObject({ name: 'Riverside Pediatrics', postal: '43215', phone: '6145550100', state: 'OH', apiVersion: '1.1' });
    expect(riverside?.websiteUrl).toBe('https://riversidepeds.example');
    // The Puerto Rico row kept its leading zero.
    expect(byId.get('tp-P009')).toMatchObject({ state: 'PR', postal: '00907' });

    const c = await counters();
    expect(writes(c)).toBe(10);
    expect(Object.values(c.writesByAccount).every((n) => n === 1)).toBe(true);
    expect(c.rateLimitViolations).toBe(0);

    const practices = await app.deps.db('practices').select('account_id', 'audit_status', 'last_status', 'api_version');
    expect(practices).toHaveLength(10);
    expect(practices.every((p) => p.last_status === 'succeeded' && p.api_version === '1.1')).toBe(true);
    expect(practices.every((p) => ['complete', 'warnings', 'incomplete'].includes(p.audit_status))).toBe(true);

    const delivered = await app.deps.db('report_deliveries').select('recipient', 'status', 'path');
    expect(delivered.length).toBeGreaterThanOrEqual(1);
    expect(delivered.every((d) => d.status === 'written')).toBe(true);
    const eml = readdirSync(path.join(outDir, 'reports'), { recursive: true }).map(String).filter((f) => f.endsWith('.eml'));
    expect(eml.length).toBe(delivered.length);
  });

  it('makes zero API writes when the same roster runs again', async () => {
    const before = writes(await counters());
    const runId = await runNightly();
    const s = await summarizeRun(app.deps.db, runId);
    expect(s.status).toBe('succeeded');
    expect(s.apiWrites).toBe(0);
    expect(s.unchanged).toBe(10);
    expect(writes(await counters())).toBe(before);
  });
});
