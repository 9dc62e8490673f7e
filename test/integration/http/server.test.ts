import { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildHttpServer, WEBHOOK_PATH } from '../../../src/http/server';
import { signWebhook } from '../../../src/sms/webhook-auth';
import { TEST_REDIS_URL } from '../../helpers/redis';
import { createSmsTestApp, seedPractices, type SmsTestApp } from '../sms/app-helper';

const SECRET = 'whsec-test-1';
let t: SmsTestApp;
let server: FastifyInstance;
let queue: Queue;

beforeAll(async () => {
  t = await createSmsTestApp({ WEBHOOK_SECRET: SECRET, DASHBOARD_USER: 'ops', DASHBOARD_PASSWORD: 'dash-Pa55' });
  queue = new Queue('sync', { connection: { url: TEST_REDIS_URL }, prefix: t.prefix });
  server = await buildHttpServer(t.app.deps, { queues: [queue], webhookAuth: 'hmac' });
  await seedPractices(t.app, [{ account_id: 'acc-1', name: 'Riverside' }]);
});
afterAll(async () => {
  await server?.close();
  await queue?.close();
  await t?.close();
});
beforeEach(async () => {
  await t.app.deps.db.raw('TRUNCATE sms_numbers, sms_number_events, webhook_receipts');
});

const payload = (over: Record<string, unknown> = {}) => ({
  id: `evt_${Math.random().toString(36).slice(2)}`,
  event: 'sms_verification_status',
  occurredAt: t.clock.now().toISOString(),
  accountId: 'acc-1',
  numbers: [{ number: '8885550123', verificationStatus: 'VERIFIED' }],
  ...over,
});
const nowSec = () => Math.floor(t.clock.now().getTime() / 1000);
const post = (body: string, headers: Record<string, string>) =>
  server.inject({ method: 'POST', url: WEBHOOK_PATH, payload: body, headers: { 'content-type': 'application/json', ...headers } });
const signed = (body: string, ts = nowSec(), secret = SECRET) =>
  post(body, { 'x-updox-timestamp': String(ts), 'x-updox-signature': signWebhook(secret, ts, body) });
const counts = async () => {
  const db = t.app.deps.db;
  const [r] = await db.raw(`SELECT (SELECT count(*) FROM webhook_receipts)::int AS receipts,
    (SELECT count(*) FROM sms_numbers)::int AS numbers, (SELECT count(*) FROM sms_number_events)::int AS events`).then((x) => x.rows);
  return r as { receipts: number; numbers: number; events: number };
};

describe('verification webhook', () => {
  it('accepts a signed event, writes the number and its event, and acknowledges', async () => {
    const res = await signed(JSON.stringify(payload({ id: 'evt_ok' })));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'accepted', id: 'evt_ok', inserted: 1, events: 1 });
    expect(await counts()).toEqual({ receipts: 1, numbers: 1, events: 1 });
    const ev = await t.app.deps.db('sms_number_events').first();
    expect(ev).toMatchObject({ source: 'webhook', to_status: 'verified', raw_status: 'VERIFIED' });
  });

  it('answers a replayed event id with duplicate and writes nothing', async () => {
    const body = payload({ id: 'evt_replay' });
    expect((await signed(JSON.stringify(body))).statusCode).toBe(200);
    const before = await counts();
    const replay = { ...body, numbers: [{ number: '8885550123', verificationStatus: 'REJECTED' }] };
    const res = await signed(JSON.stringify(replay));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'duplicate', id: 'evt_replay' });
    expect(await counts()).toEqual(before);
    expect((await t.app.deps.db('sms_numbers').first()).status).toBe('verified');
  });

  it.each([
    ['a forged signature', (b: string) => post(b, { 'x-updox-timestamp': String(nowSec()), 'x-updox-signature': signWebhook('wrong', nowSec(), b) }), 401, 'WEBHOOK_SIGNATURE_INVALID'],
    ['a body altered after signing', (b: string) => post(b.replace('VERIFIED', 'REJECTED'), { 'x-updox-timestamp': String(nowSec()), 'x-updox-signature': signWebhook(SECRET, nowSec(), b) }), 401, 'WEBHOOK_SIGNATURE_INVALID'],
    ['no signature', (b: string) => post(b, {}), 401, 'WEBHOOK_SIGNATURE_MISSING'],
    ['a stale timestamp', (b: string) => signed(b, nowSec() - 301), 401, 'WEBHOOK_STALE'],
    ['a timestamp from the future', (b: string) => signed(b, nowSec() + 301), 401, 'WEBHOOK_STALE'],
    ['bad JSON', (b: string) => signed(b.slice(0, -3)), 400, 'WEBHOOK_BAD_JSON'],
    ['an unknown event type', (_b: string) => signed(JSON.stringify(payload({ event: 'fax_received' }))), 422, 'WEBHOOK_BAD_PAYLOAD'],
    ['a number that is not 10 digits', (_b: string) => signed(JSON.stringify(payload({ numbers: [{ number: '555', verificationStatus: 'VERIFIED' }] }))), 422, 'WEBHOOK_BAD_PAYLOAD'],
    ['no numbers', (_b: string) => signed(JSON.stringify(payload({ numbers: [] }))), 422, 'WEBHOOK_BAD_PAYLOAD'],
    ['a missing id', (_b: string) => signed(JSON.stringify({ ...payload(), id: undefined })), 422, 'WEBHOOK_BAD_PAYLOAD'],
  ])('refuses %s with a reason and writes nothing', async (_n, send, status, code) => {
    const res = await send(JSON.stringify(payload()));
    expect(res.statusCode).toBe(status);
    expect(res.json()).toMatchObject({ status: 'rejected', code });
    expect(res.json().reason).toEqual(expect.any(String));
    expect(await counts()).toEqual({ receipts: 0, numbers: 0, events: 0 });
  });

  it('refuses a body over 1 MiB with 413 and writes nothing', async () => {
    const res = await signed(JSON.stringify(payload({ padding: 'x'.repeat(1024 * 1024) })));
    expect(res.statusCode).toBe(413);
    expect(await counts()).toEqual({ receipts: 0, numbers: 0, events: 0 });
  });

  it('acknowledges an event for an unknown account with 202 and writes only the receipt', async () => {
    const res = await signed(JSON.stringify(payload({ accountId: 'not-ours' })));
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ status: 'ignored' });
    expect(await counts()).toEqual({ receipts: 1, numbers: 0, events: 0 });
  });

  it('caps an occurredAt in the future at the receipt time', async () => {
    const future = new Date(t.clock.now().getTime() + 86_400_000).toISOString();
    expect((await signed(JSON.stringify(payload({ occurredAt: future })))).statusCode).toBe(200);
    const row = await t.app.deps.db('sms_numbers').first();
    expect(row.status_since.getTime()).toBe(t.clock.now().getTime());
  });
});

