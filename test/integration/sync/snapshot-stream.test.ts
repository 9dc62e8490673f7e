/**
 * A PracticeList larger than the client's old 64 MiB cut, streamed from the simulator (which
 * serializes it piece by piece) through the real client into remote_snapshots, in a process whose
 * V8 heap is capped below what parsing the reply whole takes; the size limit.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../../src/app';
import { loadConfig } from '../../../src/config';
import { startSimulator, type RunningSimulator } from '../../../src/simulator/index';
import { createUpdoxClient } from '../../../src/updox/client';
import { snapshotRemote } from '../../../src/sync/snapshot';
import { getRun } from '../../../src/runs';
import { createTestDatabase, type TestDatabase } from '../../helpers/pg';
import { TEST_APP_ID, TEST_APP_PASSWORD, testEnv } from '../../helpers/env';
import { deleteKeys, testPrefix } from '../../helpers/redis';
import { createRun } from './plan-helpers';

const PRACTICES = 150_000;
let sim: RunningSimulator;
let tdb: TestDatabase;
let app: App;
const prefix = testPrefix('snapshot-stream');
let seededBytes = 0;

async function admin(path: string, body?: unknown, method = 'POST'): Promise<void> {
  const res = await fetch(`${sim.url}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  expect(res.ok).toBe(true);
  await res.arrayBuffer();
}

const clientWith = (env: Record<string, string>) => {
  const config = loadConfig(testEnv({ DATABASE_URL: tdb.url, UPDOX_BASE_URL: sim.baseUrl, QUEUE_PREFIX: prefix, UPDOX_REQUESTS_PER_SECOND: '100', ...env }));
  return createUpdoxClient(config.updox, { redis: app.deps.redis, log: app.deps.log, limiterKey: `${prefix}:limiter`, backoff: { baseMs: 5, capMs: 20 } });
};

beforeAll(async () => {
  sim = await startSimulator({ applicationId: TEST_APP_ID, applicationPassword: TEST_APP_PASSWORD });
  tdb = await createTestDatabase();
  app = createApp(loadConfig(testEnv({ DATABASE_URL: tdb.url, UPDOX_BASE_URL: sim.baseUrl, QUEUE_PREFIX: prefix })), { dbPool: { min: 0, max: 4 } });
  // Seeded in batches (each request ~10 MB); a long metadata field takes the reply past 64 MiB.
  for (let from = 0; from < PRACTICES; from += 25_000) {
    const practices = [];
    for (let i = from; i < Math.min(PRACTICES, from + 25_000); i++) {
      const p = {
        accountId: `big-${String(i).padStart(7, '0')}`, name: `Clinic ${i} of the Large Partner`, address1: `${i} Main Street`, city: 'Columbus',
        state: 'OH', postal: '43215', phone: '6145550100', websiteUrl: `https://clinic${i}.example`, timeZone: 'America/New_York',
        metadata: `partner-record-${i}-`.padEnd(200, 'x'), active: true,
      };
      seededBytes += JSON.stringify(p).length + 1;
      practices.push(p);
    }
    await admin('/_sim/seed', { practices });
  }
}, 120_000);
afterAll(async () => {
  await app?.close();
  await tdb?.drop();
  await sim?.close();
  await deleteKeys(prefix);
});

describe('streamed PracticeList snapshot', () => {
  it('stores a list larger than 64 MiB after a failed first attempt, in a process with a 96 MB heap', async () => {
    expect(seededBytes).toBeGreaterThan(64 * 1024 * 1024); // the reply carries more fields than the seed
    // The first attempt fails (HTTP 503): the retry starts the snapshot over in its savepoint.
    await admin('/_sim/faults', { faults: [{ method: 'PracticeList', kind: 'http', status: 503, count: 1 }] });
    const runId = await createRun(app.deps.db, { snapshot: false, source: 'stream-big' });
    // 96 MB of V8 heap: the reply parsed whole (a 70 MB string, then 150,000 objects) does not fit.
    const child = spawn(process.execPath, ['--max-old-space-size=96', '--import', 'tsx', path.resolve(import.meta.dirname, 'snapshot-child.ts')], {
      env: { ...process.env, DATABASE_URL: tdb.url, UPDOX_BASE_URL: sim.baseUrl, QUEUE_PREFIX: prefix, SNAPSHOT_RUN_ID: runId },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '', err = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect({ code, err: err.slice(-2000) }).toEqual({ code: 0, err: '' });
    const res = JSON.parse(out.trim().split('\n').pop()!) as { practices: number; skipped: number; maxRssMb: number; heapLimitMb: number };
    expect(res).toMatchObject({ practices: PRACTICES, skipped: 0 });
    expect(res.heapLimitMb).toBeLessThan(160);
    const [{ n, digests }] = await app.deps.db('remote_snapshots').where({ run_id: runId })
      .select(app.deps.db.raw('count(*)::int AS n'), app.deps.db.raw('count(digest)::int AS digests')) as Array<{ n: number; digests: number }>;
    expect({ n, digests }).toEqual({ n: PRACTICES, digests: PRACTICES }); // every key returned: every row has its digest
    const last = await app.deps.db('remote_snapshots').where({ run_id: runId, account_id: `big-${String(PRACTICES - 1).padStart(7, '0')}` }).first('name', 'raw');
    expect(last).toMatchObject({ name: `Clinic ${PRACTICES - 1} of the Large Partner` });
    expect((last as { raw: { metadata: string } }).raw.metadata).toMatch(/^partner-record-149999-x+$/);
    await app.deps.db('runs').where({ id: runId }).update({ status: 'succeeded', finished_at: app.deps.db.fn.now() });
  }, 180_000);

  it('fails the run with UPDOX_LIST_TOO_LARGE naming the limit and the size seen, and stores nothing', async () => {
    const client = clientWith({ UPDOX_MAX_LIST_BYTES: String(1024 * 1024) });
    const runId = await createRun(app.deps.db, { snapshot: false, source: 'stream-limit' });
    try {
      await expect(snapshotRemote(app.deps, client, runId)).rejects.toMatchObject({ code: 'UPDOX_LIST_TOO_LARGE' });
    } finally {
      await client.close();
    }
    const run = await getRun(app.deps.db, runId);
    expect(run).toMatchObject({ status: 'failed', error_code: 'UPDOX_LIST_TOO_LARGE' });
    expect(run?.error_message).toMatch(/PracticeList reply is larger than the limit of 1048576 bytes \(UPDOX_MAX_LIST_BYTES\): \d+ bytes were read before the read stopped/);
    expect(await app.deps.db('remote_snapshots').where({ run_id: runId }).count({ n: '*' })).toEqual([{ n: '0' }]);
  }, 60_000);
});
