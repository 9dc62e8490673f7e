/**
 * The SMS half of the simulator over HTTP with plain fetch: 4015, 4039 (account, partner, legacy
 * without an address), 4035 → VERIFIED on the simulator clock, REJECTED at rejectionRate 1,
 * UPDATE_REQUIRED, status overrides, auto-requested verification, and the signed webhook.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../../src/simulator';
import { verifyWebhookAuth } from '../../../src/sms/webhook-auth';
import { webhookPayloadSchema } from '../../../src/sms/webhook';
import { acctAuth, admin, appAuth, call, code, complete, start, userAuth } from './sim-helper';

const send = (sim: RunningSimulator, accountId: string, over: Record<string, unknown> = {}) =>
  code(sim, 'SmsSend', { to: '6145550123', message: 'Your appointment is tomorrow', ...over, auth: userAuth(accountId) });
const numbers = async (sim: RunningSimulator, accountId: string) =>
  (await call(sim, 'SmsSendNumberList', { auth: acctAuth(accountId) })).json?.numbers as Record<string, unknown>[];
const save = (sim: RunningSimulator, method: string, body: Record<string, unknown>) => code(sim, method, { ...body, auth: appAuth });

describe('SMS lifecycle', () => {
  let sim: RunningSimulator;
  beforeAll(async () => { sim = await start({ verificationBusinessDays: 2 }); });
  afterAll(async () => { await sim?.close(); });
  beforeEach(async () => { await admin(sim, 'reset', {}); await admin(sim, 'config', { rejectionRate: 0, smsEnabled: true, partnerBusinessDetails: 'complete' }); });

  it('answers 4015 on every SMS method when SMS is not enabled', async () => {
    await save(sim, 'PracticeSave/1.1', complete('s0'));
    await admin(sim, 'config', { smsEnabled: false });
    expect(await send(sim, 's0')).toBe(4015);
    expect(await code(sim, 'SmsSendNumberList', { auth: acctAuth('s0') })).toBe(4015);
  });

  it('validates the send body (A9)', async () => {
    await save(sim, 'PracticeSave/1.1', complete('s1'));
    const a = await call(sim, 'SmsSend', { to: '123', message: '', auth: userAuth('s1') });
    expect(a.json).toMatchObject({ responseCode: 4060, responseMessage: 'to: must be 10 digits; message: must be 1 to 1600 characters' });
  });

  it('answers 4039 for incomplete account details, incomplete partner details, and a legacy account without an address', async () => {
    await save(sim, 'PracticeSave/1.1', complete('s2', { address1: undefined }));
    expect(await send(sim, 's2')).toBe(4039);
    await save(sim, 'PracticeSave', complete('s3', { address1: undefined, city: undefined, state: undefined, postal: undefined }));
    const legacy = await call(sim, 'SmsSend', { to: '6145550123', message: 'x', auth: userAuth('s3') });
    expect(legacy.json?.responseCode).toBe(4039);
    expect(legacy.json?.responseMessage).toContain('legacy account without a physical address');
    await save(sim, 'PracticeSave', complete('s4')); // legacy WITH an address can send
    expect(await send(sim, 's4')).toBe(4035);
    await save(sim, 'PracticeSave/1.1', complete('s5'));
    await admin(sim, 'config', { partnerBusinessDetails: 'incomplete' });
    expect(await send(sim, 's5')).toBe(4039);
  });

  it('requests verification on the first send (4035) and sends once the clock passes the due time', async () => {
    await save(sim, 'PracticeSave/1.1', complete('s6'));
    expect(await numbers(sim, 's6')).toEqual([]);
    expect(await send(sim, 's6')).toBe(4035);
    const [n] = await numbers(sim, 's6');
    expect(n).toMatchObject({ type: 'TOLL_FREE', verificationStatus: 'PENDING', businessDetails: 'COMPLETE', ownerType: 'account', ownerId: 's6' });
    expect(n!.updatedAt).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(await send(sim, 's6')).toBe(4035);
    await admin(sim, 'clock/advance', { hours: 24 });
    expect(await send(sim, 's6')).toBe(4035); // one day is never two business days
    await admin(sim, 'clock/advance', { days: 4 }); // five calendar days always hold two business days
    expect((await numbers(sim, 's6'))[0]!.verificationStatus).toBe('VERIFIED');
    const ok = await call(sim, 'SmsSend', { to: '6145550123', message: 'hello', auth: userAuth('s6') });
    expect(ok.json).toMatchObject({ responseCode: 2000, status: 'queued' });
    expect(typeof ok.json?.messageId).toBe('number');
  });

  it('rejects at rejectionRate 1, then a changed save resets the number', async () => {
    await admin(sim, 'config', { rejectionRate: 1 });
    await save(sim, 'PracticeSave/1.1', complete('s7'));
    expect(await send(sim, 's7')).toBe(4035);
    await admin(sim, 'clock/advance', { days: 7 });
    expect((await numbers(sim, 's7'))[0]!.verificationStatus).toBe('REJECTED');
    expect(await send(sim, 's7')).toBe(4039);
    await save(sim, 'PracticeSave/1.1', complete('s7', { websiteUrl: 'https://better.example' }));
    expect((await numbers(sim, 's7'))[0]!.verificationStatus).toBe('NOT_STARTED');
  });

  it('turns a pending number UPDATE_REQUIRED when details become incomplete, and resumes when completed', async () => {
    await save(sim, 'PracticeSave/1.1', complete('s8'));
    await send(sim, 's8');
    await save(sim, 'PracticeSave/1.1', complete('s8', { postal: undefined }));
    expect((await numbers(sim, 's8'))[0]).toMatchObject({ verificationStatus: 'UPDATE_REQUIRED', businessDetails: 'INCOMPLETE' });
    await save(sim, 'PracticeSave/1.1', complete('s8'));
    expect((await numbers(sim, 's8'))[0]!.verificationStatus).toBe('PENDING');
  });

  it('lists seeded numbers of an account, location and queue, and applies status overrides', async () => {
    await admin(sim, 'seed', {
      practices: [{ accountId: 's9', name: 'S9' }],
      numbers: [
        { accountId: 's9', number: '8885550001', verificationStatus: 'VERIFIED' },
        { accountId: 's9', number: '8885550002', type: '10DLC', ownerType: 'location', ownerId: 'loc-1', verificationStatus: 'PENDING' },
        { accountId: 's9', number: '8885550003', ownerType: 'queue', ownerId: 'q-1' },
      ],
    });
    const list = await numbers(sim, 's9');
    expect(list.map((n) => [n.number, n.type, n.verificationStatus, n.ownerType, n.ownerId])).toEqual([
      ['8885550001', 'TOLL_FREE', 'VERIFIED', 'account', 's9'],
      ['8885550002', '10DLC', 'PENDING', 'location', 'loc-1'],
      ['8885550003', 'TOLL_FREE', 'NOT_STARTED', 'queue', 'q-1'],
    ]);
    await admin(sim, 'numbers/s9/8885550002/status', { verificationStatus: 'REJECTED' });
    expect((await numbers(sim, 's9'))[1]!.verificationStatus).toBe('REJECTED');
    const state = (await admin(sim, 'state/numbers')).numbers as Record<string, unknown>[];
    expect(state).toHaveLength(3);
  });

  it('auto-requests verification for complete accounts when asked', async () => {
    await admin(sim, 'config', { autoRequestVerification: true });
    await save(sim, 'PracticeSave/1.1', complete('s10'));
    await save(sim, 'PracticeSave/1.1', complete('s11', { city: undefined }));
    expect((await numbers(sim, 's10')).map((n) => n.verificationStatus)).toEqual(['PENDING']);
    expect(await numbers(sim, 's11')).toEqual([]);
    await admin(sim, 'config', { autoRequestVerification: false });
  });
});

describe('the verification webhook', () => {
  const SECRET = 'hook-secret';
  let receiver: Server;
  let hookUrl: string;
  const received: { headers: Record<string, string | string[] | undefined>; body: Buffer }[] = [];
  let sim: RunningSimulator;

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => { received.push({ headers: req.headers, body: Buffer.concat(chunks) }); res.end('ok'); });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    sim = await start({ webhook: { url: hookUrl, secret: SECRET, mode: 'hmac' }, verificationBusinessDays: 1 });
  });
  afterAll(async () => {
    await sim?.close();
    await new Promise((r) => receiver.close(r));
  });
  const waitFor = async (n: number) => {
    for (let i = 0; i < 100 && received.length < n; i++) await new Promise((r) => setTimeout(r, 20));
    expect(received.length).toBeGreaterThanOrEqual(n);
  };

  it('delivers a signed event the receiver accepts, on every status change', async () => {
    received.length = 0;
    await save(sim, 'PracticeSave/1.1', complete('w1'));
    expect(await send(sim, 'w1')).toBe(4035);
    // The receiver's own check, with its clock where the simulator's is (tests advance both).
    const check = async (i: number) => {
      const clockNow = Date.parse(String((await admin(sim, 'clock')).now));
      const r = received[i]!;
      expect(verifyWebhookAuth({ mode: 'hmac', secret: SECRET, toleranceSec: 300 }, r.headers, r.body, clockNow)).toEqual({ ok: true });
      expect(verifyWebhookAuth({ mode: 'hmac', secret: 'other', toleranceSec: 300 }, r.headers, r.body, clockNow).ok).toBe(false);
      const evt = webhookPayloadSchema.parse(JSON.parse(r.body.toString('utf8')));
      expect(evt.accountId).toBe('w1');
      return evt.numbers[0]!.verificationStatus;
    };
    await waitFor(1);
    const statuses = [await check(0)];
    await admin(sim, 'clock/advance', { days: 5 });
    await waitFor(2);
    statuses.push(await check(1));
    expect(statuses).toEqual(['PENDING', 'VERIFIED']);
    const deliveries = (await admin(sim, 'state/webhooks')).deliveries as { httpStatus: number }[];
    expect(deliveries.map((d) => d.httpStatus)).toEqual([200, 200]);
  });

  it('fires on an admin override, in bearer mode and twice with duplicateRate 1', async () => {
    received.length = 0;
    await admin(sim, 'config', { webhook: { url: hookUrl, secret: SECRET, mode: 'bearer', duplicateRate: 1 } });
    await admin(sim, 'seed', { practices: [{ accountId: 'w2', name: 'W2' }], numbers: [{ accountId: 'w2', number: '8885550009', verificationStatus: 'PENDING' }] });
    await admin(sim, 'numbers/w2/8885550009/status', { verificationStatus: 'VERIFIED' });
    await waitFor(2);
    expect(received[0]!.headers.authorization).toBe(`Bearer ${SECRET}`);
    const ids = received.map((r) => JSON.parse(r.body.toString('utf8')).id as string);
    expect(ids[0]).toBe(ids[1]);
  });
});
