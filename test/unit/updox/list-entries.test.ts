/** Reading PracticeList and SmsSendNumberList entries one by one (list-entries.ts). */
import { describe, expect, it } from 'vitest';
import { emptyTally, readNumberEntry, readPracticeEntry, SAMPLE_LIMIT, tallySkip } from '../../../src/updox/list-entries';

describe('readPracticeEntry', () => {
  it('reads a numeric accountId as its string and keeps every other field', () => {
    expect(readPracticeEntry({ accountId: 12345, name: 'N', metadata: '', partnerNote: { a: 1 } }))
      .toEqual({ ok: true, id: '12345', entry: { accountId: '12345', name: 'N', metadata: '', partnerNote: { a: 1 } } });
    expect(readPracticeEntry({ accountId: ' a1 ', postal: 43017, active: 'true' })).toMatchObject({ ok: true, id: 'a1', entry: { postal: 43017 } });
  });
  it.each([
    [null, 'not_object'], ['a1', 'not_object'], [[{ accountId: 'a' }], 'not_object'], [{ name: 'N' }, 'missing_id'], [{ accountId: '  ' }, 'missing_id'],
    [{ accountId: 1.5 }, 'bad_id'], [{ accountId: { id: 1 } }, 'bad_id'], [{ accountId: 'a', city: ['x'] }, 'bad_field'], [{ accountId: 'a', active: 'yes' }, 'bad_field'],
  ])('skips %j as %s', (item, reason) => {
    const r = readPracticeEntry(item);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.skip.reason).toBe(reason);
  });
  it('names the id of a skipped entry when it could be read', () => {
    expect(readPracticeEntry({ accountId: 'a', name: { x: 1 } })).toEqual({ ok: false, skip: { id: 'a', reason: 'bad_field', detail: 'name is a object' } });
  });
});

describe('readNumberEntry', () => {
  it('reads a numeric number and ownerId as strings', () => {
    expect(readNumberEntry({ number: 8885550123, verificationStatus: 'PENDING', ownerId: 7 }))
      .toEqual({ ok: true, id: '8885550123', entry: { number: '8885550123', verificationStatus: 'PENDING', ownerId: '7' } });
  });
  it.each([
    [{ verificationStatus: 'PENDING' }, 'missing_id'], [{ number: '8885550123' }, 'bad_field'], [{ number: '8885550123', verificationStatus: 3 }, 'bad_field'], [7, 'not_object'],
  ])('skips %j as %s', (item, reason) => {
    const r = readNumberEntry(item);
    expect(r.ok ? null : r.skip.reason).toBe(reason);
  });
});

describe('tallySkip', () => {
  it('counts by reason and keeps the first few as examples', () => {
    const t = emptyTally();
    for (let i = 0; i < SAMPLE_LIMIT + 5; i++) tallySkip(t, { index: i, id: null, reason: i % 2 ? 'missing_id' : 'not_object', detail: 'x' });
    expect(t.total).toBe(SAMPLE_LIMIT + 5);
    expect(t.byReason).toEqual({ not_object: 13, missing_id: 12 });
    expect(t.samples).toHaveLength(SAMPLE_LIMIT);
  });
});
