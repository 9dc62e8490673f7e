/** Signed webhooks with hostile bodies: each answers 400 with a reason, and nothing is written. */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHttpServer, WEBHOOK_PATH } from '../../../src/http/server';
import { signWebhook } from '../../../src/sms/webhook-auth';
import { createSmsTestApp, seedPractices, type SmsTestApp } from '../sms/app-helper';

const SECRET = 'whsec-hostile';
let t: SmsTestApp;
let server: FastifyInstance;

beforeAll(async () => {
  t = await createSmsTestApp({ WEBHOOK_SECRET: SECRET });
  server = await buildHttpServer(t.app.deps, { webhookAuth: 'hmac' });
  await seedPractices(t.app, [{ account_id: 'acc-1', name: 'Riverside' }]);
});
afterAll(async () => {
  await server?.close();
  await t?.close();
});

const good = () => JSON.stringify({ id: `evt_${Math.random().toString(36).slice(2)}`, event: 'sms_verification_status', occurredAt: t.clock.now().toISOString(), accountId: 'acc-1', numbers: [{ number: '8885550123', verificationStatus: 'VERIFIED' }] });
const signed = (body: Buffer) => {
  const ts = Math.floor(t.clock.now().getTime() / 1000);
  return server.inject({ method: 'POST', url: WEBHOOK_PATH, payload: body, headers: { 'content-type': 'application/json', 'x-updox-timestamp': String(ts), 'x-updox-signature': signWebhook(SECRET, ts, body) } });
};
const counts = async () => (await t.app.deps.db.raw(`SELECT (SELECT count(*) FROM webhook_receipts)::int AS receipts, (SELECT count(*) FROM sms_numbers)::int AS numbers, (SELECT count(*) FROM sms_number_events)::int AS events`)).rows[0];

describe('hostile webhook bodies', () => {
  it.each([
    ['a NUL escape in the account id', () => Buffer.from(good().replace('"acc-1"', '"acc\\u0000-1"')), 'WEBHOOK_CONTROL_CHARACTER', /accountId: holds the control character U\+0000/],
    ['a NUL escape in the event id', () => Buffer.from(good().replace('"evt_', '"\\u0000evt_')), 'WEBHOOK_CONTROL_CHARACTER', /^id:/],
    ['a NUL escape in a status', () => Buffer.from(good().replace('VERIFIED', 'VERI\\u0000FIED')), 'WEBHOOK_CONTROL_CHARACTER', /numbers\[0\]\.verificationStatus/],
    ['an escape character in a key', () => Buffer.from(good().replace('"accountId"', '"account\\u001bId"')), 'WEBHOOK_CONTROL_CHARACTER', /\(key\)/],
    ['a raw NUL byte in the body', () => Buffer.concat([Buffer.from(good().slice(0, 10)), Buffer.from([0]), Buffer.from(good().slice(10))]), 'WEBHOOK_BAD_JSON', /JSON/],
    ['bytes that are not UTF-8', () => Buffer.from(good().replace('Riverside', 'x').replace('VERIFIED', 'VERIFIED\u00ff'), 'latin1'), 'WEBHOOK_BAD_ENCODING', /UTF-8/],
    ['nesting 10,000 levels deep', () => Buffer.from('['.repeat(10_000) + ']'.repeat(10_000)), 'WEBHOOK_BAD_JSON', /nested deeper/],
  ])('%s: 400 with a reason, nothing written', async (_name, body, code, reason) => {
    const res = await signed(body());
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toMatchObject({ status: 'rejected', code, reason: expect.stringMatching(reason) });
    expect(await counts()).toEqual({ receipts: 0, numbers: 0, events: 0 });
  });
  it('a clean body after them is accepted', async () => {
    const res = await signed(Buffer.from(good()));
    expect(res.statusCode).toBe(200);
    expect(await counts()).toEqual({ receipts: 1, numbers: 1, events: 1 });
  });
});
