import { describe, expect, it } from 'vitest';
import { checkAuth, readAuthBlock, type AuthContext } from '../../../src/simulator/auth';
import { formatUpdoxTimestamp, parseUpdoxTimestamp, signUpdoxHmac, verifyUpdoxHmac } from '../../../src/simulator/hmac';
import type { AuthLevel } from '../../../src/simulator/router';

const at = new Date('2013-11-20T17:36:00Z');
const TS = '2013-11-20 17:36:00 (GMT)';

describe('the HMAC layer (updox-api.md §1.3)', () => {
  it('formats and parses the timestamp in GMT', () => {
    expect(formatUpdoxTimestamp(at)).toBe(TS);
    expect(parseUpdoxTimestamp(TS)).toBe(at.getTime());
    expect(parseUpdoxTimestamp('2013-11-20T17:36:00Z')).toBeNull();
    expect(parseUpdoxTimestamp('2013-11-20 17:36:00 (EST)')).toBeNull();
  });

  it('signs the five colon-joined values, empty ones keeping their place (vectors from openssl)', () => {
    expect(signUpdoxHmac('secret', { applicationId: 'app', applicationPassword: 'pwd', accountId: '', userId: '', timestamp: TS })).toBe('gor4BzIBvMCGc2zD1a0A0/4Npko=');
    expect(signUpdoxHmac('secret', { applicationId: 'app', applicationPassword: 'pwd', accountId: '100', userId: '200', timestamp: TS })).toBe('GF0nFLN4pLnCM7y1tpC5HFk3iG0=');
  });

  const auth = { applicationId: 'app', applicationPassword: 'pwd', accountId: '', userId: '' };
  const win = 10 * 60_000;
  const cases: [string, { timestamp: string | undefined; authorization: string | undefined }, number, ReturnType<typeof verifyUpdoxHmac>['ok'], number?][] = [
    ['a valid signature', { timestamp: TS, authorization: 'HMAC gor4BzIBvMCGc2zD1a0A0/4Npko=' }, at.getTime(), true],
    ['the early "HMAC:" spelling', { timestamp: TS, authorization: 'HMAC:gor4BzIBvMCGc2zD1a0A0/4Npko=' }, at.getTime(), true],
    ['9 minutes of skew', { timestamp: TS, authorization: 'HMAC gor4BzIBvMCGc2zD1a0A0/4Npko=' }, at.getTime() + 9 * 60_000, true],
    ['a missing timestamp', { timestamp: undefined, authorization: 'HMAC x' }, at.getTime(), false, 4013],
    ['a missing Authorization', { timestamp: TS, authorization: undefined }, at.getTime(), false, 4013],
    ['a wrong hash', { timestamp: TS, authorization: 'HMAC GF0nFLN4pLnCM7y1tpC5HFk3iG0=' }, at.getTime(), false, 4014],
    ['11 minutes of skew', { timestamp: TS, authorization: 'HMAC gor4BzIBvMCGc2zD1a0A0/4Npko=' }, at.getTime() + 11 * 60_000, false, 4014],
    ['an unparseable timestamp', { timestamp: 'yesterday', authorization: 'HMAC gor4BzIBvMCGc2zD1a0A0/4Npko=' }, at.getTime(), false, 4014],
    ['a Bearer header', { timestamp: TS, authorization: 'Bearer gor4BzIBvMCGc2zD1a0A0/4Npko=' }, at.getTime(), false, 4014],
  ];
  it.each(cases)('checks %s', (_name, headers, now, ok, code) => {
    const res = verifyUpdoxHmac('secret', auth, headers, now, win);
    expect(res.ok).toBe(ok);
    if (!res.ok) expect(res.code).toBe(code);
  });
});

describe('the auth block (A4, A5)', () => {
  const ctx: AuthContext = {
    applicationId: 'app', applicationPassword: 'pwd',
    accountActive: (id) => id === 'acc-active',
    userActive: (acc, user) => acc === 'acc-active' && user === 'u1',
  };
  const full = { applicationId: 'app', applicationPassword: 'pwd', accountId: 'acc-active', userId: 'u1' };
  const cases: [string, AuthLevel, Partial<typeof full>, number | null][] = [
    ['Ping needs nothing', 'none', { applicationId: '', applicationPassword: '' }, null],
    ['application level passes with app credentials only', 'application', { accountId: '', userId: '' }, null],
    ['application level ignores an unknown account (extra fields)', 'application', { accountId: 'nope' }, null],
    ['a wrong password is 4010', 'application', { applicationPassword: 'x' }, 4010],
    ['a wrong app id is 4010 even at user level', 'user', { applicationId: 'x', accountId: '' }, 4010],
    ['a missing account at account level is 4011', 'account', { accountId: '' }, 4011],
    ['an inactive or unknown account is 4011', 'account', { accountId: 'acc-inactive' }, 4011],
    ['account level ignores the user', 'account', { userId: 'nobody' }, null],
    ['a missing user at user level is 4012', 'user', { userId: '' }, 4012],
    ['an unknown user is 4012', 'user', { userId: 'u2' }, 4012],
    ['a complete user-level block passes', 'user', {}, null],
  ];
  it.each(cases)('%s', (_name, level, over, code) => {
    const res = checkAuth(level, { ...full, ...over }, ctx);
    expect(res.ok ? null : res.code).toBe(code);
  });

  it('checks credentials before the HMAC headers (A4 order)', () => {
    const hmac = { secret: 's', windowMs: 600_000, nowMs: Date.now(), timestamp: undefined, authorization: undefined };
    expect(checkAuth('application', { ...full, applicationPassword: 'x' }, { ...ctx, hmac })).toMatchObject({ ok: false, code: 4010 });
    expect(checkAuth('application', full, { ...ctx, hmac })).toMatchObject({ ok: false, code: 4013 });
  });

  it('reads the auth block leniently from any body', () => {
    expect(readAuthBlock({ auth: { applicationId: 'a', accountId: 12 } })).toEqual({ applicationId: 'a', applicationPassword: '', accountId: '12', userId: '' });
    expect(readAuthBlock(null)).toEqual({ applicationId: '', applicationPassword: '', accountId: '', userId: '' });
  });
});
