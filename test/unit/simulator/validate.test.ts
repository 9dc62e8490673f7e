import { describe, expect, it } from 'vitest';
import { validatePractice } from '../../../src/simulator/validate';

const good = { accountId: 'acc-1', name: 'Riverside Pediatrics', address1: '12 Elm Street', city: 'Columbus', state: 'OH', postal: '43215', phone: '6145550100' };

describe('practice validation (A16, A8, A3)', () => {
  it('accepts a complete practice and defaults country to US on /1.1 only', () => {
    const v11 = validatePractice(good, '', '1.1');
    expect(v11).toMatchObject({ ok: true, accountId: 'acc-1', input: { name: 'Riverside Pediatrics', country: 'US' } });
    const legacy = validatePractice(good, '', 'legacy');
    expect(legacy.ok && legacy.input.country).toBeUndefined();
  });

  it('takes the body accountId first, auth.accountId second, 4110 when neither (A6)', () => {
    expect(validatePractice({ ...good, accountId: undefined }, 'from-auth', '1.1')).toMatchObject({ ok: true, accountId: 'from-auth' });
    expect(validatePractice({ ...good, accountId: 'body' }, 'from-auth', '1.1')).toMatchObject({ ok: true, accountId: 'body' });
    expect(validatePractice({ ...good, accountId: '' }, '', '1.1')).toMatchObject({ ok: false, code: 4110 });
  });

  it('names every field problem in one 4060 message', () => {
    const res = validatePractice({
      accountId: 'acc-1', name: '', state: 'Ohio', postal: '4321', phone: '614-555-0100', fax: '123', timeZone: 'Europe/Paris',
      active: 'yes', websiteUrl: 'riverside.example', alternativeWebsiteUrl: 'ftp://x.example', country: 'CA', city: 7,
    }, '', '1.1');
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.code).toBe(4060);
    expect(res.problems).toEqual([
      'name: required',
      'city: must be a string',
      'state: must be a USPS 2-letter state or territory code',
      'postal: must be 5 or 9 digits',
      'phone: must be 10 digits',
      'fax: must be 10 digits',
      'timeZone: must be a US IANA time zone name or Zulu',
      'active: must be "true" or "false"',
      'websiteUrl: must be an absolute http(s) URL',
      'alternativeWebsiteUrl: must be an absolute http(s) URL',
      'country: must be the US or a US territory',
    ]);
    expect(res.message).toBe(res.problems.join('; '));
  });

  it('ignores the 1.1 fields on the un-versioned methods (A8)', () => {
    const res = validatePractice({ ...good, websiteUrl: 'not a url', country: 'FR' }, '', 'legacy');
    expect(res).toMatchObject({ ok: true });
    expect(res.ok && res.input.websiteUrl).toBeUndefined();
  });

  const table: [string, Record<string, unknown>, boolean][] = [
    ['a 9-digit postal', { postal: '432150001' }, true],
    ['a territory state', { state: 'PR' }, true],
    ['a lower-case state', { state: 'oh' }, false],
    ['a US zone', { timeZone: 'America/Chicago' }, true],
    ['Zulu', { timeZone: 'Zulu' }, true],
    ['active as a boolean', { active: false }, true],
    ['a 100-character name', { name: 'x'.repeat(100) }, true],
    ['a 101-character name', { name: 'x'.repeat(101) }, false],
    ['a 256-character address', { address1: 'x'.repeat(256) }, false],
    ['a territory country', { country: 'pr' }, true],
    ['a bad direct domain', { directDomain: 'bad domain' }, false],
  ];
  it.each(table)('%s → valid %s', (_n, over, ok) => {
    expect(validatePractice({ ...good, ...over }, '', '1.1').ok).toBe(ok);
  });
});
