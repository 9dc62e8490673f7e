import { describe, expect, it } from 'vitest';
import {
  auditPractice, FINDING_CODES, isPoBox, isValidEmail, isValidPhone, isValidUrl,
  type AuditInput, type FindingCode, type PartnerBusinessDetails,
} from '../../../src/sms/business-details';
import { emptyPracticeValues } from '../../../src/practice';

const partner: PartnerBusinessDetails = {
  website: 'https://partner.example',
  contactFirstName: 'Dana',
  contactLastName: 'Whitfield',
  contactEmail: 'dana@partner.example',
  contactPhone: '6145550199',
};

const practice = (over: Partial<AuditInput> = {}): AuditInput => ({
  ...emptyPracticeValues(),
  accountId: 'acc-1',
  apiVersion: '1.1',
  name: 'Riverside Pediatrics',
  address1: '12 Elm Street',
  address2: null,
  city: 'Columbus',
  state: 'OH',
  postal: '43215',
  country: 'US',
  websiteUrl: 'https://riversidepeds.example',
  active: true,
  ...over,
});

type Expect = { code: FindingCode; field?: string; side?: 'account' | 'partner'; severity: 'error' | 'warning' };
interface Case {
  name: string;
  p?: Partial<AuditInput>;
  partner?: Partial<PartnerBusinessDetails>;
  status: 'complete' | 'warnings' | 'incomplete';
  findings: Expect[];
}

