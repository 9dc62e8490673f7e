/**
 * A status history over a simulated week: pending → verified, pending → rejected, and the overdue
 * flag once a number has been pending for more than 3 business days. The first block runs on the
 * Updox simulator's clock (src/simulator) through the real client; the second drives a scripted
 * vendor on a test clock and pins exact days (Monday start, Thanksgiving-free week).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHttpServer, WEBHOOK_PATH } from '../../../src/http/server';
import { pullNumbers } from '../../../src/sms/numbers';
import { simulatorAdmin, startSimulator } from '../../../src/simulator/index';
import { createUpdoxClient } from '../../../src/updox/client';
import type { CallResult, UpdoxClient, UpdoxSmsNumber } from '../../../src/updox/types';
import { HOUR } from '../../../src/time';
import { TEST_APP_ID, TEST_APP_PASSWORD } from '../../helpers/env';
import { createSmsTestApp, seedPractices, testClock, type SmsTestApp } from './app-helper';

const history = (t: SmsTestApp, number: string) =>
  t.app.deps.db('sms_number_events').where({ number }).orderBy('id').select('from_status', 'to_status');

describe('a week on the simulator clock', () => {
  interface Sim { url: string; baseUrl: string; close(): Promise<void> }
  let sim: Sim;
  let t: SmsTestApp;
  let client: UpdoxClient;
  let server: Awaited<ReturnType<typeof buildHttpServer>>;
  let post: (p: string, body: unknown) => Promise<void>;
  const SECRET = 'week-secret';
  const accountId = 'week-acc';

  beforeAll(async () => {
    t = await createSmsTestApp({ WEBHOOK_SECRET: SECRET }, testClock(new Date()));
    server = await buildHttpServer(t.app.deps, { webhookAuth: 'hmac' });
    const hook = await server.listen({ port: 0, host: '127.0.0.1' });
    sim = await startSimulator({
      applicationId: TEST_APP_ID, applicationPassword: TEST_APP_PASSWORD, port: 0, verificationBusinessDays: 30, rejectionRate: 0,
      webhook: { url: `${hook}${WEBHOOK_PATH}`, secret: SECRET, mode: 'hmac' },
    });
    post = async (p: string, body: unknown) => { await simulatorAdmin(sim.url).request('POST', p, body); };
    await seedPractices(t.app, [{ account_id: accountId }]);
    await post('/_sim/seed', {
      practices: [{ accountId, name: 'Week Practice', active: true, address1: '1 Main St', city: 'Columbus', state: 'OH', postal: '43215' }],
      numbers: ['8885550001', '8885550002', '8885550003'].map((number) => ({ accountId, number, type: 'TOLL_FREE', verificationStatus: 'PENDING' })),
    });
    const config = { ...t.app.deps.config.updox, baseUrl: sim.baseUrl };
    client = createUpdoxClient(config, { redis: t.app.deps.redis, log: t.app.deps.log, limiterKey: `${t.prefix}:limiter` });
  });
  afterAll(async () => {
    await client?.close();
    await server?.close();
    await sim?.close();
    await t?.close();
  });

  it('records pending → verified, pending → rejected and flags the number still pending', async () => {
    const day = async () => {
      await post('/_sim/clock/advance', { hours: 24 });
      t.clock.advance(24 * HOUR);
      return pullNumbers(t.app.deps, client, { accountIds: [accountId] });
    };
    const first = await pullNumbers(t.app.deps, client, { accountIds: [accountId] });
    expect(first.overdue).toEqual([]);
    await day();
    await post(`/_sim/numbers/${accountId}/8885550001/status`, { verificationStatus: 'VERIFIED' });
    await day();
    await post(`/_sim/numbers/${accountId}/8885550002/status`, { verificationStatus: 'REJECTED' });
    let last = await day();
    for (let d = 3; d < 7; d++) last = await day();
    expect(await history(t, '8885550001')).toEqual([{ from_status: null, to_status: 'pending' }, { from_status: 'pending', to_status: 'verified' }]);
    expect(await history(t, '8885550002')).toEqual([{ from_status: null, to_status: 'pending' }, { from_status: 'pending', to_status: 'rejected' }]);
    expect(await history(t, '8885550003')).toEqual([{ from_status: null, to_status: 'pending' }]);
    // Seven calendar days always hold at least five business days: the pending number is overdue.
    expect(last.overdue.map((r) => r.number)).toEqual(['8885550003']);
    expect(last.rejected.map((r) => r.number)).toEqual(['8885550002']);
  });
});

describe('a week with a scripted vendor (exact days)', () => {
  let t: SmsTestApp;
  const vendor: Record<string, string> = { '8885550001': 'PENDING', '8885550002': 'PENDING', '8885550003': 'PENDING' };
  const client: UpdoxClient = {
    async smsSendNumberList() {
      const numbers: UpdoxSmsNumber[] = Object.entries(vendor).map(([number, verificationStatus]) => ({ number, verificationStatus, type: 'TOLL_FREE' }));
      const res: CallResult<{ numbers: UpdoxSmsNumber[] }> = { outcome: 'ok', code: 2000, message: 'OK', httpStatus: 200, body: { numbers }, attempts: 1, ambiguous: false };
      return res as never;
    },
    practiceSave: () => { throw new Error('unused'); }, practiceGet: () => { throw new Error('unused'); },
    practiceList: () => { throw new Error('unused'); }, smsSend: () => { throw new Error('unused'); }, ping: () => { throw new Error('unused'); },
    async close() {},
  };
  beforeAll(async () => {
    t = await createSmsTestApp({}, testClock(new Date('2026-11-30T10:00:00Z'))); // Monday 10:00 UTC
    await seedPractices(t.app, [{ account_id: 'acc-w' }]);
  });
  afterAll(async () => { await t?.close(); });

  it('walks Monday to Monday', async () => {
    const overdueByDay: Record<string, string[]> = {};
    const script: Record<number, () => void> = {
      2: () => { vendor['8885550001'] = 'VERIFIED'; }, // Wednesday
      3: () => { vendor['8885550002'] = 'REJECTED'; }, // Thursday
    };
    for (let d = 0; d <= 7; d++) {
      script[d]?.();
      const s = await pullNumbers(t.app.deps, client, { accountIds: ['acc-w'] });
      overdueByDay[t.clock.now().toISOString().slice(0, 10)] = s.overdue.map((r) => r.number);
      t.clock.advance(24 * HOUR);
    }
    expect(await history(t, '8885550001')).toEqual([{ from_status: null, to_status: 'pending' }, { from_status: 'pending', to_status: 'verified' }]);
    expect(await history(t, '8885550002')).toEqual([{ from_status: null, to_status: 'pending' }, { from_status: 'pending', to_status: 'rejected' }]);
    // Pending since Monday 10:00: exactly Thursday 10:00 is the deadline (not yet overdue); Friday is.
    expect(overdueByDay).toEqual({
      '2026-11-30': [], '2026-12-01': [], '2026-12-02': [], '2026-12-03': [],
      '2026-12-04': ['8885550003'], '2026-12-05': ['8885550003'], '2026-12-06': ['8885550003'], '2026-12-07': ['8885550003'],
    });
    const ev = await t.app.deps.db('sms_number_events').where({ number: '8885550001', to_status: 'verified' }).first();
    expect(ev.observed_at.toISOString()).toBe('2026-12-02T10:00:00.000Z');
  });
});
