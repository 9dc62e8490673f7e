/**
 * Alerts go out exactly once per event and channel, with two workers' notifiers running at the
 * same time and a webhook that fails its first delivery (so one alert is retried): a failed, a
 * halted and a held run and a failed report delivery each reach the webhook once and the admins'
 * mailbox once; the same run halted again after a resume is a new event.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAlertsOnce } from '../../../src/alerts/notifier';
import { createApp, type App } from '../../../src/app';
import { loadConfig } from '../../../src/config';
import { testEnv } from '../../helpers/env';
import { createTestDatabase, type TestDatabase } from '../../helpers/pg';
import { startSmtpCatcher, type SmtpCatcher } from '../reports/smtp-catcher';

let tdb: TestDatabase;
let smtp: SmtpCatcher;
let hook: http.Server;
let hookUrl = '';
let requests = 0;
const delivered: string[] = [];
const apps: App[] = [];
let haltedId = '';

beforeAll(async () => {
  [tdb, smtp] = await Promise.all([createTestDatabase(), startSmtpCatcher()]);
  hook = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString(); });
    req.on('end', () => {
      requests++;
      if (requests === 1) { res.writeHead(500).end('try later'); return; } // the first delivery fails
      delivered.push((JSON.parse(body) as { text: string }).text);
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
  hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/slack`;
  const env = testEnv({ DATABASE_URL: tdb.url, ALERT_WEBHOOK_URL: hookUrl, SMTP_URL: smtp.url() });
  apps.push(createApp(loadConfig(env)), createApp(loadConfig(env)));
  const base = { kind: 'sync', partner_id: 'test-partner', source: 'small', trigger: 'test', finished_at: tdb.db.fn.now() };
  const ids = (await tdb.db('runs').insert([
    { ...base, status: 'failed', error_code: 'IMPORT_EMPTY', error_message: 'the roster file is empty' },
    { ...base, status: 'halted', halt_reason: '4010 Unauthorized' },
    { ...base, status: 'held', held_reason: 'would deactivate 20 of 25 known practices (80%)' },
    { ...base, status: 'succeeded' },
  ]).returning('id')) as Array<{ id: string }>;
  haltedId = ids[1]!.id;
  await tdb.db('report_deliveries').insert({ recipient: 'priya@partner.example', kind: 'manager', period: '2026-12-01', status: 'failed', attempts: 3, error: '550 mailbox unavailable' });
});
afterAll(async () => {
  await Promise.all(apps.map((a) => a.close()));
  await new Promise<void>((r) => hook.close(() => r()));
  await smtp?.close();
  await tdb?.drop();
});

/** Both workers' notifiers, at the same time, round after round, until nothing is left to send. */
async function drain(): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    await Promise.all(apps.map((a) => runAlertsOnce(a.deps)));
    const left = await tdb.db('alerts').whereNot({ status: 'sent' }).count({ n: '*' });
    if (Number((left as Array<{ n: string }>)[0]!.n) === 0) return;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error('alerts not all sent within 30 s');
}

describe('alerts', () => {
  it('sends each event once per channel with two workers and a webhook that fails once', async () => {
    await drain();
    // One more round from each: nothing new.
    await Promise.all(apps.map((a) => runAlertsOnce(a.deps)));
    expect(requests).toBe(5); // 4 events + the one failed attempt
    expect(delivered).toHaveLength(4);
    expect(new Set(delivered).size).toBe(4);
    expect(delivered.some((t) => /failed \[IMPORT_EMPTY\]: the roster file is empty/.test(t))).toBe(true);
    expect(delivered.some((t) => t.includes(`halted: 4010 Unauthorized. Fix it, then updox-sync resume ${haltedId}`))).toBe(true);
    expect(delivered.some((t) => /is held: would deactivate 20 of 25/.test(t))).toBe(true);
    expect(delivered.some((t) => /report to priya@partner.example could not be delivered: 550/.test(t))).toBe(true);
    expect(smtp.received).toHaveLength(4);
    for (const m of smtp.received) expect(m.rcptTo).toEqual(['ops@partner.example']);
    const retried = await tdb.db('alerts').where({ channel: 'webhook' }).where('attempts', '>', 1);
    expect(retried).toHaveLength(1);
  });

  it('alerts again when a resumed run halts again, and only then', async () => {
    await tdb.db('runs').where({ id: haltedId }).update({ takeovers: 1 }); // resumed, then halted again
    await drain();
    await Promise.all(apps.map((a) => runAlertsOnce(a.deps)));
    expect(delivered).toHaveLength(5);
    expect(delivered[4]).toContain(`run ${haltedId}`);
    expect(smtp.received).toHaveLength(5);
  });

  it('alerts once for a run whose lost replies left actions needing review, however many and however often it looks', async () => {
    const run = (await tdb.db('runs').insert({ kind: 'sync', partner_id: 'test-partner', source: 'small', trigger: 'test', status: 'completed_with_errors', finished_at: tdb.db.fn.now() }).returning('id')) as Array<{ id: string }>;
    const runId = run[0]!.id;
    const action = (accountId: string) => ({
      run_id: runId, account_id: accountId, op: 'update', payload: JSON.stringify({ accountId }), payload_hash: `h-${accountId}`, status: 'needs_review',
      message: 'needs review: reply lost; whether Updox holds this write is unknown', evidence: JSON.stringify({ write: 'timeout', get: 'not found', list: 'unavailable' }),
    });
    await tdb.db('sync_actions').insert([action('tp-P001'), action('tp-P002')]);
    await drain();
    await Promise.all(apps.map((a) => runAlertsOnce(a.deps)));
    expect(delivered).toHaveLength(6);
    expect(delivered[5]).toBe(`updox-sync (Test Partner): run ${runId} left 2 action(s) needing review: updox-sync run ${runId} --status needs_review`);
    expect(smtp.received).toHaveLength(6);
    // A third row of the same run is the same event: nothing more is sent.
    await tdb.db('sync_actions').insert(action('tp-P003'));
    await drain();
    await Promise.all(apps.map((a) => runAlertsOnce(a.deps)));
    expect(delivered).toHaveLength(6);
  });
});
