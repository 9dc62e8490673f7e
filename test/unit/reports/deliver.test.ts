import { describe, expect, it } from 'vitest';
import { reportFileName, reportMessageId } from '../../../src/reports/compose';
import { describeSendError, redactSecrets, withRetry } from '../../../src/reports/deliver';

describe('delivery helpers', () => {
  it('derives the same Message-ID for the same recipient, kind and period, and a different one otherwise', () => {
    const a = reportMessageId('acme', 'Priya@Partner.example', 'manager', '2026-11-24');
    expect(a).toBe(reportMessageId('acme', 'priya@partner.example', 'manager', '2026-11-24'));
    expect(a).toMatch(/^<2026-11-24\.manager\.[0-9a-f]{20}@acme\.updox-sync>$/);
    expect(a).not.toBe(reportMessageId('acme', 'priya@partner.example', 'admin', '2026-11-24'));
    expect(a).not.toBe(reportMessageId('acme', 'priya@partner.example', 'manager', '2026-11-25'));
    expect(reportFileName('Priya@partner.example', 'manager', '2026-W48')).toBe('2026-w48/manager-priya-partner.example.eml');
  });

  it('removes credentials from error texts', () => {
    const url = 'smtps://mailer:p%40ss-word@smtp.example:465';
    expect(redactSecrets('connect failed for smtps://mailer:p%40ss-word@smtp.example:465', url)).toBe('connect failed for smtps://[redacted]@smtp.example:465');
    expect(redactSecrets('535 auth failed for p@ss-word', url)).toBe('535 auth failed for [redacted]');
    expect(describeSendError(Object.assign(new Error('x'), { responseCode: 451, response: '451 4.3.0 try\n later' }))).toBe('SMTP 451 4.3.0 try later');
    expect(describeSendError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:25'), { code: 'ESOCKET' }))).toBe('ESOCKET: connect ECONNREFUSED 127.0.0.1:25');
  });

  it('retries up to the bound and stops when the claim is lost', async () => {
    let calls = 0;
    const failing = () => { calls++; return Promise.reject(new Error(`no ${calls}`)); };
    const res = await withRetry({ attempts: 3, baseMs: 1 }, failing, async () => true);
    expect(res).toMatchObject({ ok: false, attempts: 3, vetoed: false });
    expect(calls).toBe(3);
    const ok = await withRetry({ attempts: 3, baseMs: 1 }, async () => (++calls > 4 ? 'done' : Promise.reject(new Error('again'))), async () => true);
    expect(ok).toEqual({ ok: true, value: 'done', attempts: 2 });
    const vetoed = await withRetry({ attempts: 3, baseMs: 1 }, failing, async (n) => n < 2);
    expect(vetoed).toMatchObject({ ok: false, attempts: 1, vetoed: true });
  });
});
