/**
 * Every injected fault kind ends in the right classification, with bounded retries; SmsSend is never
 * repeated; an ambiguous PracticeCreate is not retried; Retry-After is honoured.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TEST_APP_PASSWORD } from '../../helpers/env';
import { practice, startHarness, type Harness } from './client-helper';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({}, 'faults');
  await h.client().practiceSave(practice('f-acc'));
  await h.admin('POST', '/_sim/seed', { numbers: [{ accountId: 'f-acc', number: '8885550142', verificationStatus: 'VERIFIED' }] });
});
afterEach(async () => { await h.admin('DELETE', '/_sim/faults'); await h.admin('POST', '/_sim/counters/reset'); });
afterAll(async () => { await h?.close(); });

const count = async (method: string) => Object.values((await h.counters()).requests[method] ?? {}).reduce((a, b) => a + b, 0);

describe('envelope 5xxx', () => {
  it.each([5000, 5100, 5110])('%i twice, then success: ok after 3 attempts', async (code) => {
    await h.faults({ method: 'PracticeGet', kind: 'envelope', code, count: 2 });
    const res = await h.client().practiceGet('f-acc');
    expect(res).toMatchObject({ outcome: 'ok', attempts: 3, ambiguous: false });
    expect(await count('PracticeGet')).toBe(3);
  });

  it('a persistent 5100 stops after maxRetries + 1 attempts, keeping code and message', async () => {
    await h.faults({ method: 'PracticeSave', kind: 'envelope', code: 5100 });
    const events: { attempt: number; code: number | null }[] = [];
    const res = await h.client({ maxRetries: 2 }, { onAttempt: (e) => events.push({ attempt: e.attempt, code: e.code }) }).practiceSave(practice('f-acc'));
    expect(events).toEqual([1, 2, 3].map((attempt) => ({ attempt, code: 5100 })));
    expect(res).toMatchObject({ outcome: 'retryable', code: 5100, attempts: 3, ambiguous: false });
    expect(res.message.length).toBeGreaterThan(0);
    expect(await count('PracticeSave')).toBe(3);
  });

  it('the per-call maxRetries overrides the configured one', async () => {
    await h.faults({ method: 'PracticeGet', kind: 'envelope', code: 5000 });
    expect(await h.client({ maxRetries: 5 }).practiceGet('f-acc', { maxRetries: 0 })).toMatchObject({ outcome: 'retryable', attempts: 1 });
  });
});

describe('HTTP faults', () => {
  it('429 with Retry-After: waits at least that long, then succeeds', async () => {
    await h.faults({ method: 'PracticeGet', kind: 'http', status: 429, retryAfterSec: 1, count: 1 });
    const t0 = performance.now();
    const res = await h.client().practiceGet('f-acc');
    const waited = performance.now() - t0;
    expect(res).toMatchObject({ outcome: 'ok', attempts: 2 });
    expect(waited).toBeGreaterThanOrEqual(1000);
    expect(waited).toBeLessThan(2500);
  });

  it('a persistent 429 returns retryable with the server Retry-After and code 5000', async () => {
    await h.faults({ method: 'PracticeGet', kind: 'http', status: 429, retryAfterSec: 0 });
    const res = await h.client({ maxRetries: 1 }).practiceGet('f-acc');
    expect(res).toMatchObject({ outcome: 'retryable', httpStatus: 429, attempts: 2, retryAfterMs: 0, reason: 'UPDOX_HTTP_STATUS' });
  });

  it.each([502, 503, 504])('HTTP %i once, then success', async (status) => {
    await h.faults({ method: 'PracticeSave', kind: 'http', status, count: 1 });
    const res = await h.client().practiceSave(practice('f-acc'));
    expect(res).toMatchObject({ outcome: 'ok', attempts: 2, ambiguous: false });
  });

  it.each([[502, true], [503, false], [504, true]])('HTTP %i every time: retryable after bounded attempts (ambiguous %s)', async (status, ambiguous) => {
    await h.faults({ method: 'PracticeList', kind: 'http', status });
    const res = await h.client({ maxRetries: 2 }).practiceList();
    expect(res).toMatchObject({ outcome: 'retryable', httpStatus: status, code: null, attempts: 3, ambiguous });
    expect(await count('PracticeList')).toBe(3);
  });
});

describe('transport faults', () => {
  it('hang → timeout → ambiguous; retried for a read', async () => {
    await h.faults({ method: 'PracticeGet', kind: 'hang', count: 1 });
    const res = await h.client({ timeoutMs: 300 }).practiceGet('f-acc');
    expect(res).toMatchObject({ outcome: 'ok', attempts: 2 });
    await h.faults({ method: 'PracticeGet', kind: 'hang' });
    const t0 = performance.now();
    const failed = await h.client({ timeoutMs: 300, maxRetries: 1 }).practiceGet('f-acc');
    expect(failed).toMatchObject({ outcome: 'retryable', code: null, reason: 'UPDOX_TIMEOUT', ambiguous: true, attempts: 2 });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(600);
  });

  it('reset → retryable, ambiguous (the client cannot know); PracticeSave retries it', async () => {
    await h.faults({ method: 'PracticeSave', kind: 'reset', count: 1 });
    expect(await h.client({ maxRetries: 0 }).practiceSave(practice('f-acc'))).toMatchObject({ outcome: 'retryable', reason: 'UPDOX_CONNECTION_RESET', ambiguous: true, attempts: 1 });
    await h.faults({ method: 'PracticeSave', kind: 'reset', count: 1 });
    expect(await h.client().practiceSave(practice('f-acc'))).toMatchObject({ outcome: 'ok', attempts: 2, ambiguous: false });
  });

  it('lost → ambiguous; the write was applied; PracticeSave (whole record) is repeated safely', async () => {
    await h.faults({ method: 'PracticeSave', kind: 'lost', count: 1 });
    const single = await h.client({ maxRetries: 0 }).practiceSave(practice('f-lost-1'));
    expect(single).toMatchObject({ outcome: 'retryable', ambiguous: true, attempts: 1 });
    expect((await h.client().practiceGet('f-lost-1')).outcome).toBe('ok'); // it was applied
    await h.faults({ method: 'PracticeSave', kind: 'lost', count: 1 });
    const retried = await h.client().practiceSave(practice('f-lost-2'));
    expect(retried).toMatchObject({ outcome: 'ok', attempts: 2 });
    expect((await h.counters()).writesByAccount['f-lost-2']).toBe(2);
  });

  it('lost on PracticeCreate is returned ambiguous and never retried', async () => {
    await h.faults({ method: 'PracticeCreate', kind: 'lost', count: 1 });
    const res = await h.client({ maxRetries: 3 }).practiceCreate(practice('f-create-lost'));
    expect(res).toMatchObject({ outcome: 'retryable', ambiguous: true, attempts: 1 });
    expect(await count('PracticeCreate')).toBe(1);
  });

  it('PracticeCreate retries a failure that was certainly not applied (503)', async () => {
    await h.faults({ method: 'PracticeCreate', kind: 'http', status: 503, count: 1 });
    expect(await h.client().practiceCreate(practice('f-create-503'))).toMatchObject({ outcome: 'ok', attempts: 2 });
  });

  it('latency delays but succeeds', async () => {
    await h.faults({ method: 'PracticeGet', kind: 'latency', ms: 250 });
    const t0 = performance.now();
    expect(await h.client().practiceGet('f-acc')).toMatchObject({ outcome: 'ok', attempts: 1 });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(240);
  });

  it('connection refused → retryable, not ambiguous, bounded', async () => {
    const res = await h.client({ baseUrl: 'http://127.0.0.1:1/api/io', maxRetries: 2 }).practiceSave(practice('f-acc'));
    expect(res).toMatchObject({ outcome: 'retryable', reason: 'UPDOX_CONNECTION_REFUSED', ambiguous: false, attempts: 3, httpStatus: null });
  });

  it('an abort during a hang returns UPDOX_ABORTED at once', async () => {
    await h.faults({ method: 'PracticeGet', kind: 'hang' });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const t0 = performance.now();
    const res = await h.client({ timeoutMs: 5000 }).practiceGet('f-acc', { signal: ac.signal });
    expect(res).toMatchObject({ outcome: 'retryable', reason: 'UPDOX_ABORTED', attempts: 1 });
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});

describe('SmsSend is never repeated', () => {
  it.each([
    [{ kind: 'envelope', code: 5000 }, 'retryable'],
    [{ kind: 'http', status: 503 }, 'retryable'],
    [{ kind: 'reset' }, 'retryable'],
    [{ kind: 'lost' }, 'retryable'],
  ])('fault %o → one request only', async (fault, outcome) => {
    await h.faults({ method: 'SmsSend', ...fault });
    const res = await h.client({ maxRetries: 5 }).smsSend('f-acc', 'u1', { to: '6145550199', message: 'once' });
    expect(res).toMatchObject({ outcome, attempts: 1 });
    expect(await count('SmsSend')).toBe(1);
  });
});

describe('replies that are not the contract (a plain HTTP server)', () => {
  let server: Server;
  let base = '';
  let reply: { status: number; body: string } = { status: 200, body: '' };
  beforeAll(async () => {
    server = createServer((req, res) => { req.resume(); req.on('end', () => { res.writeHead(reply.status, { 'content-type': 'text/html' }); res.end(reply.body); }); });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/io`;
  });
  afterAll(async () => { await new Promise((r) => server.close(r)); });

  it('a 200 HTML page is UPDOX_BAD_REPLY, permanent and ambiguous, not retried', async () => {
    reply = { status: 200, body: '<html>captive portal</html>' };
    const res = await h.client({ baseUrl: base }).practiceSave(practice('x'));
    expect(res).toMatchObject({ outcome: 'permanent', reason: 'UPDOX_BAD_REPLY', ambiguous: true, attempts: 1, code: null });
  });

  it('a 2000 reply missing its payload is UPDOX_BAD_REPLY with the code kept', async () => {
    reply = { status: 200, body: JSON.stringify({ successful: true, responseCode: 2000, responseMessage: 'OK' }) };
    const res = await h.client({ baseUrl: base }).practiceList();
    expect(res).toMatchObject({ outcome: 'permanent', reason: 'UPDOX_BAD_REPLY', code: 2000, attempts: 1 });
    expect(res.message).toMatch(/practiceList/);
  });

  it('a vendor message echoing the password or HMAC secret is scrubbed', async () => {
    reply = { status: 200, body: JSON.stringify({ successful: false, responseCode: 4010, responseMessage: `bad password ${TEST_APP_PASSWORD} / key echo-Hmac-Key-9` }) };
    const res = await h.client({ baseUrl: base, hmacSecret: 'echo-Hmac-Key-9' }).practiceList();
    expect(res).toMatchObject({ outcome: 'halt', code: 4010, message: 'bad password [redacted] / key [redacted]' });
  });

  it('a 502 HTML page is retried and ends retryable', async () => {
    reply = { status: 502, body: '<html>bad gateway</html>' };
    expect(await h.client({ baseUrl: base, maxRetries: 1 }).practiceGet('x')).toMatchObject({ outcome: 'retryable', attempts: 2, message: 'HTTP 502 (HTML body)' });
  });
});
