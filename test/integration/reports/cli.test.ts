/** `updox-sync report` as a subprocess: preview to a folder, send once over SMTP, --json, bad input. */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../../helpers/env';
import { createSmsTestApp, type SmsTestApp } from '../sms/app-helper';
import { PRIYA, seedReportScenario } from './seed';
import { startSmtpCatcher, type SmtpCatcher } from './smtp-catcher';

const RUNNER = path.resolve(import.meta.dirname, '../http/run-command.ts');
const TSX = path.resolve(import.meta.dirname, '../../../node_modules/.bin/tsx');
let t: SmsTestApp;
let smtp: SmtpCatcher;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  smtp = await startSmtpCatcher();
  t = await createSmsTestApp();
  await seedReportScenario(t.app.deps.db);
  env = { ...process.env, ...testEnv({ DATABASE_URL: t.tdb.url, QUEUE_PREFIX: t.prefix, SMTP_URL: smtp.url({ user: 'u', pass: 'cli-Secret-99' }) }) } as NodeJS.ProcessEnv;
});
afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(TSX, [RUNNER, 'report', 'report', ...args], { env });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('updox-sync report', () => {
  it('writes .eml previews with --out and records nothing', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'report-cli-'));
    const r = await run(['--manager', PRIYA, '--period', '2026-11-24', '--out', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('reports 2026-11-24 (preview, nothing recorded):');
    const files = readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith('.eml'));
    expect(files).toEqual([path.join('2026-11-24', 'manager-priya-partner.example.eml')]);
    const mail = await simpleParser(readFileSync(path.join(dir, files[0]!)));
    expect(mail.subject).toContain('SMS readiness 2026-11-24 (Priya Raman)');
    expect(await t.app.deps.db('report_deliveries').count({ n: '*' })).toEqual([{ n: '0' }]);
    expect(smtp.received).toHaveLength(0);
  });

  it('prints each model with --json', async () => {
    const r = await run(['--manager', PRIYA, '--period', '2026-11-24', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const res = JSON.parse(r.stdout) as { transport: string; recipients: { model: { totals: { issues: number } } }[] };
    expect(res.transport).toBe('none');
    expect(res.recipients[0]!.model.totals.issues).toBeGreaterThanOrEqual(7); // 8 while the failed create is within the 30-day lookback
  });

  it('sends once with --send, and a second --send sends nothing new', async () => {
    const first = await run(['--send', '--period', '2026-11-24']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('reports 2026-11-24 via smtp: 3 sent, 0 written, 0 skipped, 0 failed');
    expect(smtp.received).toHaveLength(3);
    const again = await run(['--send', '--period', '2026-11-24']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('0 sent, 0 written, 3 skipped, 0 failed');
    expect(again.stdout).toContain(`manager ${PRIYA}: skipped, already sent`);
    expect(smtp.received).toHaveLength(3);
    expect(first.stdout + first.stderr + again.stdout + again.stderr).not.toContain('cli-Secret-99');
  });

  it('names a bad period or recipient', async () => {
    const r = await run(['--period', '2026-W99']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error [REPORT_PERIOD_INVALID]');
    const u = await run(['--manager', 'who@else.example']);
    expect(u.stderr).toContain('error [REPORT_UNKNOWN_RECIPIENT]');
  });
});
