/**
 * Contract suite: every client method against the simulator over HTTP, the classification of
 * vendor codes as they come off the wire, HMAC on and off, unknown reply fields kept.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_APP_PASSWORD } from '../../helpers/env';
import { practice, startHarness, type Harness } from './client-helper';

let h: Harness;
beforeAll(async () => { h = await startHarness({}, 'contract'); });
afterAll(async () => { await h?.close(); });

// The practice methods against each read shape of the simulator: every field (`full`), the real
// client's recorded replies (`recorded`: no 1.1 field unless set) and those replies exactly (`pre-1.1`).
describe.each(['full', 'recorded', 'pre-1.1'] as const)('practice methods, %s read shape', (shape) => {
  const id = (name: string) => `${name}-${shape}`;
  beforeAll(async () => { await h.admin('POST', '/_sim/config', { readShape: shape }); });
  afterAll(async () => { await h.admin('POST', '/_sim/config', { readShape: 'full' }); });

  it('PracticeSave/1.1 creates, then updates with full-replace semantics', async () => {
    const c = h.client();
    const created = await c.practiceSave(practice(id('c-save-1'), { websiteUrl: 'https://one.example', alternativeWebsiteUrl: 'https://social.example/one' }));
    expect(created).toMatchObject({ outcome: 'ok', code: 2000, httpStatus: 200, attempts: 1, ambiguous: false });
    expect(created.body).toMatchObject({ accountId: id('c-save-1'), action: 'create' });
    const updated = await c.practiceSave(practice(id('c-save-1'), { city: undefined }));
    expect(updated.body?.action).toBe('update');
    const got = await c.practiceGet(id('c-save-1'));
    expect(got.outcome).toBe('ok');
    expect(got.body?.practice).toMatchObject({ accountId: id('c-save-1'), city: '', active: true });
    // The second save sent websiteUrl and no alternativeWebsiteUrl (cleared): how each shape reads that back.
    const read = got.body!.practice;
    if (shape === 'full') expect(read).toMatchObject({ websiteUrl: `https://${id('c-save-1')}.example`, alternativeWebsiteUrl: '' });
    if (shape === 'recorded') expect(read).toMatchObject({ websiteUrl: `https://${id('c-save-1')}.example`, country: 'US' });
    if (shape !== 'full') expect(read).not.toHaveProperty('alternativeWebsiteUrl');
    if (shape === 'pre-1.1') for (const k of ['websiteUrl', 'country']) expect(read).not.toHaveProperty(k);
    const state = await h.admin<{ practices: { accountId: string; apiVersion: string }[] }>('GET', '/_sim/state/practices');
    expect(state.practices.find((p) => p.accountId === id('c-save-1'))?.apiVersion).toBe('1.1');
  });

  it('PracticeSave with version null uses the un-versioned path', async () => {
    const res = await h.client().practiceSave(practice(id('c-legacy-1')), { version: null });
    expect(res.outcome).toBe('ok');
    const state = await h.admin<{ practices: { accountId: string; apiVersion: string }[] }>('GET', '/_sim/state/practices');
    expect(state.practices.find((p) => p.accountId === id('c-legacy-1'))?.apiVersion).toBe('legacy');
  });

  it('keeps the 4060 message naming every field problem', async () => {
    const res = await h.client().practiceSave(practice(id('c-bad-1'), { postal: '123', phone: '555' }));
    expect(res).toMatchObject({ outcome: 'permanent', code: 4060, attempts: 1 });
    expect(res.message).toMatch(/postal/);
    expect(res.message).toMatch(/phone/);
  });

  it('PracticeCreate on an existing id is 4130, PracticeUpdate on an unknown id is 4131, a missing id is 4110', async () => {
    const c = h.client();
    expect((await c.practiceCreate(practice(id('c-create-1')))).outcome).toBe('ok');
    expect(await c.practiceCreate(practice(id('c-create-1')))).toMatchObject({ outcome: 'permanent', code: 4130 });
    expect(await c.practiceUpdate(practice(id('c-nobody')))).toMatchObject({ outcome: 'permanent', code: 4131 });
    expect(await c.practiceUpdate(practice(id('c-create-1'), { name: 'Renamed' }))).toMatchObject({ outcome: 'ok', code: 2000 });
    expect(await c.practiceSave(practice(''))).toMatchObject({ outcome: 'permanent', code: 4110 });
  });

  it('4140 when the websiteAddress is taken', async () => {
    const c = h.client();
    await c.practiceSave(practice(id('c-web-1'), { websiteAddress: `takenslug${shape.replace(/\W/g, '')}` }));
    expect(await c.practiceSave(practice(id('c-web-2'), { websiteAddress: `takenslug${shape.replace(/\W/g, '')}` }))).toMatchObject({ outcome: 'permanent', code: 4140 });
  });

  it('PracticeGet on an unknown id is 4131; PracticeList keeps unknown fields of every practice', async () => {
    const c = h.client();
    expect(await c.practiceGet(id('c-missing'))).toMatchObject({ outcome: 'permanent', code: 4131 });
    await c.practiceSave(practice(id('c-list-1')));
    const list = await c.practiceList();
    expect(list.outcome).toBe('ok');
    const p = (list.body?.practiceList as { accountId: string }[] | undefined)?.find((x) => x.accountId === id('c-list-1'));
    // The reply schema checks only that the list is an array: every field of an entry is kept as sent.
    expect(p).toMatchObject({ name: `Practice ${id('c-list-1')}`, vetted: false, timeZone: 'America/New_York', metadata: '', directAddress: null });
    if (shape === 'pre-1.1') expect(p).not.toHaveProperty('country');
    else expect(p).toMatchObject({ country: 'US' });
    expect(list.body).toHaveProperty('responseMessage');
  });

  it('refuses a malformed request locally with a named error', async () => {
    await expect(h.client().practiceSave({ accountId: 'x', phone: 6145550100 as unknown as string })).rejects.toMatchObject({ code: 'UPDOX_BAD_REQUEST', kind: 'bad-input' });
  });
});

describe('credentials and activation', () => {
  it('halts on 4010 and never puts the password in the message', async () => {
    const res = await h.client({ applicationPassword: 'wrong-Pa55word' }).practiceList();
    expect(res).toMatchObject({ outcome: 'halt', code: 4010, attempts: 1 });
    expect(res.message).not.toContain('wrong-Pa55word');
    expect(res.message).not.toContain(TEST_APP_PASSWORD);
  });

  it('4011 on an account-scoped call is permanent for that account', async () => {
    const res = await h.client().smsSendNumberList('c-unknown-account');
    expect(res).toMatchObject({ outcome: 'permanent', code: 4011 });
  });

  it('halts on 4015 when SMS is not activated', async () => {
    const off = await startHarness({ smsEnabled: false }, 'contract-nosms');
    try {
      await off.client().practiceSave(practice('c-nosms'));
      expect(await off.client().smsSendNumberList('c-nosms')).toMatchObject({ outcome: 'halt', code: 4015, attempts: 1 });
    } finally {
      await off.close();
    }
  });

  it('pings at every level', async () => {
    const c = h.client();
    await c.practiceSave(practice('c-ping'));
    expect((await c.ping()).outcome).toBe('ok');
    expect((await c.ping('application')).outcome).toBe('ok');
    expect((await c.ping('account', 'c-ping')).outcome).toBe('ok');
    expect(await c.ping('account', 'c-ping-unknown')).toMatchObject({ outcome: 'permanent', code: 4011 });
    expect((await h.client({ applicationPassword: 'nope-nope' }).ping('application')).outcome).toBe('halt');
    await expect(c.ping('account')).rejects.toMatchObject({ code: 'UPDOX_BAD_REQUEST' });
  });
});

describe('SMS', () => {
  it('SmsSendNumberList returns the numbers and keeps their extra fields', async () => {
    const c = h.client();
    await c.practiceSave(practice('c-nums'));
    await h.admin('POST', '/_sim/seed', { numbers: [{ accountId: 'c-nums', number: '8885550100', type: 'TOLL_FREE', verificationStatus: 'PENDING' }] });
    const res = await c.smsSendNumberList('c-nums');
    expect(res.outcome).toBe('ok');
    expect(res.body?.numbers).toEqual([expect.objectContaining({ number: '8885550100', verificationStatus: 'PENDING', type: 'TOLL_FREE', businessDetails: 'COMPLETE' })]);
  });

  it('classifies 4035 as pending_verification and 4039 as insufficient_details', async () => {
    const c = h.client();
    await c.practiceSave(practice('c-sms-ok'));
    const first = await c.smsSend('c-sms-ok', 'u1', { to: '6145550199', message: 'hello' });
    expect(first).toMatchObject({ outcome: 'pending_verification', code: 4035, attempts: 1 });
    await c.practiceSave(practice('c-sms-thin', { address1: '', city: '', websiteUrl: '' }), { version: null });
    const thin = await c.smsSend('c-sms-thin', 'u1', { to: '6145550199', message: 'hello' });
    expect(thin).toMatchObject({ outcome: 'insufficient_details', code: 4039 });
    expect(thin.message).toMatch(/insufficient/i);
  });

  it('sends once the number is verified', async () => {
    const c = h.client();
    await c.practiceSave(practice('c-sms-go'));
    await h.admin('POST', '/_sim/seed', { numbers: [{ accountId: 'c-sms-go', number: '8885550101', verificationStatus: 'VERIFIED' }] });
    const res = await c.smsSend('c-sms-go', 'u1', { to: '6145550199', message: 'hello' });
    expect(res).toMatchObject({ outcome: 'ok', code: 2000 });
    expect(typeof res.body?.messageId).toBe('number');
  });

  it('PatientDirectMessageSend: ok with a messageId, 4652 without a sender', async () => {
    const c = h.client();
    await c.practiceSave(practice('c-pdm'));
    const ok = await c.patientDirectMessageSend('c-pdm', 'u1', { to: 'referrals@direct.cardiology.example', from: 'patient:42', subject: 's', textMessage: 't' });
    expect(ok.outcome).toBe('ok');
    expect(ok.body?.messageId).toBeDefined();
    expect(await c.patientDirectMessageSend('c-pdm', 'u1', { to: 'referrals@direct.cardiology.example', subject: 's' })).toMatchObject({ outcome: 'permanent', code: 4652 });
  });
});

describe('HMAC layer', () => {
  let hm: Harness;
  beforeAll(async () => { hm = await startHarness({ hmacSecret: 'hmac-Secret-123' }, 'contract-hmac'); });
  afterAll(async () => { await hm?.close(); });

  it('signs every call when the secret is configured', async () => {
    const c = hm.client({ hmacSecret: 'hmac-Secret-123' });
    expect((await c.practiceSave(practice('c-hmac'))).outcome).toBe('ok');
    expect((await c.smsSendNumberList('c-hmac')).outcome).toBe('ok');
    expect((await c.ping('application')).outcome).toBe('ok');
  });

  it('halts with 4013 without the headers and 4014 with a wrong secret', async () => {
    expect(await hm.client().practiceList()).toMatchObject({ outcome: 'halt', code: 4013 });
    expect(await hm.client({ hmacSecret: 'other-secret' }).practiceList()).toMatchObject({ outcome: 'halt', code: 4014 });
  });

  it('halts with 4014 when the clock is outside the window', async () => {
    const skewed = hm.client({ hmacSecret: 'hmac-Secret-123' }, { now: () => new Date(Date.now() - 11 * 60_000) });
    expect(await skewed.practiceList()).toMatchObject({ outcome: 'halt', code: 4014 });
  });

  it('the plain simulator ignores headers it does not expect', async () => {
    expect((await h.client({ hmacSecret: 'hmac-Secret-123' }).practiceList()).outcome).toBe('ok');
  });
});
