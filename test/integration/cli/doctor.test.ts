/**
 * `updox-sync doctor` against a healthy set-up (every check ok) and a broken one (every check
 * names what is wrong), and the CLI's table, --json and exit codes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main';
import type { CheckResult } from '../../../src/doctor/check';
import { runChecks } from '../../../src/doctor/checks';
import { simulatorAdmin, startSimulator, type RunningSimulator } from '../../../src/simulator';
import { FIXTURES, TEST_APP_ID, TEST_APP_PASSWORD, testEnv } from '../../helpers/env';
import { adminQuery, createTestDatabase, dbUrl, type TestDatabase } from '../../helpers/pg';
import { startSmtpCatcher, type SmtpCatcher } from '../reports/smtp-catcher';

let tdb: TestDatabase;
let sim: RunningSimulator;
let simNoSms: RunningSimulator;
let smtp: SmtpCatcher;
let lruRedis: ChildProcess;
let lruPort = 0;
const emptyDb = `updox_sync_doctor_${process.pid}`;
let closedPort = 0;
let configFile = '';

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

beforeAll(async () => {
  [tdb, sim, simNoSms, smtp] = await Promise.all([
    createTestDatabase(),
    startSimulator({ applicationId: TEST_APP_ID, applicationPassword: TEST_APP_PASSWORD }),
    startSimulator({ applicationId: TEST_APP_ID, applicationPassword: TEST_APP_PASSWORD, smsEnabled: false }),
    startSmtpCatcher(),
  ]);
  await tdb.db('practices').insert({ account_id: 'doc-1', external_id: 'doc-1', source: 'small', active: true, name: 'Doctor Practice' });
  await Promise.all([sim, simNoSms].map((x) => simulatorAdmin(x.url).seed({ practices: [{ accountId: 'doc-1', name: 'Doctor Practice', active: true }] })));
  await adminQuery(`CREATE DATABASE ${emptyDb}`);
  closedPort = await freePort();
  // A Redis of our own, the way it must not be run: evicting keys, no persistence.
  lruPort = await freePort();
  lruRedis = spawn('redis-server', ['--port', String(lruPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'allkeys-lru'], { stdio: 'ignore' });
  for (let i = 0; i < 50; i++) {
    if (await new Promise<boolean>((r) => { const s = net.connect(lruPort, '127.0.0.1', () => { s.destroy(); r(true); }); s.on('error', () => r(false)); })) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  // The test config with a MariaDB partner database source added.
  const dir = mkdtempSync(path.join(tmpdir(), 'doctor-'));
  configFile = path.join(dir, 'config.yaml');
  writeFileSync(configFile, `partner: { id: test-partner, name: Test, businessDetails: {} }
sources:
  - { name: small, kind: csv, path: ${path.join(FIXTURES, 'csv/small-clean.csv')} }
  - { name: partnerdb, kind: db, client: mysql2, urlEnv: DOCTOR_PARTNER_URL, table: practices }
`);
}, 60_000);
afterAll(async () => {
  lruRedis?.kill('SIGTERM');
  await Promise.all([sim?.close(), simNoSms?.close(), smtp?.close(), tdb?.drop()]);
  await adminQuery(`DROP DATABASE IF EXISTS ${emptyDb} WITH (FORCE)`);
});

const byName = (rs: CheckResult[]) => Object.fromEntries(rs.map((r) => [r.check, r]));

describe('doctor', () => {
  it('passes every check on a healthy set-up', async () => {
    const env = testEnv({
      UPDOX_SYNC_CONFIG: configFile, DATABASE_URL: tdb.url, UPDOX_BASE_URL: sim.baseUrl, SMTP_URL: smtp.url(),
      WEBHOOK_SECRET: 'doctor-Secret-1', DOCTOR_PARTNER_URL: 'mysql://root@127.0.0.1:3306/test',
    });
    const results = byName(await runChecks(env));
    for (const name of ['config', 'postgres', 'migrations', 'redis', 'redis eviction', 'updox', 'sms activation', 'smtp', 'source partnerdb', 'webhook secret']) {
      expect(results[name]?.status, `${name}: ${results[name]?.detail}`).toBe('ok');
    }
    // The shared test Redis runs without persistence: a warning, not a failure.
    expect(['ok', 'warn']).toContain(results['redis persistence']?.status);
  });

  it('names what is wrong on a broken set-up', async () => {
    const env = testEnv({
      UPDOX_SYNC_CONFIG: configFile, DATABASE_URL: dbUrl(emptyDb), REDIS_URL: `redis://127.0.0.1:${lruPort}`,
      UPDOX_BASE_URL: sim.baseUrl, UPDOX_APPLICATION_PASSWORD: 'wrong-Password-1', SMTP_URL: `smtp://127.0.0.1:${closedPort}`,
      DOCTOR_PARTNER_URL: undefined,
    });
    const r = byName(await runChecks(env));
    expect(r.postgres?.status).toBe('ok');
    expect(r.migrations).toMatchObject({ status: 'fail', detail: expect.stringMatching(/not applied .*run `updox-sync migrate`/) });
    expect(r['redis eviction']).toMatchObject({ status: 'fail', detail: expect.stringMatching(/allkeys-lru: set noeviction/) });
    expect(r['redis persistence']?.status).toBe('warn');
    expect(r.updox).toMatchObject({ status: 'fail', detail: expect.stringMatching(/refused these credentials/) });
    expect(r['sms activation']?.status).toBe('skip');
    expect(r.smtp).toMatchObject({ status: 'fail', detail: expect.stringMatching(/ECONNREFUSED|connect/) });
    expect(r['source partnerdb']).toMatchObject({ status: 'fail', detail: expect.stringMatching(/DOCTOR_PARTNER_URL: not set/) });
    expect(r['webhook secret']?.status).toBe('warn');
    expect(JSON.stringify(r)).not.toContain('wrong-Password-1');
  });

  it('fails SMS activation on 4015, and Postgres and Redis that are down without waiting on them', async () => {
    const sms = byName(await runChecks(testEnv({ DATABASE_URL: tdb.url, UPDOX_BASE_URL: simNoSms.baseUrl })));
    expect(sms.updox?.status).toBe('ok');
    expect(sms['sms activation']).toMatchObject({ status: 'fail', detail: expect.stringMatching(/^4015: the SMS API is not enabled/) });
    const t0 = Date.now();
    const down = byName(await runChecks(testEnv({ DATABASE_URL: `postgres://postgres@127.0.0.1:${closedPort}/x`, REDIS_URL: `redis://127.0.0.1:${closedPort}` })));
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(down.postgres).toMatchObject({ status: 'fail', detail: expect.stringMatching(/^Postgres does not answer/) });
    expect(down.redis).toMatchObject({ status: 'fail', detail: expect.stringMatching(/^Redis does not answer/) });
    expect(down.updox?.status).toBe('skip');
  });

  it('prints a table or JSON and exits 0 or 1', async () => {
    const run = async (args: string[], env: Record<string, string | undefined>) => {
      let stdout = '';
      const code = await main(['node', 'updox-sync', ...args], { env, dotenv: false, stdout: { write: (s: string) => (stdout += s) }, stderr: { write: () => true } });
      const exit = process.exitCode;
      process.exitCode = undefined;
      return { code, exit, stdout };
    };
    const healthy = testEnv({ DATABASE_URL: tdb.url, UPDOX_BASE_URL: sim.baseUrl, WEBHOOK_SECRET: 'x-Secret-2' });
    const prev = { ...process.env };
    Object.assign(process.env, healthy);
    try {
      const table = await run(['doctor'], healthy);
      expect(table.code).toBe(0);
      expect(table.stdout).toMatch(/^check\s+status\s+detail/);
      expect(table.stdout).toMatch(/^migrations\s+ok\s+all \d+ applied/m);
      process.env.DATABASE_URL = dbUrl(emptyDb);
      const json = await run(['doctor', '--json'], { ...healthy, DATABASE_URL: dbUrl(emptyDb) });
      expect(json.code).toBe(1);
      const parsed = JSON.parse(json.stdout) as { ok: boolean; checks: CheckResult[] };
      expect(parsed.ok).toBe(false);
      expect(parsed.checks.find((c) => c.check === 'migrations')?.status).toBe('fail');
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in prev)) delete process.env[k];
      Object.assign(process.env, prev);
    }
  });
});
