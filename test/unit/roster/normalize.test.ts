import { describe, expect, it } from 'vitest';
import { sourceSchema, type RosterField, type SourceConfig } from '../../../src/config';
import { normalizePhone } from '../../../src/roster/normalize-phone';
import { normalizePostal } from '../../../src/roster/normalize-postal';
import { normalizeUrl } from '../../../src/roster/normalize-url';
import { lookupState } from '../../../src/roster/us-states';
import { makeRules, normalizeRow, quickValid, rowSchema, type RawFields } from '../../../src/roster/normalize';
import { managedFieldsOf } from '../../../src/roster/managed-fields';

describe('normalizePhone', () => {
  it.each([
    ['(334) 222-8466', '3342228466', []],
    ['+1 402-421-2924', '4024212924', []],
    ['1-402-421-2924', '4024212924', []],
    ['001 402 421 2924', '4024212924', []],
    ['402.421.2924', '4024212924', []],
    ['9106096740.0', '9106096740', []],
    ['4024212924', '4024212924', []],
    ['402-421-2924 ext 12', '4024212924', ['extension_dropped']],
    ['402-421-2924 x12', '4024212924', ['extension_dropped']],
    ['402-421-2924, 402-555-1234', '4024212924', ['extra_numbers']],
    ['(671) 647-2552', '6716472552', []],
  ])('%s → %s', (input, digits, warnings) => {
    const r = normalizePhone(input);
    expect(r.issue).toBeUndefined();
    expect(r.value).toBe(digits);
    expect((r.warnings ?? []).map((w) => w.rule)).toEqual(warnings);
  });
  it.each([['555-1234'], ['(856) 111-1111'], ['0936933841'], ['+44 20 7946 0958'], ['call us'], ['5151266119.0']])('rejects %s', (input) => {
    expect(normalizePhone(input).issue).toBeDefined();
  });
  it('names a foreign number as non-US', () => expect(normalizePhone('+44 20 7946 0958').issue?.rule).toBe('non_us'));
});

describe('normalizePostal', () => {
  it.each([
    ['43215', null, 'OH', '43215'],
    ['43215', '0001', 'OH', '432150001'],
    ['43215-0001', null, 'OH', '432150001'],
    ['283044552.0', null, 'NC', '283044552'],
    ['7102', null, 'NJ', '07102'],
    ['907', null, 'PR', '00907'],
    ['1945', '12', 'MA', '019450012'],
    ['60450881.0', null, 'NJ', null],
    ['78012345', null, 'NJ', '078012345'],
  ])('%s + %s (%s) → %s', (zip, ext, state, out) => {
    const r = normalizePostal(zip, ext, state);
    expect(r.value).toBe(out);
    if (out === null) expect(r.issue?.rule).toBe('invalid');
  });
  it('does not guess a zero for a state whose ZIPs do not start with 0', () => {
    expect(normalizePostal('9021', null, 'CA').issue?.rule).toBe('invalid');
  });
});

describe('normalizeUrl', () => {
  it.each([
    ['www.Example.COM', 'https://www.example.com'],
    ['HTTP://WWW.X.ORG/Path?q=1', 'http://www.x.org/Path?q=1'],
    ['https://x.org/', 'https://x.org'],
    ['http:www.skiffmed.com', 'http://www.skiffmed.com'],
    ['http://a.org/locations/madison .aspx', 'http://a.org/locations/madison.aspx'],
  ])('%s → %s', (input, out) => expect(normalizeUrl(input).value).toBe(out));
  it.each([['NOT AVAILABLE'], ['red bud regional hospital'], ['ftp://x.org'], ['http://174.121.93.48/x'], ['x']])('rejects %s', (input) => {
    expect(normalizeUrl(input).issue?.rule).toBe('invalid');
  });
});

describe('lookupState', () => {
  it.each([['oh', 'OH'], ['Ohio', 'OH'], ['Puerto Rico', 'PR'], ['D.C.', 'DC'], ['District of Columbia', 'DC'], ['GU', 'GU'], ['U.S. Virgin Islands', 'VI'], ['AS', 'AS'], ['MP', 'MP'], ['new  york', 'NY']])('%s → %s', (input, code) => {
    expect(lookupState(input)).toEqual({ code });
  });
  it.each([['PW'], ['FM'], ['MH'], ['Ontario'], ['QC']])('%s is non-US', (input) => expect(lookupState(input)).toHaveProperty('nonUs'));
  it('does not know XX', () => expect(lookupState('XX')).toBeNull());
});

const source = (over: Record<string, unknown> = {}) => sourceSchema.parse({ name: 's', kind: 'csv', path: 'x', ...over }) as SourceConfig;
const ALL: RosterField[] = ['externalId', 'name', 'address1', 'address2', 'city', 'state', 'postal', 'postalExt', 'phone', 'fax', 'websiteUrl', 'timeZone', 'managerEmail', 'active'];
const norm = (raw: RawFields, over: Record<string, unknown> = {}, mapped: RosterField[] = ALL) => normalizeRow(raw, makeRules(source(over), mapped));