describe('health, metrics and dashboard', () => {
  it('answers /healthz and /readyz', async () => {
    expect((await server.inject('/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await server.inject('/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', checks: { postgres: 'ok', redis: 'ok' } });
  });

  it('exposes Prometheus metrics including numbers by status and webhook outcomes', async () => {
    await signed(JSON.stringify(payload()));
    await post('{}', {});
    const res = await server.inject('/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toMatch(/updox_sync_sms_numbers\{status="verified",app="updox-sync"\} 1/);
    expect(res.body).toMatch(/updox_sync_webhook_requests_total\{outcome="accepted",app="updox-sync"\} \d+/);
    expect(res.body).toMatch(/updox_sync_webhook_requests_total\{outcome="WEBHOOK_SIGNATURE_MISSING",app="updox-sync"\} \d+/);
    expect(res.body).toMatch(/updox_sync_queue_jobs\{queue="sync",state="waiting",app="updox-sync"\} 0/);
  });

  it('guards the dashboard with basic auth', async () => {
    expect((await server.inject('/dashboard/')).statusCode).toBe(401);
    const wrong = Buffer.from('ops:nope').toString('base64');
    expect((await server.inject({ url: '/dashboard/', headers: { authorization: `Basic ${wrong}` } })).statusCode).toBe(401);
    const right = Buffer.from('ops:dash-Pa55').toString('base64');
    const ok = await server.inject({ url: '/dashboard/', headers: { authorization: `Basic ${right}` } });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain('<html');
    const api = await server.inject({ url: '/dashboard/api/queues', headers: { authorization: `Basic ${right}` } });
    expect(api.statusCode).toBe(200);
    expect(JSON.stringify(api.json())).toContain('sync');
  });
});

describe('bearer mode and missing secret', () => {
  it('accepts the shared secret as a bearer token and refuses another', async () => {
    const s2 = await buildHttpServer(t.app.deps, { webhookAuth: 'bearer' });
    try {
      const body = JSON.stringify(payload());
      const bad = await s2.inject({ method: 'POST', url: WEBHOOK_PATH, payload: body, headers: { 'content-type': 'application/json', authorization: 'Bearer nope' } });
      expect(bad.statusCode).toBe(401);
      expect(await counts()).toEqual({ receipts: 0, numbers: 0, events: 0 });
      const ok = await s2.inject({ method: 'POST', url: WEBHOOK_PATH, payload: body, headers: { 'content-type': 'application/json', authorization: `Bearer ${SECRET}` } });
      expect(ok.statusCode).toBe(200);
    } finally {
      await s2.close();
    }
  });

  it('reports not ready (503) within the timeout when Redis does not answer', async () => {
    const t2 = await createSmsTestApp({ REDIS_URL: 'redis://127.0.0.1:1' });
    t2.app.deps.redis.on('error', () => {});
    const s4 = await buildHttpServer(t2.app.deps);
    try {
      const res = await s4.inject('/readyz');
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ status: 'not_ready', checks: { postgres: 'ok', redis: expect.stringMatching(/no answer/) } });
    } finally {
      await s4.close();
      // Not t2.close(): ioredis quit() never settles on a connection that never came up.
      t2.app.deps.redis.disconnect();
      await t2.app.deps.db.destroy();
      await t2.tdb.drop();
    }
  });

  it('refuses every webhook with 503 when no secret is configured', async () => {
    const t2 = await createSmsTestApp({});
    const s3 = await buildHttpServer(t2.app.deps);
    try {
      const res = await s3.inject({ method: 'POST', url: WEBHOOK_PATH, payload: '{}', headers: { 'content-type': 'application/json' } });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ code: 'WEBHOOK_NOT_CONFIGURED' });
      expect((await s3.inject('/dashboard/')).statusCode).toBe(404);
    } finally {
      await s3.close();
      await t2.close();
    }
  });
});
