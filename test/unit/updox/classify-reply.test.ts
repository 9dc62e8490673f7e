/**
 * The classification table (docs/client.md): every code group, the method-dependent 4011, every
 * HTTP status family, non-JSON and bad envelopes, and every transport failure.
 */
import { describe, expect, it } from 'vitest';
import { classifyCode, classifyReply, parseRetryAfter, readEnvelope, type TransportFailure } from '../../../src/updox/classify-reply';
import type { OutcomeKind } from '../../../src/updox/types';

const env = (responseCode: number, responseMessage = 'msg', successful = responseCode >= 2000 && responseCode < 3000) => ({ successful, responseCode, responseMessage });

describe('classifyReply on an HTTP 200 envelope', () => {
  const table: [code: number, method: string, outcome: OutcomeKind][] = [
    [2000, 'PracticeSave', 'ok'],
    [2001, 'PracticeGet', 'ok'],
    [4000, 'PracticeSave', 'permanent'],
    [4010, 'PracticeSave', 'halt'],
    [4010, 'SmsSendNumberList', 'halt'],
    [4011, 'PracticeSave', 'permanent'],
    [4011, 'PracticeCreate', 'permanent'],
    [4011, 'PracticeUpdate', 'permanent'],
    [4011, 'PracticeGet', 'permanent'],
    [4011, 'SmsSendNumberList', 'permanent'],
    [4011, 'SmsSend', 'permanent'],
    [4011, 'PingWithAccountAuth', 'permanent'],
    [4011, 'PracticeList', 'halt'],
    [4011, 'PingWithApplicationAuth', 'halt'],
    [4012, 'SmsSend', 'halt'],
    [4013, 'PracticeSave', 'halt'],
    [4014, 'PracticeSave', 'halt'],
    [4015, 'SmsSend', 'halt'],
    [4015, 'SmsSendNumberList', 'halt'],
    [4020, 'PatientDirectMessageSend', 'permanent'],
    [4021, 'PracticeSave', 'permanent'],
    [4035, 'SmsSend', 'pending_verification'],
    [4039, 'SmsSend', 'insufficient_details'],
    [4060, 'PracticeSave', 'permanent'],
    [4110, 'PracticeSave', 'permanent'],
    [4130, 'PracticeCreate', 'permanent'],
    [4131, 'PracticeUpdate', 'permanent'],
    [4132, 'PracticeCreate', 'permanent'],
    [4140, 'PracticeSave', 'permanent'],
    [4150, 'PracticeSave', 'permanent'],
    [4160, 'PracticeSave', 'permanent'],
    [4610, 'PracticeSave', 'permanent'],
    [4620, 'PracticeSave', 'permanent'],
    [4630, 'PracticeSave', 'permanent'],
    [4652, 'PatientDirectMessageSend', 'permanent'],
    [4999, 'PracticeSave', 'permanent'],
    [5000, 'PracticeSave', 'retryable'],
    [5010, 'PracticeSave', 'retryable'],
    [5100, 'PracticeGet', 'retryable'],
    [5110, 'SmsSend', 'retryable'],
    [5999, 'PracticeList', 'retryable'],
    [6210, 'PracticeSave', 'permanent'],
    [9010, 'PracticeSave', 'permanent'],
    [1000, 'PracticeSave', 'permanent'],
  ];
  it.each(table)('code %i on %s → %s, keeping code and message', (code, method, outcome) => {
    const c = classifyReply(200, env(code, `vendor says ${code}`), null, { method });
    expect(c.outcome).toBe(outcome);
    expect(c.code).toBe(code);
    expect(c.message).toBe(`vendor says ${code}`);
    expect(c.ambiguous).toBe(false);
    expect(c.reason).toBeUndefined();
  });

  it('keeps the full 4060 message listing every field', () => {
    const c = classifyReply(200, env(4060, 'postal: must be 5 or 9 digits; phone: must be 10 digits'), null, { method: 'PracticeSave' });
    expect(c).toEqual({ outcome: 'permanent', code: 4060, message: 'postal: must be 5 or 9 digits; phone: must be 10 digits', ambiguous: false });
  });

  it('4011 without a method is a credentials problem (halt)', () => {
    expect(classifyCode(4011)).toBe('halt');
  });

  it('a reply whose successful and responseCode disagree is a bad reply, ambiguous (a write may have landed)', () => {
    for (const body of [{ successful: false, responseCode: 2000, responseMessage: 'OK' }, { successful: true, responseCode: 4060, responseMessage: 'bad' }]) {
      const c = classifyReply(200, body, null, { method: 'PracticeSave' });
      expect(c).toMatchObject({ outcome: 'permanent', code: body.responseCode, reason: 'UPDOX_BAD_REPLY', ambiguous: true });
      expect(c.message).toMatch(/disagrees with responseCode/);
    }
  });
  it('with successRule "code" responseCode alone decides, as before', () => {
    expect(classifyReply(200, { successful: false, responseCode: 2000 }, null, { successRule: 'code' })).toMatchObject({ outcome: 'ok', ambiguous: false });
  });
  it('tolerates string booleans in successful, and still checks that they agree', () => {
    expect(classifyReply(200, { successful: 'true', responseCode: 2000 })).toMatchObject({ outcome: 'ok' });
    expect(classifyReply(200, { successful: 'FALSE', responseCode: 4131 }, null, { method: 'PracticeGet' })).toMatchObject({ outcome: 'permanent', code: 4131, ambiguous: false });
    expect(classifyReply(200, { successful: 'false', responseCode: 2000 })).toMatchObject({ reason: 'UPDOX_BAD_REPLY' });
    expect(readEnvelope({ successful: 'yes', responseCode: 2000 })).toBeNull();
  });
  it('accepts a numeric-string responseCode and a missing message', () => {
    expect(classifyReply(200, { successful: false, responseCode: '4060' })).toMatchObject({ outcome: 'permanent', code: 4060, message: '' });
  });
});

