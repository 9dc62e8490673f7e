import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hmacHeaders, hmacMessage, updoxTimestamp } from '../../../src/updox/hmac';
import { practiceRequestSchema, replySchemas } from '../../../src/updox/wire';

describe('hmac (updox-api.md §1.3)', () => {
  const auth = { applicationId: 'app', applicationPassword: 'pwd', accountId: '', userId: '' };
  const at = new Date(Date.UTC(2013, 10, 20, 17, 36, 0));
  it('formats the timestamp in GMT', () => {
    expect(updoxTimestamp(at)).toBe('2013-11-20 17:36:00 (GMT)');
  });
  it('joins five values with colons, empty values keeping their place', () => {
    expect(hmacMessage(auth, '2013-11-20 17:36:00 (GMT)')).toBe('app:pwd:::2013-11-20 17:36:00 (GMT)');
    expect(hmacMessage({ ...auth, accountId: '100', userId: '200' }, 'T')).toBe('app:pwd:100:200:T');
  });
  it('signs with HMAC-SHA1 base64 after "HMAC "', () => {
    const h = hmacHeaders(auth, 'sekret', at);
    const expected = createHmac('sha1', 'sekret').update('app:pwd:::2013-11-20 17:36:00 (GMT)').digest('base64');
    expect(h).toEqual({ 'updox-timestamp': '2013-11-20 17:36:00 (GMT)', authorization: `HMAC ${expected}` });
  });
});

describe('wire schemas', () => {
  it('keeps active as given and every unknown field verbatim, whatever its JSON type', () => {
    const p = practiceRequestSchema.parse({ accountId: 'a', name: 'N', active: true, practiceNpi: '123', port: 8443, defaultConsentMethods: ['sms'], metadata: { k: 1 } });
    expect(p).toEqual({ accountId: 'a', name: 'N', active: true, practiceNpi: '123', port: 8443, defaultConsentMethods: ['sms'], metadata: { k: 1 } });
  });
  it('refuses a practice whose fields have the wrong type', () => {
    expect(practiceRequestSchema.safeParse({ accountId: 1 }).success).toBe(false);
    expect(practiceRequestSchema.safeParse({ accountId: 'a', phone: 6145550100 }).success).toBe(false);
  });
  it('keeps unknown reply fields at every level', () => {
    const r = replySchemas.PracticeGet.parse({ successful: true, responseCode: 2000, responseMessage: 'OK', extra: 1, practice: { accountId: 'a', newField: 'x' } });
    expect(r).toMatchObject({ extra: 1, practice: { accountId: 'a', newField: 'x' } });
    const n = replySchemas.SmsSendNumberList.parse({ numbers: [{ number: '8885550123', verificationStatus: 'PENDING', carrier: 'x' }] });
    expect(n.numbers[0]).toMatchObject({ carrier: 'x' });
  });
  it('requires the payload of a read, but leaves list entries to be read one by one', () => {
    expect(replySchemas.PracticeList.safeParse({ responseCode: 2000 }).success).toBe(false);
    expect(replySchemas.SmsSendNumberList.safeParse({ numbers: 'none' }).success).toBe(false);
    expect(replySchemas.SmsSendNumberList.safeParse({ numbers: [{ verificationStatus: 'PENDING' }] }).success).toBe(true);
    expect(replySchemas.PracticeList.safeParse({ practiceList: [{ accountId: 12345 }, null] }).success).toBe(true);
  });
  it('reads a numeric accountId in PracticeGet as its string', () => {
    expect(replySchemas.PracticeGet.parse({ practice: { accountId: 12345, name: 'N' } }).practice).toEqual({ accountId: '12345', name: 'N' });
  });
});
