import { describe, expect, it } from 'vitest';
import { canSend, normalizeNumberStatus } from '../../../src/sms/number-status';

describe('normalizeNumberStatus', () => {
  it.each([
    ['NOT_STARTED', 'not_started'],
    ['PENDING', 'pending'],
    ['VERIFIED', 'verified'],
    ['REJECTED', 'rejected'],
    ['UPDATE_REQUIRED', 'update_required'],
    [' verified ', 'verified'],
    ['Update required', 'update_required'],
    ['update-required', 'update_required'],
    ['IN_REVIEW', 'unknown'],
    ['APPROVED', 'unknown'],
    ['', 'unknown'],
    [null, 'unknown'],
    [undefined, 'unknown'],
  ])('maps %j to %s', (raw, want) => expect(normalizeNumberStatus(raw)).toBe(want));

  it('lets only verified numbers send', () => {
    expect(canSend('verified')).toBe(true);
    expect(canSend('pending')).toBe(false);
  });
});