describe('classifyReply on HTTP statuses', () => {
  it('429 with Retry-After and envelope 5000 is retryable, not ambiguous, keeps the wait', () => {
    const c = classifyReply(429, env(5000, 'rate limited'), null, { retryAfter: '2' });
    expect(c).toMatchObject({ outcome: 'retryable', code: 5000, retryAfterMs: 2000, ambiguous: false, reason: 'UPDOX_HTTP_STATUS' });
  });
  it('429 with an HTTP-date Retry-After resolves against nowMs', () => {
    const nowMs = Date.parse('2026-11-24T10:00:00Z');
    const c = classifyReply(429, 'Too Many Requests', null, { retryAfter: 'Tue, 24 Nov 2026 10:00:05 GMT', nowMs });
    expect(c.retryAfterMs).toBe(5000);
  });
  it.each([
    [502, true], [503, false], [504, true], [500, true], [599, true], [408, false],
  ])('HTTP %i with an HTML body is retryable (ambiguous %s)', (status, ambiguous) => {
    const c = classifyReply(status, '<html><body>Bad gateway</body></html>');
    expect(c).toMatchObject({ outcome: 'retryable', code: null, ambiguous, reason: 'UPDOX_HTTP_STATUS' });
    expect(c.message).toBe(`HTTP ${status} (HTML body)`);
  });
  it('HTTP 404 with envelope 4000 (unknown version) is permanent and keeps the vendor code', () => {
    expect(classifyReply(404, env(4000, 'unknown version'))).toMatchObject({ outcome: 'permanent', code: 4000, message: 'HTTP 404: unknown version' });
  });
  it('HTTP 400 with a halt envelope still halts', () => {
    expect(classifyReply(400, env(4010, 'Unauthorized'))).toMatchObject({ outcome: 'halt', code: 4010 });
  });
  it('HTTP 405 or 301 without an envelope is permanent', () => {
    expect(classifyReply(405, '')).toMatchObject({ outcome: 'permanent', code: null, reason: 'UPDOX_HTTP_STATUS', message: 'HTTP 405 (empty body)' });
    expect(classifyReply(301, null)).toMatchObject({ outcome: 'permanent', code: null });
  });
});

describe('classifyReply on a 2xx without a valid envelope (UPDOX_BAD_REPLY)', () => {
  it.each([
    ['an HTML page', '<html>login</html>', 'HTML body'],
    ['plain text', 'OK', 'non-JSON body'],
    ['an empty body', null, 'empty body'],
    ['a JSON array', [1, 2], 'JSON array'],
    ['JSON without responseCode', { successful: true }, 'JSON without responseCode'],
    ['a non-boolean successful', { successful: 'yes', responseCode: 2000 }, 'JSON without responseCode'],
  ])('%s is permanent and ambiguous', (_label, body, described) => {
    const c = classifyReply(200, body);
    expect(c).toMatchObject({ outcome: 'permanent', code: null, reason: 'UPDOX_BAD_REPLY', ambiguous: true });
    expect(c.message).toContain(described);
  });
  it('never echoes the body in the message', () => {
    const c = classifyReply(200, 'applicationPassword=hunter2');
    expect(c.message).not.toContain('hunter2');
  });
});

describe('classifyReply on transport failures', () => {
  const t = (kind: TransportFailure['kind'], sent: boolean, detail?: string): TransportFailure => ({ kind, sent, ...(detail ? { detail } : {}) });
  it.each([
    ['connect timeout', t('connect_timeout', false, '30000 ms'), 'UPDOX_CONNECT_TIMEOUT', false],
    ['ECONNREFUSED', t('refused', false, 'ECONNREFUSED'), 'UPDOX_CONNECTION_REFUSED', false],
    ['timeout after sending (hang)', t('timeout', true, '30000 ms'), 'UPDOX_TIMEOUT', true],
    ['reset after the request was written', t('reset', true, 'UND_ERR_SOCKET'), 'UPDOX_CONNECTION_RESET', true],
    ['an unknown error', t('other', true, 'EWHAT'), 'UPDOX_TRANSPORT_ERROR', true],
    ['abort before sending', t('aborted', false), 'UPDOX_ABORTED', false],
    ['abort after sending', t('aborted', true), 'UPDOX_ABORTED', true],
  ])('%s → retryable, %s, ambiguous %s', (_label, failure, reason, ambiguous) => {
    const c = classifyReply(null, null, failure);
    expect(c).toMatchObject({ outcome: 'retryable', code: null, reason, ambiguous });
    expect(c.message.length).toBeGreaterThan(10);
  });
  it('no status and no error is a transport error, treated as sent', () => {
    expect(classifyReply(null, null)).toMatchObject({ outcome: 'retryable', ambiguous: true, reason: 'UPDOX_TRANSPORT_ERROR' });
  });
});

describe('helpers', () => {
  it('parseRetryAfter reads seconds, fractions and dates; ignores junk', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter('0.5')).toBe(500);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
    expect(parseRetryAfter('Thu, 01 Jan 1970 00:00:10 GMT')).toBeUndefined(); // no clock given
    expect(parseRetryAfter('Thu, 01 Jan 1970 00:00:10 GMT', 20_000)).toBe(0); // in the past
  });
  it('readEnvelope rejects non-objects and non-integer codes', () => {
    expect(readEnvelope('x')).toBeNull();
    expect(readEnvelope({ responseCode: 20.5 })).toBeNull();
    expect(readEnvelope({ responseCode: 2000 })).toEqual({ successful: undefined, responseCode: 2000, responseMessage: '' });
  });
});
