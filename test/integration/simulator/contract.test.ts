/**
 * The simulator against updox-api.md over real HTTP with plain fetch: paths, transport errors,
 * auth (incl. HMAC), validation, uniqueness, full-replace, legacy vs 1.1, reads, Direct messages.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { formatUpdoxTimestamp, signUpdoxHmac, type RunningSimulator } from '../../../src/simulator';
import { acctAuth, admin, APP, appAuth, call, code, complete, raw, start, userAuth } from './sim-helper';

let sim: RunningSimulator;
beforeAll(async () => { sim = await start({ maxBodyBytes: 64 * 1024 }); });
afterAll(async () => { await sim?.close(); });
beforeEach(async () => { await admin(sim, 'reset', {}); });

describe('paths and transport (A1, A2, A14)', () => {
  it('serves /api/io and /io, any case, with an optional /1.1', async () => {
    for (const p of ['/api/io/Ping', '/io/ping', '/API/IO/PING', '/io/PracticeSave/1.1']) {
      const a = await raw(`${sim.url}${p}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...complete('p1'), auth: appAuth }) });
      expect(a.status, p).toBe(200);
      expect(a.json?.successful, p).toBe(true);
    }
  });

  it('answers an unknown version or method with HTTP 404 and envelope 4000', async () => {
    const v = await call(sim, 'PracticeSave/2.0', { auth: appAuth });
    expect([v.status, v.json?.responseCode]).toEqual([404, 4000]);
    const m = await call(sim, 'NoSuchMethod', { auth: appAuth });
    expect([m.status, m.json?.responseCode]).toEqual([404, 4000]);
  });

  it('refuses a non-POST with 405', async () => {
    const a = await raw(`${sim.baseUrl}/Ping`);
    expect(a.status).toBe(405);
    expect(a.headers.get('allow')).toBe('POST');
  });

  it('answers malformed JSON with HTTP 400 and envelope 4000', async () => {
    const a = await raw(`${sim.baseUrl}/PingWithApplicationAuth`, { method: 'POST', body: '{"auth": ' });
    expect([a.status, a.json?.responseCode, a.json?.successful]).toEqual([400, 4000, false]);
  });

  it('answers a body over maxBodyBytes with HTTP 200 and envelope 4020', async () => {
    const a = await call(sim, 'PracticeSave/1.1', { ...complete('big'), metadata: 'x'.repeat(70 * 1024), auth: appAuth });
    expect([a.status, a.json?.responseCode]).toEqual([200, 4020]);
    expect((await admin(sim, 'state/practices')).practices).toEqual([]);
  });

  it('answers business errors with HTTP 200', async () => {
    const a = await call(sim, 'PingWithApplicationAuth', { auth: { ...appAuth, applicationPassword: 'Leak-Check-9' } });
    expect([a.status, a.json?.responseCode, a.json?.successful]).toEqual([200, 4010, false]);
    expect(a.text).not.toContain('Leak-Check-9');
  });
});

describe('auth (A4, A5)', () => {
  beforeEach(async () => {
    await admin(sim, 'seed', {
      practices: [{ accountId: 'on', name: 'On', active: true }, { accountId: 'off', name: 'Off', active: false }],
      users: [{ accountId: 'on', userId: 'u1' }, { accountId: 'on', userId: 'gone', active: false }],
    });
  });

  it('maps each level and failure to its code', async () => {
    expect(await code(sim, 'Ping', {})).toBe(2000);
    expect(await code(sim, 'PingWithApplicationAuth', { auth: appAuth })).toBe(2000);
    expect(await code(sim, 'PingWithApplicationAuth', { auth: { ...appAuth, applicationId: 'other' } })).toBe(4010);
    expect(await code(sim, 'PingWithApplicationAuth', {})).toBe(4010);
    expect(await code(sim, 'PingWithAccountAuth', { auth: acctAuth('on') })).toBe(2000);
    expect(await code(sim, 'PingWithAccountAuth', { auth: appAuth })).toBe(4011);
    expect(await code(sim, 'PingWithAccountAuth', { auth: acctAuth('nobody') })).toBe(4011);
    expect(await code(sim, 'PingWithAuth', { auth: userAuth('on', 'u1') })).toBe(2000);
    expect(await code(sim, 'PingWithAuth', { auth: acctAuth('on') })).toBe(4012);
    expect(await code(sim, 'PingWithAuth', { auth: userAuth('on', 'stranger') })).toBe(4012);
    expect(await code(sim, 'PingWithAuth', { auth: userAuth('on', 'gone') })).toBe(4012);
  });

  it('refuses an inactive account as 4011, but PracticeUpdate and PracticeSave can reactivate it', async () => {
    expect(await code(sim, 'PingWithAccountAuth', { auth: acctAuth('off') })).toBe(4011);
    expect(await code(sim, 'SmsSendNumberList', { auth: acctAuth('off') })).toBe(4011);
    expect(await code(sim, 'PracticeUpdate/1.1', { ...complete('off'), active: 'true', auth: appAuth })).toBe(2000);
    expect(await code(sim, 'PingWithAccountAuth', { auth: acctAuth('off') })).toBe(2000);
  });

  it('checks auth before field validation', async () => {
    expect(await code(sim, 'PracticeSave/1.1', { accountId: 'x', postal: 'bad', auth: { ...appAuth, applicationPassword: 'no' } })).toBe(4010);
  });
});

describe('the HMAC layer (§1.3)', () => {
  let hsim: RunningSimulator;
  beforeAll(async () => { hsim = await start({ hmacSecret: 'hmac-key' }); });
  afterAll(async () => { await hsim?.close(); });
  const headers = (at: Date, auth: typeof appAuth, secret = 'hmac-key') => {
    const timestamp = formatUpdoxTimestamp(at);
    return { 'updox-timestamp': timestamp, authorization: `HMAC ${signUpdoxHmac(secret, { ...auth, timestamp })}` };
  };

  it('accepts a valid signature', async () => {
    expect(await code(hsim, 'PingWithApplicationAuth', { auth: appAuth }, { headers: headers(new Date(), appAuth) })).toBe(2000);
  });
  it('answers 4013 without the headers', async () => {
    expect(await code(hsim, 'PingWithApplicationAuth', { auth: appAuth })).toBe(4013);
  });
  it('answers 4014 for a wrong secret or a stale timestamp', async () => {
    expect(await code(hsim, 'PingWithApplicationAuth', { auth: appAuth }, { headers: headers(new Date(), appAuth, 'other') })).toBe(4014);
    expect(await code(hsim, 'PingWithApplicationAuth', { auth: appAuth }, { headers: headers(new Date(Date.now() - 11 * 60_000), appAuth) })).toBe(4014);
  });
  it('still checks the credentials first (4010)', async () => {
    const bad = { ...appAuth, applicationPassword: 'nope' };
    expect(await code(hsim, 'PingWithApplicationAuth', { auth: bad }, { headers: headers(new Date(), bad) })).toBe(4010);
  });
  it('leaves Ping open', async () => {
    expect(await code(hsim, 'Ping', {})).toBe(2000);
  });
});

describe('practice writes (A6, A7, A16, A17)', () => {
  it('creates, then updates, with action create/update', async () => {
    expect((await call(sim, 'PracticeSave/1.1', { ...complete('a1'), auth: appAuth })).json).toMatchObject({ responseCode: 2000, accountId: 'a1', action: 'create' });
    expect((await call(sim, 'PracticeSave/1.1', { ...complete('a1'), auth: appAuth })).json).toMatchObject({ responseCode: 2000, accountId: 'a1', action: 'update' });
    expect(await code(sim, 'PracticeCreate/1.1', { ...complete('a1'), auth: appAuth })).toBe(4130);
    expect(await code(sim, 'PracticeUpdate/1.1', { ...complete('a2'), auth: appAuth })).toBe(4131);
    expect(await code(sim, 'PracticeSave/1.1', { ...complete('a1'), accountId: undefined, auth: appAuth })).toBe(4110);
    expect((await call(sim, 'PracticeCreate', { ...complete(''), accountId: undefined, auth: { ...appAuth, accountId: 'from-auth' } })).json).toMatchObject({ accountId: 'from-auth' });
  });

  it('names every field problem in one 4060', async () => {
    const a = await call(sim, 'PracticeSave/1.1', { accountId: 'v', name: '', postal: '123', phone: '555', state: 'XX', websiteUrl: 'nope', country: 'MX', auth: appAuth });
    expect(a.json?.responseCode).toBe(4060);
    expect(a.json?.responseMessage).toBe('name: required; state: must be a USPS 2-letter state or territory code; postal: must be 5 or 9 digits; '
      + 'phone: must be 10 digits; websiteUrl: must be an absolute http(s) URL; country: must be the US or a US territory');
  });

  it('enforces uniqueness and the Direct rules', async () => {
    const first = { ...complete('u1'), websiteAddress: 'riverside', directDomain: 'riverside.direct.example', directAddress: 'frontdesk' };
    expect(await code(sim, 'PracticeSave/1.1', { ...first, auth: appAuth })).toBe(2000);
    expect(await code(sim, 'PracticeSave/1.1', { ...complete('u2'), websiteAddress: 'RIVERSIDE', auth: appAuth })).toBe(4140);
    expect(await code(sim, 'PracticeSave/1.1', { ...complete('u2'), directDomain: 'riverside.direct.example', auth: appAuth })).toBe(4150);
    expect(await code(sim, 'PracticeSave/1.1', { ...complete('u2'), directAddress: 'desk', auth: appAuth })).toBe(4630);
    expect(await code(sim, 'PracticeSave/1.1', { ...complete('u2'), directDomain: 'u2.direct.example', directAddress: 'desk@other.example', auth: appAuth })).toBe(4620);
    expect(await code(sim, 'PracticeSave/1.1', { ...complete('u2'), directDomain: 'u2.direct.example', directAddress: 'desk', auth: appAuth })).toBe(2000);
    const got = await call(sim, 'PracticeGet', { accountId: 'u2', auth: appAuth });
    expect((got.json?.practice as Record<string, unknown>).directAddress).toBe('desk@u2.direct.example');
  });

  it('answers 4610 for a Direct address another account holds', async () => {
    await admin(sim, 'seed', { practices: [{ accountId: 'holder', name: 'H', directDomain: 'h.example', directAddress: 'desk@dup.example' }] });
    expect(await code(sim, 'PracticeSave/1.1', { ...complete('taker'), directDomain: 'dup.example', directAddress: 'desk', auth: appAuth })).toBe(4610);
  });

  it('clears an omitted field on update and keeps active when not sent (A7)', async () => {
    await call(sim, 'PracticeSave/1.1', { ...complete('r1'), address2: 'Floor 2', fax: '6145550101', auth: appAuth });
    const { address2: _a, fax: _f, active: _x, ...rest } = { ...complete('r1'), address2: '', fax: '', active: '' };
    expect(await code(sim, 'PracticeUpdate/1.1', { ...rest, city: 'Dayton', auth: appAuth })).toBe(2000);
    const p = (await call(sim, 'PracticeGet', { accountId: 'r1', auth: appAuth })).json?.practice as Record<string, unknown>;
    expect(p).toMatchObject({ address2: '', fax: '', city: 'Dayton', active: true, directAddress: null, timeZone: 'Zulu', vetted: false });
    expect(await code(sim, 'PracticeCreate/1.1', { ...complete('r2'), active: undefined, auth: appAuth })).toBe(2000);
    expect(((await call(sim, 'PracticeGet', { accountId: 'r2', auth: appAuth })).json?.practice as Record<string, unknown>).active).toBe(false);
  });

  it('stores the 1.1 fields only through /1.1 and records which API saved last (A8)', async () => {
    await call(sim, 'PracticeSave', { ...complete('l1'), websiteUrl: 'https://ignored.example', country: 'FR', auth: appAuth });
    let st = ((await admin(sim, 'state/practices')).practices as Record<string, unknown>[])[0]!;
    expect(st).toMatchObject({ apiVersion: 'legacy', websiteUrl: '', country: '' });
    await call(sim, 'PracticeSave/1.1', { ...complete('l1'), alternativeWebsiteUrl: 'https://social.example/l1', country: 'PR', auth: appAuth });
    st = ((await admin(sim, 'state/practices')).practices as Record<string, unknown>[])[0]!;
    expect(st).toMatchObject({ apiVersion: '1.1', websiteUrl: 'https://l1.example', alternativeWebsiteUrl: 'https://social.example/l1', country: 'PR' });
    await call(sim, 'PracticeSave', { ...complete('l1'), auth: appAuth });
    st = ((await admin(sim, 'state/practices')).practices as Record<string, unknown>[])[0]!;
    expect(st).toMatchObject({ apiVersion: 'legacy', websiteUrl: 'https://l1.example', country: 'PR' });
  });
});

describe('reads (A18)', () => {
  it('gets one practice, 4131 for an unknown one, and lists all sorted by accountId', async () => {
    for (const id of ['c', 'a', 'b']) await call(sim, 'PracticeSave/1.1', { ...complete(id), auth: appAuth });
    expect(await code(sim, 'PracticeGet', { accountId: 'zz', auth: appAuth })).toBe(4131);
    const list = await call(sim, 'PracticeList', { auth: appAuth });
    expect((list.json?.practiceList as { accountId: string }[]).map((p) => p.accountId)).toEqual(['a', 'b', 'c']);
    expect(list.json).toMatchObject({ successful: true, responseCode: 2000 });
    expect(Object.keys((list.json?.practiceList as Record<string, unknown>[])[0]!)).not.toContain('apiVersion');
  });

  it('lists 100k practices in one reply', async () => {
    const practices = Array.from({ length: 100_000 }, (_, i) => ({ accountId: `bulk-${String(i).padStart(6, '0')}`, name: `Bulk ${i}`, state: 'OH' }));
    for (let i = 0; i < practices.length; i += 25_000) await admin(sim, 'seed', { practices: practices.slice(i, i + 25_000) });
    const t0 = performance.now();
    const list = await call(sim, 'PracticeList', { auth: appAuth });
    const ms = performance.now() - t0;
    const got = list.json?.practiceList as { accountId: string }[];
    expect(got).toHaveLength(100_000);
    expect(got[99_999]!.accountId).toBe('bulk-099999');
    console.log(`PracticeList of 100k practices: ${Math.round(ms)} ms, ${(list.text.length / 1e6).toFixed(1)} MB`);
  });
});

describe('fields beyond the model, field codes and read shapes (issue 14)', () => {
  const extras = { practiceNpi: '1234567893', practiceSpecialtyCode: '207Q00000X', protocol: 'https', ipAddress: '10.1.2.3', port: 8443, path: '/ehr', defaultConsentMethods: ['sms'], partnerNote: { tier: 2 } };

  it('keeps every field it is sent, with its JSON type, returns it on every read, and clears it when a save omits it', async () => {
    await call(sim, 'PracticeSave/1.1', { ...complete('x1'), ...extras, auth: appAuth });
    const got = await call(sim, 'PracticeGet', { accountId: 'x1', auth: appAuth });
    expect(got.json?.practice).toMatchObject(extras);
    const list = await call(sim, 'PracticeList', { auth: appAuth });
    expect((list.json?.practiceList as Record<string, unknown>[])[0]).toMatchObject(extras);
    await call(sim, 'PracticeSave/1.1', { ...complete('x1'), practiceNpi: '999', auth: appAuth });
    const after = (await call(sim, 'PracticeGet', { accountId: 'x1', auth: appAuth })).json?.practice as Record<string, unknown>;
    expect(after.practiceNpi).toBe('999');
    expect(after).not.toHaveProperty('partnerNote');
  });

  it('takes a numeric accountId in PracticeGet, as the real client sends one', async () => {
    await call(sim, 'PracticeSave/1.1', { ...complete('12345'), auth: appAuth });
    const got = await call(sim, 'PracticeGet', { accountId: 12345, auth: appAuth });
    expect(got.json).toMatchObject({ responseCode: 2000, practice: { accountId: '12345' } });
  });

  it.each([
    [{ directDomain: 'bad domain!' }, 4160], [{ websiteAddress: 'no spaces allowed' }, 4161], [{ ipAddress: '300.1.1.1' }, 4162],
    [{ directDomain: 'www' }, 4163], [{ port: 70000 }, 4165], [{ port: 'http' }, 4165],
  ])('answers %j with its own code %i, and stores nothing', async (field, expected) => {
    const a = await call(sim, 'PracticeSave/1.1', { ...complete('fc1'), ...field, auth: appAuth });
    expect([a.json?.responseCode, a.json?.successful]).toEqual([expected, false]);
    expect((await admin(sim, 'state/practices')).practices).toEqual([]);
  });

  it('answers in the recorded shape (no 1.1 field unless a save set it) and the pre-1.1 one (never), switchable at run time', async () => {
    await call(sim, 'PracticeSave/1.1', { ...complete('rs1'), websiteUrl: 'https://rs1.example', auth: appAuth });
    const read = async () => (await call(sim, 'PracticeGet', { accountId: 'rs1', auth: appAuth })).json?.practice as Record<string, unknown>;
    expect(await read()).toMatchObject({ websiteUrl: 'https://rs1.example', alternativeWebsiteUrl: '', country: 'US' });
    await admin(sim, 'config', { readShape: 'recorded' });
    const recorded = await read();
    expect(recorded).toMatchObject({ websiteUrl: 'https://rs1.example', vetted: false, metadata: '', directAddress: null });
    expect(recorded).not.toHaveProperty('alternativeWebsiteUrl');
    expect(recorded).not.toHaveProperty('country');
    await admin(sim, 'config', { readShape: 'pre-1.1' });
    const old = await read();
    for (const k of ['websiteUrl', 'alternativeWebsiteUrl', 'country']) expect(old).not.toHaveProperty(k);
    const list = await call(sim, 'PracticeList', { auth: appAuth });
    expect((list.json?.practiceList as Record<string, unknown>[])[0]).not.toHaveProperty('websiteUrl');
    await admin(sim, 'config', { readShape: 'full' });
  });
});

describe('PatientDirectMessageSend (A19)', () => {
  it('answers a growing messageId, 4640 for a bad address, 4652 without a sender', async () => {
    await admin(sim, 'seed', { practices: [{ accountId: 'dm', name: 'DM' }] });
    const auth = userAuth('dm');
    const a = await call(sim, 'PatientDirectMessageSend', { to: 'referrals@direct.cardio.example', from: 'patient:9', subject: 's', textMessage: 't', auth });
    const b = await call(sim, 'PatientDirectMessageSend', { to: 'referrals@direct.cardio.example', patientDemographics: { patientId: '9' }, auth });
    expect(a.json).toMatchObject({ responseCode: 2000, directAddress: 'referrals@direct.cardio.example', reason: null });
    expect(b.json?.messageId as number).toBeGreaterThan(a.json?.messageId as number);
    expect(String(a.json?.patientDirectAddress)).toMatch(/^ptacct\+\d+@direct\./);
    expect(await code(sim, 'PatientDirectMessageSend', { to: 'not-an-address', from: 'patient:9', auth })).toBe(4640);
    expect(await code(sim, 'PatientDirectMessageSend', { to: 'x@direct.example', auth })).toBe(4652);
  });
});

it('never puts the application password in a reply or in state', async () => {
  await call(sim, 'PracticeSave/1.1', { ...complete('s1'), auth: appAuth });
  const dump = JSON.stringify([await admin(sim, 'state/practices'), await admin(sim, 'counters'), await admin(sim, 'config')]);
  expect(dump).not.toContain(APP.applicationPassword);
});