const cases: Case[] = [
  { name: 'a complete practice has no findings', status: 'complete', findings: [] },
  { name: 'an empty address2 is not a finding', p: { address2: '' }, status: 'complete', findings: [] },
  { name: 'a 9-digit postal and a territory-free state pass', p: { postal: '432150001' }, status: 'complete', findings: [] },
  { name: 'a missing business name', p: { name: '  ' }, status: 'incomplete', findings: [{ code: 'MISSING_FIELD', field: 'name', severity: 'error' }] },
  {
    name: 'missing address1, city, state and postal',
    p: { address1: null, city: '', state: null, postal: null },
    status: 'incomplete',
    findings: [
      { code: 'MISSING_FIELD', field: 'address1', severity: 'error' },
      { code: 'MISSING_FIELD', field: 'city', severity: 'error' },
      { code: 'MISSING_FIELD', field: 'state', severity: 'error' },
      { code: 'MISSING_FIELD', field: 'postal', severity: 'error' },
    ],
  },
  { name: 'a state that is not a USPS code', p: { state: 'Ohio' }, status: 'incomplete', findings: [{ code: 'INVALID_STATE', field: 'state', severity: 'error' }] },
  { name: 'a military state code is not a business address', p: { state: 'AE' }, status: 'incomplete', findings: [{ code: 'INVALID_STATE', field: 'state', severity: 'error' }] },
  { name: 'a postal with 6 digits', p: { postal: '432155' }, status: 'incomplete', findings: [{ code: 'INVALID_POSTAL', field: 'postal', severity: 'error' }] },
  { name: 'a postal with a dash', p: { postal: '43215-0001' }, status: 'incomplete', findings: [{ code: 'INVALID_POSTAL', field: 'postal', severity: 'error' }] },
  { name: 'a PO box as the only address', p: { address1: 'P.O. Box 123' }, status: 'incomplete', findings: [{ code: 'PO_BOX_ONLY', field: 'address1', severity: 'error' }] },
  { name: 'a PO box in both lines', p: { address1: 'PO Box 1', address2: 'Post Office Box 2' }, status: 'incomplete', findings: [{ code: 'PO_BOX_ONLY', field: 'address1', severity: 'error' }] },
  { name: 'a PO box first with the street in address2', p: { address1: 'PO Box 1', address2: '12 Elm Street' }, status: 'warnings', findings: [{ code: 'PO_BOX_PRIMARY', field: 'address1', severity: 'warning' }] },
  { name: 'a street with a box on line 1 is a physical address (a warning)', p: { address1: '6801 AIRPORT BOULEVARD, PO BOX 850429' }, status: 'warnings', findings: [{ code: 'PO_BOX_WITH_STREET', field: 'address1', severity: 'warning' }] },
  { name: 'a rural-route box locates the practice (a warning)', p: { address1: 'RR 8 BOX 3311' }, status: 'warnings', findings: [{ code: 'RURAL_ROUTE', field: 'address1', severity: 'warning' }] },
  { name: 'a PO box in address2 beside a street is fine', p: { address2: 'PO Box 9' }, status: 'complete', findings: [] },
  { name: 'no practice website falls back to the partner website', p: { websiteUrl: null }, status: 'warnings', findings: [{ code: 'WEBSITE_FALLBACK', field: 'websiteUrl', severity: 'warning' }] },
  {
    name: 'no website anywhere',
    p: { websiteUrl: null },
    partner: { website: '' },
    status: 'incomplete',
    findings: [
      { code: 'MISSING_FIELD', field: 'websiteUrl', side: 'account', severity: 'error' },
      { code: 'MISSING_FIELD', field: 'website', side: 'partner', severity: 'error' },
    ],
  },
  { name: 'only the alternative website', p: { websiteUrl: '', alternativeWebsiteUrl: 'https://social.example/riverside' }, status: 'warnings', findings: [{ code: 'WEBSITE_ALTERNATIVE_ONLY', field: 'websiteUrl', severity: 'warning' }] },
  { name: 'a website without a scheme', p: { websiteUrl: 'riversidepeds.example' }, status: 'incomplete', findings: [{ code: 'INVALID_URL', field: 'websiteUrl', severity: 'error' }] },
  { name: 'an alternative website that is not http(s)', p: { alternativeWebsiteUrl: 'ftp://x.example' }, status: 'incomplete', findings: [{ code: 'INVALID_URL', field: 'alternativeWebsiteUrl', severity: 'error' }] },
  { name: 'a partner website that is not a URL', partner: { website: 'not a url' }, status: 'incomplete', findings: [{ code: 'INVALID_URL', field: 'website', side: 'partner', severity: 'error' }] },
  {
    name: 'a legacy account without an address',
    p: { apiVersion: 'legacy', address1: null },
    status: 'incomplete',
    findings: [
      { code: 'MISSING_FIELD', field: 'address1', severity: 'error' },
      { code: 'LEGACY_NO_ADDRESS', field: 'address1', severity: 'error' },
    ],
  },
  { name: 'a legacy account with only a PO box', p: { apiVersion: 'legacy', address1: 'PO Box 5' }, status: 'incomplete', findings: [{ code: 'PO_BOX_ONLY', field: 'address1', severity: 'error' }, { code: 'LEGACY_NO_ADDRESS', field: 'address1', severity: 'error' }] },
  { name: 'a legacy account with an address', p: { apiVersion: 'legacy' }, status: 'warnings', findings: [{ code: 'LEGACY_API', severity: 'warning' }] },
  { name: 'an unknown api version is not treated as legacy', p: { apiVersion: null, address1: null }, status: 'incomplete', findings: [{ code: 'MISSING_FIELD', field: 'address1', severity: 'error' }] },
  { name: 'a territory state', p: { state: 'PR', postal: '00901' }, status: 'warnings', findings: [{ code: 'TERRITORY', field: 'state', severity: 'warning' }] },
  { name: 'a territory given as the country', p: { country: 'GUM', state: 'GU' }, status: 'warnings', findings: [{ code: 'TERRITORY', field: 'state', severity: 'warning' }] },
  { name: 'a non-US country', p: { country: 'CA' }, status: 'incomplete', findings: [{ code: 'NON_US_COUNTRY', field: 'country', severity: 'error' }] },
  { name: 'a missing country is assumed US', p: { country: null }, status: 'warnings', findings: [{ code: 'COUNTRY_ASSUMED', field: 'country', severity: 'warning' }] },
  {
    name: 'a website the roster had but the import dropped is named',
    p: { rosterDropped: [{ field: 'websiteUrl', message: 'not a URL: "red bud regional hospital" [invalid]: dropped, the row goes on' }] },
    status: 'warnings',
    findings: [{ code: 'ROSTER_VALUE_DROPPED', field: 'websiteUrl', severity: 'warning' }],
  },
  { name: 'country spelled out', p: { country: 'United States' }, status: 'complete', findings: [] },
  {
    name: 'missing partner contact',
    partner: { contactFirstName: '', contactLastName: ' ', contactEmail: '', contactPhone: '' },
    status: 'incomplete',
    findings: [
      { code: 'MISSING_FIELD', field: 'contactFirstName', side: 'partner', severity: 'error' },
      { code: 'MISSING_FIELD', field: 'contactLastName', side: 'partner', severity: 'error' },
      { code: 'MISSING_FIELD', field: 'contactEmail', side: 'partner', severity: 'error' },
      { code: 'MISSING_FIELD', field: 'contactPhone', side: 'partner', severity: 'error' },
    ],
  },
  { name: 'a generic contact first name', partner: { contactFirstName: 'Admin', contactLastName: 'User' }, status: 'incomplete', findings: [{ code: 'GENERIC_CONTACT', field: 'contactFirstName', side: 'partner', severity: 'error' }] },
  { name: 'a generic contact spread over both names', partner: { contactFirstName: 'Front', contactLastName: 'Desk' }, status: 'incomplete', findings: [{ code: 'GENERIC_CONTACT', field: 'contactFirstName', side: 'partner', severity: 'error' }] },
  { name: 'a generic contact last name', partner: { contactFirstName: 'Dana', contactLastName: 'SUPPORT' }, status: 'incomplete', findings: [{ code: 'GENERIC_CONTACT', field: 'contactLastName', side: 'partner', severity: 'error' }] },
  { name: 'an invalid contact email', partner: { contactEmail: 'dana@partner' }, status: 'incomplete', findings: [{ code: 'INVALID_EMAIL', field: 'contactEmail', side: 'partner', severity: 'error' }] },
  { name: 'a role mailbox as contact email', partner: { contactEmail: 'info@partner.example' }, status: 'warnings', findings: [{ code: 'GENERIC_CONTACT_EMAIL', field: 'contactEmail', side: 'partner', severity: 'warning' }] },
  { name: 'a contact phone with 9 digits', partner: { contactPhone: '614555019' }, status: 'incomplete', findings: [{ code: 'INVALID_PHONE', field: 'contactPhone', side: 'partner', severity: 'error' }] },
  { name: 'a formatted contact phone with +1 passes', partner: { contactPhone: '+1 (614) 555-0199' }, status: 'complete', findings: [] },
  { name: 'a bare partner website host passes', partner: { website: 'partner.example' }, status: 'complete', findings: [] },
];

