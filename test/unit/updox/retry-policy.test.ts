import { describe, expect, it } from 'vitest';
import type { Classification } from '../../../src/updox/classify-reply';
import { toTransportFailure } from '../../../src/updox/transport-error';
import { backoffMs, DEFAULT_BACKOFF, isOverloadSignal, mayRetry } from '../../../src/updox/retry-policy';

const retryable = (ambiguous: boolean, extra: Partial<Classification> = {}): Classification => ({ outcome: 'retryable', code: null, message: 'm', ambiguous, ...extra });

describe('mayRetry', () => {
  it.each([
    ['PracticeSave', false, true], ['PracticeSave', true, true],
    ['PracticeUpdate', true, true],
    ['PracticeCreate', false, true], ['PracticeCreate', true, false],
    ['PracticeGet', true, true], ['PracticeList', true, true], ['SmsSendNumberList', true, true],
    ['SmsSend', false, false], ['SmsSend', true, false],
    ['PatientDirectMessageSend', false, false],
  ] as const)('%s, ambiguous %s → %s', (method, ambiguous, expected) => {
    expect(mayRetry(method, retryable(ambiguous))).toBe(expected);
  });
  it('never retries ok, permanent, halt or an abort', () => {
    for (const outcome of ['ok', 'permanent', 'halt', 'pending_verification', 'insufficient_details'] as const) {
      expect(mayRetry('PracticeGet', { outcome, code: 2000, message: '', ambiguous: false })).toBe(false);
    }
    expect(mayRetry('PracticeGet', retryable(false, { reason: 'UPDOX_ABORTED' }))).toBe(false);
  });
});

describe('backoffMs', () => {
  const opts = { baseMs: 100, capMs: 1000, maxRetryAfterMs: 5000 };
  it('is full jitter under an exponential ceiling, capped', () => {
    expect(backoffMs(1, {}, opts, () => 0.999)).toBe(99);
    expect(backoffMs(3, {}, opts, () => 0.5)).toBe(200);
    expect(backoffMs(10, {}, opts, () => 0.999)).toBe(999);
    expect(backoffMs(2, {}, opts, () => 0)).toBe(0);
  });
  it('never waits less than Retry-After, and gives up beyond the maximum', () => {
    expect(backoffMs(1, { retryAfterMs: 1500 }, opts, () => 0.5)).toBe(1500);
    expect(backoffMs(1, { retryAfterMs: 6000 }, opts, () => 0.5)).toBeNull();
    expect(DEFAULT_BACKOFF.maxRetryAfterMs).toBe(60_000);
  });
});

describe('isOverloadSignal', () => {
  it('is true for 429, 5xx, envelope 5xxx and timeouts; false otherwise', () => {
    expect(isOverloadSignal(retryable(false), 429)).toBe(true);
    expect(isOverloadSignal(retryable(false), 503)).toBe(true);
    expect(isOverloadSignal(retryable(false, { code: 5100 }), 200)).toBe(true);
    expect(isOverloadSignal(retryable(true, { reason: 'UPDOX_TIMEOUT' }), null)).toBe(true);
    expect(isOverloadSignal(retryable(true, { reason: 'UPDOX_CONNECTION_RESET' }), null)).toBe(false);
    expect(isOverloadSignal({ outcome: 'permanent', code: 4060, message: '', ambiguous: false }, 200)).toBe(false);
  });
});

describe('toTransportFailure', () => {
  const err = (code: string, name = 'Error') => Object.assign(new Error('x'), { code, name });
  it.each([
    [err('ECONNREFUSED'), 'refused', false],
    [Object.assign(new Error('wrapped'), { cause: err('ENOTFOUND') }), 'refused', false],
    [err('UND_ERR_CONNECT_TIMEOUT', 'ConnectTimeoutError'), 'connect_timeout', false],
    [err('UND_ERR_HEADERS_TIMEOUT', 'HeadersTimeoutError'), 'timeout', true],
    [err('UND_ERR_BODY_TIMEOUT', 'BodyTimeoutError'), 'timeout', true],
    [err('UND_ERR_SOCKET', 'SocketError'), 'reset', true],
    [err('ECONNRESET'), 'reset', true],
    [new Error('mystery'), 'other', true],
  ] as const)('%s → %s (sent %s)', (e, kind, sent) => {
    expect(toTransportFailure(e, 1000)).toMatchObject({ kind, sent });
  });
  it('an abort by the caller is "aborted"', () => {
    expect(toTransportFailure(err('UND_ERR_ABORTED', 'AbortError'), 1000, true)).toMatchObject({ kind: 'aborted', sent: true });
    expect(toTransportFailure(err('ECONNREFUSED'), 1000, true)).toMatchObject({ kind: 'aborted', sent: false });
  });
});
