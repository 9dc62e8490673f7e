/** The audit and serve commands as subprocesses (real signals, real stdout). */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../../helpers/env';
import { createSmsTestApp, seedPractices, type SmsTestApp } from '../sms/app-helper';

const RUNNER = path.resolve(import.meta.dirname, 'run-command.ts');
const TSX = path.resolve(import.meta.dirname, '../../../node_modules/.bin/tsx');
let t: SmsTestApp;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  t = await createSmsTestApp();
  env = { ...process.env, ...testEnv({ DATABASE_URL: t.tdb.url, QUEUE_PREFIX: t.prefix, WEBHOOK_SECRET: 'cli-secret' }) } as NodeJS.ProcessEnv;
  await seedPractices(t.app, [
    { account_id: 'c1', name: 'Complete Clinic', address1: '1 Main St', city: 'Columbus', state: 'OH', postal: '43215', country: 'US', website_url: 'https://c.example' },
    { account_id: 'c2', name: '@SUM(1+1)', address1: 'PO Box 1', city: 'Columbus', state: 'OH', postal: '43215', country: 'US', website_url: 'https://c.example' },
  ]);
});
afterAll(async () => { await t?.close(); });

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(TSX, [RUNNER, ...args], { env });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('updox-sync audit', () => {
  it('prints a table filtered by status', async () => {
    const r = await run(['audit', 'audit', '--status', 'incomplete']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('audited 2 practice(s): 1 complete, 0 with warnings, 1 incomplete');
    expect(r.stdout).toMatch(/c2\s+@SUM\(1\+1\)\s+incomplete\s+PO_BOX_ONLY\(address1\)/);
    expect(r.stdout).not.toMatch(/^c1 /m);
  });

  it('prints JSON', async () => {
    const r = await run(['audit', 'audit', '--json']);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ audited: 2, complete: 1, incomplete: 1, changed: 0 });
    expect(out.practices.map((p: { accountId: string }) => p.accountId)).toEqual(['c1', 'c2']);
  });

  it('writes a CSV whose cells cannot run as formulas', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'audit-cli-')), 'a.csv');
    const r = await run(['audit', 'audit', '--csv', file]);
    expect(r.code, r.stderr).toBe(0);
    const csv = readFileSync(file, 'utf8');
    expect(csv.replace(/^\uFEFF/, '').split('\r\n')[0]).toBe('account_id,name,manager_email,status,errors,warnings,finding_codes,findings,details_insufficient_at,audited_at');
    expect(csv).toContain(`c2,'@SUM(1+1),`);
  });
});

describe('updox-sync serve', () => {
  it('serves /healthz and the webhook, and exits cleanly on SIGTERM', async () => {
    const p: ChildProcess = spawn(TSX, [RUNNER, 'serve', 'serve', '--port', '0'], { env });
    let stdout = '';
    const address = await new Promise<string>((resolve, reject) => {
      p.stdout!.on('data', (d) => {
        stdout += d;
        const m = /listening on (http:\/\/[\d.:]+)/.exec(stdout);
        if (m) resolve(m[1]!);
      });
      p.on('close', (code) => reject(new Error(`exited ${code}`)));
    });
    expect(await (await fetch(`${address}/healthz`)).json()).toEqual({ status: 'ok' });
    const hook = await fetch(`${address}/webhooks/updox/sms-verification`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(hook.status).toBe(401);
    const exited = new Promise<number | null>((resolve) => p.on('close', resolve));
    p.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
