/**
 * The demo touches nothing of the operator's: started from a folder whose .env points at the
 * operator's database, queue prefix, config, SMTP server and Updox, it uses none of them, says so,
 * and leaves that database, those queues and those servers untouched.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyDir, runCli } from '../helpers/cli';
import { createTestDatabase, type TestDatabase } from '../helpers/pg';
import { deleteKeys, TEST_REDIS_URL, testPrefix } from '../helpers/redis';

let operatorDb: TestDatabase;
let demoDb: TestDatabase;
const operatorPrefix = testPrefix('operator');
const demoPrefix = testPrefix('demo');
/** Stands in for the operator's SMTP server and Updox: counts every connection. */
let trap: net.Server;
let trapPort = 0;
let trapped = 0;

const TABLES = ['runs', 'practices', 'sync_actions', 'sms_numbers', 'report_deliveries'];
async function counts(db: TestDatabase['db']): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of TABLES) out[t] = Number(((await db(t).count({ n: '*' })) as Array<{ n: string }>)[0]!.n);
  return out;
}
async function keysOf(prefix: string): Promise<string[]> {
  const r = new Redis(TEST_REDIS_URL);
  try {
    return (await r.keys(`${prefix}:*`)).sort();
  } finally {
    r.disconnect();
  }
}

beforeAll(async () => {
  [operatorDb, demoDb] = await Promise.all([createTestDatabase(), createTestDatabase()]);
  trap = net.createServer((s) => { trapped++; s.destroy(); });
  await new Promise<void>((r) => trap.listen(0, '127.0.0.1', () => r()));
  trapPort = (trap.address() as net.AddressInfo).port;
  // A job left in the operator's queue: the demo's workers must not take it.
  const q = new Queue('sync', { connection: new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null }), prefix: operatorPrefix });
  await q.add('nightly', { source: 'demo', trigger: 'cli' }, { jobId: 'leftover' });
  await q.close();
  await (q.opts.connection as Redis).quit();
});
afterAll(async () => {
  await new Promise<void>((r) => trap.close(() => r()));
  await Promise.all([deleteKeys(operatorPrefix), deleteKeys(demoPrefix)]);
  await Promise.all([operatorDb?.drop(), demoDb?.drop()]);
});

describe('demo with a hostile .env', () => {
  it('uses its own database, prefix, config and folder, never SMTP or Updox, and says so', async () => {
    const cwd = emptyDir('demo');
    writeFileSync(path.join(cwd, '.env'), [
      `DATABASE_URL=${operatorDb.url}`,
      `QUEUE_PREFIX=${operatorPrefix}`,
      'UPDOX_SYNC_CONFIG=/nonexistent/operator-config.yaml',
      `SMTP_URL=smtp://ops:smtp-Secret@127.0.0.1:${trapPort}`,
      `UPDOX_BASE_URL=http://127.0.0.1:${trapPort}/api/io`,
      'UPDOX_APPLICATION_ID=operator-app',
      'UPDOX_APPLICATION_PASSWORD=operator-Secret',
      `REDIS_URL=${TEST_REDIS_URL}`,
    ].join('\n'));
    const before = { db: await counts(operatorDb.db), keys: await keysOf(operatorPrefix) };
    const stateDir = path.join(cwd, 'state');
    const r = await runCli(['demo', '--state-dir', stateDir, '--json'], { DEMO_DATABASE_URL: demoDb.url, DEMO_QUEUE_PREFIX: demoPrefix, DEMO_REDIS_URL: TEST_REDIS_URL }, { cwd, timeoutMs: 400_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/demo: runs apart from your own settings/);
    expect(r.stderr).toContain(`database ${demoDb.name} at 127.0.0.1:5432`);
    expect(r.stderr).toMatch(/no SMTP: reports go to .*state\/reports/);
    const res = JSON.parse(r.stdout) as { summary: { status: string; counts: Record<string, number> }; reportFiles: string[] };
    expect(res.summary.status).toBe('succeeded');
    expect(res.reportFiles.length).toBeGreaterThan(0);
    for (const f of res.reportFiles) expect(f.startsWith(path.join(stateDir, 'reports'))).toBe(true);
    expect(readdirSync(path.join(stateDir, 'reports')).length).toBeGreaterThan(0);

    // The operator's world is as it was; the demo's own has the run.
    expect(await counts(operatorDb.db)).toEqual(before.db);
    expect(await keysOf(operatorPrefix)).toEqual(before.keys);
    const q = new Queue('sync', { connection: { url: TEST_REDIS_URL }, prefix: operatorPrefix });
    expect(await (await q.getJob('leftover'))?.getState()).toBe('waiting');
    await q.close();
    expect(trapped).toBe(0);
    expect((await counts(demoDb.db)).runs).toBeGreaterThan(0);
    expect((await keysOf(demoPrefix)).length).toBeGreaterThan(0);
    expect(existsSync('/nonexistent/operator-config.yaml')).toBe(false);
  }, 420_000);
});