describe('auditPractice', () => {
  it.each(cases)('$name', (c) => {
    const res = auditPractice(practice(c.p), { ...partner, ...c.partner });
    const got = res.findings.map((f) => ({ code: f.code, field: f.field, side: f.side, severity: f.severity }));
    const want = c.findings.map((f) => ({ code: f.code, field: f.field, side: f.side ?? 'account', severity: f.severity }));
    expect(got).toEqual(want);
    expect(res.status).toBe(c.status);
    for (const f of res.findings) expect(f.message.length).toBeGreaterThan(10);
  });

  it('says what to do in every finding, in plain words, without codes', () => {
    for (const c of cases) {
      for (const f of auditPractice(practice(c.p), { ...partner, ...c.partner }).findings) {
        // Two sentences at most: what is wrong, then what to do (or that nothing is to do).
        expect(f.message, `${c.name}: ${f.code}`).toMatch(/\b(Add|Swap|Use|use|keep|Write|Correct|correct|Set|Name|change|remove|Nothing to do|nothing to do)\b/);
        expect(f.message, `${c.name}: ${f.code}`).not.toMatch(/\b[A-Z]+_[A-Z_]+\b|\bfix no\b|, then resubmit/);
        expect(f.message).toMatch(/^[A-Z].*[.]$/);
      }
    }
  });

  it('covers every finding code in the table above', () => {
    const covered = new Set(cases.flatMap((c) => c.findings.map((f) => f.code)));
    expect([...FINDING_CODES].filter((c) => !covered.has(c))).toEqual([]);
  });

  it('treats an empty country as the configured default country', () => {
    expect(auditPractice(practice({ country: '' }), partner, { defaultCountry: 'US' }).status).toBe('complete');
  });

  it('accepts a custom list of generic contact names', () => {
    const res = auditPractice(practice(), { ...partner, contactFirstName: 'Dana' }, { genericContactNames: ['dana'] });
    expect(res.findings.map((f) => f.code)).toEqual(['GENERIC_CONTACT']);
  });
});

describe('format helpers', () => {
  it.each([
    ['PO Box 12', true], ['P.O. Box 12', true], ['p o box 12', true], ['POBox 5', true], ['Post Office Box 3', true],
    ['PO Drawer 4', true], ['Box 9', true], ['POB 3', true], ['12 Polo Box Rd', false], ['12 Elm Street', false],
    ['1 Boxwood Lane', false], ['Suite 200', false],
  ])('isPoBox(%s) = %s', (v, want) => expect(isPoBox(v)).toBe(want));

  it.each([
    ['https://a.example', true], ['http://a.example/x?y', true], ['a.example', false], ['https://localhost', false],
    ['javascript:alert(1)', false], ['https://a .example', false],
  ])('isValidUrl(%s) = %s', (v, want) => expect(isValidUrl(v)).toBe(want));

  it.each([['a@b.co', true], ['a@b', false], ['a b@c.co', false], ['@c.co', false]])('isValidEmail(%s) = %s', (v, want) =>
    expect(isValidEmail(v)).toBe(want));

  it.each([['6145550199', true], ['16145550199', true], ['26145550199', false], ['555-0199', false]])('isValidPhone(%s) = %s', (v, want) =>
    expect(isValidPhone(v)).toBe(want));
});
