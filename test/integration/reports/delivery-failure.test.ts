/**
 * SMTP failures and crashes: a refused delivery is retried up to the bound, recorded as failed and
 * shown in the next period's report; a worker that died mid-send leaves a lease that expires; the
 * SMTP password never reaches the database or the result.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportMessageId } from '../../../src/reports/compose';
import { sendReports } from '../../../src/reports/send';
import { createSmsTestApp, testClock, type SmsTestApp } from '../sms/app-helper';
import { MARCUS, NOW, OPS, PRIYA, seedReportScenario } from './seed';
import { startSmtpCatcher, type SmtpCatcher } from './smtp-catcher';

const PASSWORD = 'Sup3r-Secret-Pw';
let smtp: SmtpCatcher;
let t: SmsTestApp;

beforeAll(async () => {
  smtp = await startSmtpCatcher();
  t = await createSmsTestApp({ SMTP_URL: smtp.url({ user: 'mailer', pass: PASSWORD }) }, testClock(NOW));
  await seedReportScenario(t.app.deps.db);
});
afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

describe('report delivery failures', () => {
  it('retries a refused delivery, then records it as failed without the SMTP password', async () => {
    smtp.reject = { code: 550, text: `Mailbox unavailable (auth ${PASSWORD} seen)` };
    const res = await sendReports(t.app.deps, { period: '2026-11-24', manager: PRIYA, retry: { attempts: 3, baseMs: 20 } });
    smtp.reject = null;
    expect(res).toMatchObject({ sent: 0, failed: 1 });
    expect(smtp.attempts).toBe(3);
    expect(smtp.received).toHaveLength(0);
    const r = res.recipients[0]!;
    expect(r.attempts).toBe(3);
    expect(r.error).toMatch(/^SMTP 550 Mailbox unavailable/);
    const row = await t.app.deps.db('report_deliveries').where({ recipient: PRIYA, period: '2026-11-24' }).first();
    expect(row).toMatchObject({ status: 'failed', attempts: 3, sent_at: null, lease_until: null });
    expect(row.error).toContain('Mailbox unavailable');
    expect(row.error).not.toContain(PASSWORD);
    expect(JSON.stringify(res)).not.toContain(PASSWORD);
  });

  it('does not retry a failed period again on the next run of the job', async () => {
    const res = await sendReports(t.app.deps, { period: '2026-11-24', manager: PRIYA });
    expect(res).toMatchObject({ sent: 0, skipped: 1 });
    expect(res.recipients[0]!.reason).toBe('failed');
    expect(smtp.attempts).toBe(3);
  });

  it('shows the failed delivery in the next period\'s report', async () => {
    t.clock.set(new Date('2026-11-25T12:00:00Z'));
    const res = await sendReports(t.app.deps, { period: '2026-11-25', manager: PRIYA });
    expect(res.sent).toBe(1);
    const mail = smtp.received.at(-1)!.mail;
    expect(mail.text).toContain('NOTE: the last report (2026-11-24) could not be delivered.');
    expect(mail.text).not.toContain('SMTP 550'); // the reason is for the admins (their report and `updox-sync report`)
    expect(String(mail.html)).toContain('id="previous-failure"');
    // With no report delivered before, changes count from the start of the previous period.
    expect(mail.text).toContain('changes since 2026-11-24 00:00');
  });

  it('does not repeat the notice once a later report went out', async () => {
    t.clock.set(new Date('2026-11-26T12:00:00Z'));
    await sendReports(t.app.deps, { period: '2026-11-26', manager: PRIYA });
    const mail = smtp.received.at(-1)!.mail;
    expect(mail.text).not.toContain('could not be delivered');
    expect(mail.text).toContain('changes since 2026-11-25 12:00');
  });

  it('skips a delivery another worker holds, and takes it over once its lease expired', async () => {
    const db = t.app.deps.db;
    t.clock.set(new Date('2026-11-27T12:00:00Z'));
    // A worker claimed Marcus's report and died before recording the outcome.
    await db('report_deliveries').insert({
      recipient: MARCUS, kind: 'manager', period: '2026-11-27', status: 'sending', attempts: 1, claimed_by: 'dead-worker',
      lease_until: new Date('2026-11-27T12:05:00Z'), message_id: reportMessageId('test-partner', MARCUS, 'manager', '2026-11-27'),
    });
    const before = smtp.received.length;
    const held = await sendReports(t.app.deps, { period: '2026-11-27', manager: MARCUS });
    expect(held).toMatchObject({ sent: 0, skipped: 1 });
    expect(held.recipients[0]!.reason).toBe('sending');
    t.clock.set(new Date('2026-11-27T12:06:00Z'));
    const taken = await sendReports(t.app.deps, { period: '2026-11-27', manager: MARCUS });
    expect(taken.sent).toBe(1);
    expect(smtp.received.length).toBe(before + 1);
    // The same Message-ID the dead worker used: a duplicate, if there was one, is recognisable.
    expect(smtp.received.at(-1)!.mail.messageId).toBe(reportMessageId('test-partner', MARCUS, 'manager', '2026-11-27'));
    const row = await db('report_deliveries').where({ recipient: MARCUS, period: '2026-11-27' }).first();
    expect(row).toMatchObject({ status: 'sent', attempts: 2 });
    expect(row.claimed_by).not.toBe('dead-worker');
  });

  it('refuses an unknown recipient with a named error', async () => {
    await expect(sendReports(t.app.deps, { manager: 'nobody@partner.example' })).rejects.toMatchObject({ code: 'REPORT_UNKNOWN_RECIPIENT' });
    await expect(sendReports(t.app.deps, { period: '2026-13-01' })).rejects.toMatchObject({ code: 'REPORT_PERIOD_INVALID' });
    expect(OPS).toBe('ops@partner.example');
  });
});
