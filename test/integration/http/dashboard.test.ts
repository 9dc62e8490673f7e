/**
 * `updox-sync serve`'s queue dashboard, as an operator sees it: the CLI started as a subprocess,
 * /dashboard opened in headless Chromium (Debian's package) with basic auth, every queue listed;
 * and /metrics carries the depth of every queue.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Queue } from 'bullmq';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_NAMES } from '../../../jobs/queues';
import { CHROMIUM_ARGS } from '../../../src/reports/sample';
import { emptyDir, ROOT } from '../../helpers/cli';
import { testEnv } from '../../helpers/env';
import { createTestDatabase, type TestDatabase } from '../../helpers/pg';
import { deleteKeys, TEST_REDIS_URL, testPrefix } from '../../helpers/redis';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const prefix = testPrefix('dash');
let tdb: TestDatabase;
let serve: ChildProcess;
let base = '';
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  tdb = await createTestDatabase();
  const q = new Queue('mail', { connection: { url: TEST_REDIS_URL }, prefix });
  await q.add('report', { runId: 'r' }, { delay: 3_600_000 }); // one delayed job, to see in the metrics
  await q.close();
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, ...testEnv({ DATABASE_URL: tdb.url, QUEUE_PREFIX: prefix, DASHBOARD_USER: 'ops', DASHBOARD_PASSWORD: 'dash-Secret-1' }) };
  serve = spawn(process.execPath, [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), path.join(ROOT, 'src/cli/index.ts'), 'serve', '--port', '0'], { cwd: emptyDir('serve'), env, stdio: ['ignore', 'pipe', 'pipe'] });
  base = await new Promise<string>((resolve, reject) => {
    let out = '';
    serve.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    serve.on('exit', (code) => reject(new Error(`serve exited with ${code}`)));
  });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}, 90_000);
afterAll(async () => {
  await browser?.close();
  if (serve && serve.exitCode === null) {
    serve.kill('SIGTERM');
    await new Promise((r) => serve.once('exit', r));
  }
  await deleteKeys(prefix);
  await tdb?.drop();
});

describe('the queue dashboard', () => {
  it('lists every queue in headless Chromium', async () => {
    const page = await browser.newPage({ httpCredentials: { username: 'ops', password: 'dash-Secret-1' } });
    await page.goto(`${base}/dashboard`);
    for (const name of QUEUE_NAMES) await page.getByRole('link', { name: new RegExp(`^${name}\\b`, 'i') }).first().waitFor({ timeout: 20_000 });
    const text = await page.locator('body').innerText();
    for (const name of QUEUE_NAMES) expect(text).toMatch(new RegExp(`\\b${name}\\b`));
    await page.close();
  }, 60_000);

  it('refuses the dashboard without the credentials', async () => {
    const res = await fetch(`${base}/dashboard`);
    expect(res.status).toBe(401);
  });

  it('reports the depth of every queue in /metrics', async () => {
    const body = await (await fetch(`${base}/metrics`)).text();
    for (const name of QUEUE_NAMES) expect(body).toMatch(new RegExp(`^updox_sync_queue_jobs\\{queue="${name}",state="waiting"[^}]*\\} 0$`, 'm'));
    expect(body).toMatch(/^updox_sync_queue_jobs\{queue="mail",state="delayed"[^}]*\} 1$/m);
  });
});
