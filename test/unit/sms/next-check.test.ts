import { describe, expect, it } from 'vitest';
import { nextAfterRefusal, nextCheck, URGENCY } from '../../../src/sms/next-check';

const at = new Date('2026-12-01T02:00:00Z');
const policy = { soonHours: 20, verifiedRefreshDays: 7, noNumbersRefreshDays: 3 };
const hoursAfter = (d: Date) => (d.getTime() - at.getTime()) / 3_600_000;

describe('nextCheck', () => {
  it.each([
    [['verified'], 'verified', 7 * 24],
    [['verified', 'verified'], 'verified', 7 * 24],
    [['verified', 'pending'], 'pending', 20],
    [['not_started'], 'pending', 20],
    [['update_required'], 'pending', 20],
    [['rejected'], 'pending', 20],
    [['unknown'], 'pending', 20],
    [[], 'no_numbers', 3 * 24],
  ] as const)('statuses %j: %s, after %d hours', (statuses, reason, hours) => {
    const n = nextCheck(statuses, at, policy);
    expect({ reason: n.reason, hours: hoursAfter(n.nextCheckAt) }).toEqual({ reason, hours });
  });

  it('checks an account the vendor refused (4011) again at the no-numbers refresh', () => {
    expect(nextAfterRefusal(at, policy)).toEqual({ reason: 'refused', nextCheckAt: new Date(at.getTime() + 3 * 24 * 3_600_000) });
  });

  it('ranks an event since the last check first and the weekly refresh after the never-checked', () => {
    const order = ['verified', 'never', 'pending', 'saved', 'no_numbers'].sort((a, b) => URGENCY[a]! - URGENCY[b]!);
    expect(order).toEqual(['saved', 'pending', 'never', 'verified', 'no_numbers']);
  });
});
