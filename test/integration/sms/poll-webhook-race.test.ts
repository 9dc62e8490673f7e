/**
 * The poll and the webhook report the same change at the same moment, over real HTTP and real
 * Postgres: exactly one status event per change, whoever wins.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHttpServer, WEBHOOK_PATH } from '../../../src/http/server';
import { pullNumbers } from '../../../src/sms/numbers';
import { signWebhook } from '../../../src/sms/webhook-auth';
import type { CallResult, UpdoxClient, UpdoxSmsNumber } from '../../../src/updox/types';
import { createSmsTestApp, seedPractices, type SmsTestApp } from './app-helper';

const SECRET = 'race-secret';
let t: SmsTestApp;
let server: FastifyInstance;
let url: string;
let vendor: Record<string, UpdoxSmsNumber[]> = {};

const client: UpdoxClient = {
  async smsSendNumberList(accountId) {
    // A random 0–4 ms vendor latency, so either writer can win a round.
    await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 5)));
    const res: CallResult<{ numbers: UpdoxSmsNumber[] }> = {
      outcome: 'ok', code: 2000, message: 'OK', httpStatus: 200, body: { numbers: vendor[accountId] ?? [] }, attempts: 1, ambiguous: false,
    };
    return res as never;
  },
  practiceSave: () => { throw new Error('unused'); }, practiceGet: () => { throw new Error('unused'); },
  practiceList: () => { throw new Error('unused'); }, smsSend: () => { throw new Error('unused'); }, ping: () => { throw new Error('unused'); },
  async close() {},
};

beforeAll(async () => {
  t = await createSmsTestApp({ WEBHOOK_SECRET: SECRET });
  await seedPractices(t.app, [{ account_id: 'acc-race' }]);
  server = await buildHttpServer(t.app.deps, { webhookAuth: 'hmac' });
  url = await server.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await server?.close();
  await t?.close();
});

async function sendWebhook(id: string, number: string, status: string): Promise<number> {
  const body = JSON.stringify({ id, event: 'sms_verification_status', occurredAt: t.clock.now().toISOString(), accountId: 'acc-race', numbers: [{ number, verificationStatus: status }] });
  const ts = Math.floor(t.clock.now().getTime() / 1000);
  const res = await fetch(`${url}${WEBHOOK_PATH}`, {
    method: 'POST', body, headers: { 'content-type': 'application/json', 'x-updox-timestamp': String(ts), 'x-updox-signature': signWebhook(SECRET, ts, body) },
  });
  return res.status;
}

describe('poll and webhook racing on the same number', () => {
  it('never writes a duplicate event', async () => {
    // Measured: both writers win rounds (e.g. 15 poll / 10 webhook); without the row lock this fails.
    const rounds = 25;
    for (let i = 0; i < rounds; i++) {
      const number = `88855${String(i).padStart(5, '0')}`;
      vendor = { 'acc-race': [{ number, verificationStatus: 'PENDING' }] };
      await pullNumbers(t.app.deps, client, { accountIds: ['acc-race'] });
      t.clock.advance(60_000);
      vendor = { 'acc-race': [{ number, verificationStatus: i % 2 ? 'VERIFIED' : 'REJECTED' }] };
      const [, status] = await Promise.all([
        pullNumbers(t.app.deps, client, { accountIds: ['acc-race'] }),
        sendWebhook(`evt_race_${i}`, number, i % 2 ? 'VERIFIED' : 'REJECTED'),
      ]);
      expect(status).toBe(200);
      t.clock.advance(60_000);
    }
    const rows = await t.app.deps.db('sms_number_events').select('number', 'from_status', 'to_status', 'source').orderBy('id');
    const changes = rows.filter((r) => r.from_status === 'pending');
    expect(changes).toHaveLength(rounds);
    expect(new Set(changes.map((c) => c.number)).size).toBe(rounds);
    expect(rows.filter((r) => r.from_status === null)).toHaveLength(rounds);
    const statuses = await t.app.deps.db('sms_numbers').pluck('status');
    expect(statuses.every((s: string) => s === 'verified' || s === 'rejected')).toBe(true);
  });
});
