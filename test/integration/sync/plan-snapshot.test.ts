/** snapshotRemote against the simulator through the real client, then the plan on that snapshot. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../../src/app';
import { loadConfig } from '../../../src/config';
import { startSimulator, type RunningSimulator } from '../../../src/simulator/index';
import { createUpdoxClient, type UpdoxHttpClient } from '../../../src/updox/client';
import { snapshotRemote } from '../../../src/sync/snapshot';
import { planRun } from '../../../src/sync/plan';
import { getRun } from '../../../src/runs';
import { createTestDatabase, type TestDatabase } from '../../helpers/pg';
import { TEST_APP_ID, TEST_APP_PASSWORD, testEnv } from '../../helpers/env';
import { deleteKeys, testPrefix } from '../../helpers/redis';
import { actions, addRoster, createRun, practice } from './plan-helpers';

let sim: RunningSimulator;
let tdb: TestDatabase;
let app: App;
let client: UpdoxHttpClient;
const prefix = testPrefix('plan-snapshot');

async function admin(path: string, body?: unknown, method = 'POST'): Promise<unknown> {
  const res = await fetch(`${sim.url}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  expect(res.ok).toBe(true);
  return res.json();
}

beforeAll(async () => {
  sim = await startSimulator({ applicationId: TEST_APP_ID, applicationPassword: TEST_APP_PASSWORD });
  tdb = await createTestDatabase();
  const config = loadConfig(testEnv({ DATABASE_URL: tdb.url, UPDOX_BASE_URL: sim.baseUrl, UPDOX_MAX_RETRIES: '1', QUEUE_PREFIX: prefix }));
  app = createApp(config, { dbPool: { min: 0, max: 4 } });
  client = createUpdoxClient(config.updox, { redis: app.deps.redis, log: app.deps.log, limiterKey: `${prefix}:updox-limiter`, backoff: { baseMs: 5, capMs: 20 } });
});
afterAll(async () => {
  await client?.close();
  await app?.close();
  await tdb?.drop();
  await sim?.close();
  await deleteKeys(prefix);
});

const wire = (accountId: string, n: number, extra: Record<string, unknown> = {}) => {
  const v = practice(n);
  return { accountId, name: v.name, address1: v.address1, city: v.city, state: v.state, postal: v.postal, phone: v.phone, websiteUrl: v.websiteUrl, timeZone: v.timeZone, country: 'US', active: true, ...extra };
};

describe('snapshotRemote', () => {
  it('stores PracticeList for the run (values and raw), replaces it when taken again, and the plan diffs against it', async () => {
    await admin('/_sim/reset');
    await admin('/_sim/seed', { practices: [wire('tp-s-1', 1), wire('tp-s-2', 2, { name: 'Portal Name' }), wire('other-9', 9, { active: false })] });
    const runId = await createRun(app.deps.db, { snapshot: false, source: 'snap' });
    const first = await snapshotRemote(app.deps, client, runId);
    expect(first).toMatchObject({ practices: 3, skipped: 0 });
    const again = await snapshotRemote(app.deps, client, runId);
    expect(again.practices).toBe(3);
    const rows = await app.deps.db('remote_snapshots').where({ run_id: runId }).orderBy('account_id');
    expect(rows.map((r) => r.account_id)).toEqual(['other-9', 'tp-s-1', 'tp-s-2']);
    expect(rows[1]).toMatchObject({ name: 'Clinic 1', postal: '43215', website_url: 'https://clinic1.example', active: true, address2: null });
    expect(rows[0].active).toBe(false);
    expect(rows[1].raw).toMatchObject({ accountId: 'tp-s-1', name: 'Clinic 1' });
    const run = await getRun(app.deps.db, runId);
    expect((run?.plan_stats as { snapshot: { practices: number } }).snapshot.practices).toBe(3);

    await addRoster(app.deps.db, runId, [
      { externalId: 's-1', values: practice(1), accountId: 'tp-s-1' },
      { externalId: 's-2', values: practice(2), accountId: 'tp-s-2' },
      { externalId: 's-3', values: practice(3), accountId: 'tp-s-3' },
    ]);
    const plan = await planRun(app.deps, { runId, source: { ...app.deps.config.sources[0]!, name: 'snap' } });
    expect(plan.counts).toMatchObject({ create: 1, update: 1, unchanged: 1, adopted: 2 });
    const acts = await actions(app.deps.db, runId);
    expect(acts.map((a) => [a.account_id, a.op])).toEqual([['tp-s-2', 'update'], ['tp-s-3', 'create']]);
    await app.deps.db('runs').where({ id: runId }).update({ status: 'succeeded', finished_at: app.deps.db.fn.now() });
  });

  it('fails the run with a clear error when PracticeList keeps failing, and the plan refuses it', async () => {
    await admin('/_sim/faults', { faults: [{ method: 'PracticeList', kind: 'envelope', code: 5000 }] });
    const runId = await createRun(app.deps.db, { snapshot: false, source: 'snap-fail' });
    await expect(snapshotRemote(app.deps, client, runId)).rejects.toMatchObject({ code: 'UPDOX_LIST_FAILED' });
    const run = await getRun(app.deps.db, runId);
    expect(run).toMatchObject({ status: 'failed', error_code: 'UPDOX_LIST_FAILED' });
    expect(run?.error_message).toMatch(/PracticeList failed \(retryable, code 5000\).*not planned/);
    expect(await app.deps.db('remote_snapshots').where({ run_id: runId }).count({ n: '*' })).toEqual([{ n: '0' }]);
    await expect(planRun(app.deps, { runId, source: app.deps.config.sources[0]! })).rejects.toMatchObject({ code: 'PLAN_NOT_ALLOWED' });
    await admin('/_sim/faults', undefined, 'DELETE');
  });

  it('halts the run when PracticeList is refused for credentials', async () => {
    await admin('/_sim/faults', { faults: [{ method: 'PracticeList', kind: 'envelope', code: 4010 }] });
    const runId = await createRun(app.deps.db, { snapshot: false, source: 'snap-halt' });
    await expect(snapshotRemote(app.deps, client, runId)).rejects.toMatchObject({ code: 'UPDOX_LIST_HALTED', halt: true });
    const run = await getRun(app.deps.db, runId);
    expect(run).toMatchObject({ status: 'halted', error_code: 'UPDOX_LIST_HALTED' });
    expect(run?.halt_reason).toContain('code 4010');
    expect(run?.halt_reason).not.toContain(TEST_APP_PASSWORD);
    await admin('/_sim/faults', undefined, 'DELETE');
  });
});
