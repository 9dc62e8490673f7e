import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhookAuth, type WebhookAuthConfig } from '../../../src/sms/webhook-auth';

const hmac: WebhookAuthConfig = { mode: 'hmac', secret: 's3cret', toleranceSec: 300 };
const bearer: WebhookAuthConfig = { mode: 'bearer', secret: 's3cret', toleranceSec: 300 };
const body = Buffer.from('{"id":"evt_1"}');
const now = 1_800_000_000_000;
const ts = now / 1000;

describe('verifyWebhookAuth (hmac)', () => {
  it.each([
    ['a correct signature', { 'x-updox-timestamp': String(ts), 'x-updox-signature': signWebhook('s3cret', ts, body) }, true, undefined],
    ['one of several signatures matching', { 'x-updox-timestamp': String(ts), 'x-updox-signature': `v1=00, ${signWebhook('s3cret', ts, body)}` }, true, undefined],
    ['no headers', {}, false, 'WEBHOOK_SIGNATURE_MISSING'],
    ['a signature with the wrong secret', { 'x-updox-timestamp': String(ts), 'x-updox-signature': signWebhook('other', ts, body) }, false, 'WEBHOOK_SIGNATURE_INVALID'],
    ['a signature of another body', { 'x-updox-timestamp': String(ts), 'x-updox-signature': signWebhook('s3cret', ts, '{}') }, false, 'WEBHOOK_SIGNATURE_INVALID'],
    ['a signature for another timestamp', { 'x-updox-timestamp': String(ts + 1), 'x-updox-signature': signWebhook('s3cret', ts, body) }, false, 'WEBHOOK_SIGNATURE_INVALID'],
    ['a non-numeric timestamp', { 'x-updox-timestamp': '2026-01-01', 'x-updox-signature': signWebhook('s3cret', ts, body) }, false, 'WEBHOOK_SIGNATURE_INVALID'],
    ['a timestamp 301 s old', { 'x-updox-timestamp': String(ts - 301), 'x-updox-signature': signWebhook('s3cret', ts - 301, body) }, false, 'WEBHOOK_STALE'],
    ['a timestamp 301 s in the future', { 'x-updox-timestamp': String(ts + 301), 'x-updox-signature': signWebhook('s3cret', ts + 301, body) }, false, 'WEBHOOK_STALE'],
    ['a timestamp 299 s old', { 'x-updox-timestamp': String(ts - 299), 'x-updox-signature': signWebhook('s3cret', ts - 299, body) }, true, undefined],
  ])('%s', (_n, headers, ok, code) => {
    const res = verifyWebhookAuth(hmac, headers, body, now);
    expect(res.ok).toBe(ok);
    if (!res.ok) expect(res.code).toBe(code);
  });
});

describe('verifyWebhookAuth (bearer)', () => {
  it.each([
    ['the right token', { authorization: 'Bearer s3cret' }, true, undefined],
    ['no header', {}, false, 'WEBHOOK_SIGNATURE_MISSING'],
    ['a wrong token', { authorization: 'Bearer s3cre' }, false, 'WEBHOOK_SIGNATURE_INVALID'],
    ['another scheme', { authorization: 'Basic s3cret' }, false, 'WEBHOOK_SIGNATURE_INVALID'],
  ])('%s', (_n, headers, ok, code) => {
    const res = verifyWebhookAuth(bearer, headers, body, now);
    expect(res.ok).toBe(ok);
    if (!res.ok) expect(res.code).toBe(code);
  });
});
