/** The lost-reply check (payloadDifferences) and the pass-through helpers of payload.ts. */
import { describe, expect, it } from 'vitest';
import { emptyPracticeValues } from '../../../src/practice';
import { holdsPayload, payloadDifferences } from '../../../src/sync/apply-rules';
import { extraFields, toPayload } from '../../../src/sync/payload';
import type { UpdoxPractice } from '../../../src/updox/types';

/** A read in the real client's recorded shape ([S23] test/samples): no 1.1 fields, vetted, metadata "", directAddress null. */
const recordedRead = {
  accountId: 'a1', name: 'Clinic', address1: '1 Main St', address2: '', city: 'Dublin', state: 'OH', postal: '43017', phone: '5555559720',
  fax: '', directAddress: null, directDomain: 'clinic.direct.example', websiteAddress: 'clinicportal', metadata: '', timeZone: 'America/New_York',
  vetted: false, active: true,
};
const sent: UpdoxPractice = {
  accountId: 'a1', name: 'Clinic', address1: '1 Main St', city: 'Dublin', state: 'OH', postal: '43017', phone: '5555559720',
  directDomain: 'clinic.direct.example', websiteAddress: 'clinicportal', metadata: '', timeZone: 'America/New_York', active: 'true',
  websiteUrl: 'https://clinic.example', alternativeWebsiteUrl: 'https://social.example/clinic', country: 'US',
};

describe('payloadDifferences', () => {
  it('confirms a save from a read that lacks the 1.1 fields: a key it does not return is not a difference', () => {
    expect(payloadDifferences(recordedRead, sent)).toEqual([]);
    expect(holdsPayload(recordedRead, sent)).toBe(true);
  });
  it('still tells a field the read returns with another value, empty included', () => {
    expect(payloadDifferences({ ...recordedRead, city: 'Columbus' }, sent)).toEqual([{ field: 'city', sent: 'Dublin', remote: 'Columbus' }]);
    expect(payloadDifferences({ ...recordedRead, websiteUrl: '' }, sent)).toEqual([{ field: 'websiteUrl', sent: 'https://clinic.example', remote: null }]);
  });
  it('compares the fields we do not model as JSON values, when the read returns them', () => {
    const withExtras = { ...sent, practiceNpi: '1234567893', partnerNote: { b: 1, a: [true] } };
    expect(payloadDifferences({ ...recordedRead, practiceNpi: '1234567893', partnerNote: { a: [true], b: 1 } }, withExtras)).toEqual([]);
    expect(payloadDifferences({ ...recordedRead, practiceNpi: '999' }, withExtras)).toEqual([{ field: 'practiceNpi', sent: '1234567893', remote: '999' }]);
  });
});

describe('extraFields / toPayload', () => {
  it('keeps every key we do not model verbatim, minus the read-only ones', () => {
    expect(extraFields({ ...recordedRead, practiceNpi: '1', port: 8443, defaultConsentMethods: ['sms'] }, ['vetted']))
      .toEqual({ metadata: '', practiceNpi: '1', port: 8443, defaultConsentMethods: ['sms'] });
  });
  it('lets a modelled field win over an extra of the same name', () => {
    const v = { ...emptyPracticeValues(), name: 'Ours', active: true };
    expect(toPayload('a1', v, { name: 'theirs', metadata: 'm' })).toEqual({ accountId: 'a1', name: 'Ours', active: 'true', metadata: 'm' });
  });
});