describe('normalizeRow', () => {
  it('normalizes a messy but valid row', () => {
    const r = norm({ externalId: ' 42 ', name: '  Riverside   Peds ', address1: 'PO Box 12', state: 'new jersey', postal: '7102', phone: 'NOT AVAILABLE', websiteUrl: 'WWW.RIVER.example', managerEmail: 'Priya@Partner.Example', active: 'OPEN' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.row).toMatchObject({ externalId: '42', managerEmail: 'priya@partner.example' });
    expect(r.row.values).toMatchObject({ name: 'Riverside Peds', state: 'NJ', postal: '07102', phone: null, country: 'US', websiteUrl: 'https://www.river.example', timeZone: 'America/New_York', active: true });
    expect(r.warnings.map((w) => `${w.field}:${w.rule}`).sort()).toEqual(['address1:po_box', 'phone:placeholder', 'postal:leading_zero_restored']);
  });
  it('quarantines with every problem named', () => {
    const r = norm({ externalId: '', name: 'x'.repeat(101), state: 'ZZ', phone: '123', websiteUrl: 'not a site' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => `${i.field}:${i.rule}`).sort()).toEqual(['externalId:required', 'name:too_long', 'phone:invalid', 'state:invalid']);
    expect(r.warnings.map((w) => `${w.field}:${w.rule}`)).toContain('websiteUrl:dropped');
  });
  it.each([
    ['websiteUrl', 'red bud regional hospital'],
    ['alternativeWebsiteUrl', 'call us'],
    ['fax', '555'],
    ['timeZone', 'Central Standard Time'],
    ['websiteUrl', `https://example.com/${'x'.repeat(300)}`],
  ])('drops a bad optional %s with a coded warning and keeps the row', (field, value) => {
    const r = norm({ externalId: '9', name: 'Red Bud Clinic', [field]: value });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.row.values[field as 'fax']).toBeNull();
    const w = r.warnings.find((x) => x.field === field && x.rule === 'dropped');
    expect(w?.message).toContain('dropped, the row goes on');
  });
  it('keeps formula-looking cells as text and flags them', () => {
    const r = norm({ externalId: '7', name: '=HYPERLINK("http://evil")', city: '@SUM(A1)' });
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.row.values.name).toBe('=HYPERLINK("http://evil")');
    expect(r.warnings.filter((w) => w.rule === 'formula_like')).toHaveLength(2);
  });
  it('leaves unmapped fields null and derives time zone from state only when asked', () => {
    const r = norm({ externalId: '1', name: 'A', state: 'AZ' }, { timeZoneFromState: false }, ['externalId', 'name', 'state']);
    expect(r.ok && r.row.values).toMatchObject({ timeZone: null, phone: null, active: null, country: 'US' });
  });
  it('assigns managers by rules, by single and by column default', () => {
    const rules = { assign: { by: 'rules', rules: [{ manager: 'west@p.example', states: ['CA'] }, { manager: 'tx@p.example', externalIdPrefix: 'TX-' }], default: 'd@p.example' } };
    expect(norm({ externalId: '1', name: 'A', state: 'CA' }, rules)).toMatchObject({ row: { managerEmail: 'west@p.example' } });
    expect(norm({ externalId: 'TX-9', name: 'A', state: 'OH' }, rules)).toMatchObject({ row: { managerEmail: 'tx@p.example' } });
    expect(norm({ externalId: '2', name: 'A', state: 'OH' }, rules)).toMatchObject({ row: { managerEmail: 'd@p.example' } });
    expect(norm({ externalId: '2', name: 'A' }, { assign: { by: 'single', manager: 's@p.example' } })).toMatchObject({ row: { managerEmail: 's@p.example' } });
    expect(norm({ externalId: '2', name: 'A', managerEmail: 'nope' })).toMatchObject({ ok: false, issues: [{ field: 'managerEmail', rule: 'invalid' }] });
  });
  it('rejects a non-US country and a bad active value', () => {
    const r = norm({ externalId: '1', name: 'A', active: 'maybe' });
    expect(r.ok).toBe(false);
  });
});

describe('quickValid agrees with the zod schema', () => {
  const base = { externalId: '1', name: 'A', address1: null, address2: null, city: null, state: 'OH', postal: '43215', country: 'US', phone: '6145550100', fax: null, websiteUrl: 'https://a.example', alternativeWebsiteUrl: null, websiteAddress: null, timeZone: null, directDomain: null, directAddress: null, managerEmail: 'a@b.example', active: null };
  it.each([
    [{}], [{ name: '' }], [{ name: 'x'.repeat(101) }], [{ state: 'ZZ' }], [{ postal: '1234' }], [{ phone: '123' }], [{ websiteUrl: 'nope' }],
    [{ managerEmail: 'bad' }], [{ websiteAddress: 'has space' }], [{ address1: 'y'.repeat(256) }], [{ externalId: '' }], [{ postal: '123456789' }],
  ])('%o', (over) => {
    const row = { ...base, ...over };
    expect(quickValid(row)).toBe(rowSchema().safeParse(row).success);
  });
});

describe('managedFieldsOf', () => {
  it('adds country with state, timeZone when derived, postal with postalExt', () => {
    expect(managedFieldsOf(['externalId', 'name', 'state', 'postalExt'], true)).toEqual(['name', 'state', 'postal', 'country', 'timeZone']);
    expect(managedFieldsOf(['externalId', 'name', 'phone'], true)).toEqual(['name', 'phone']);
  });
});
