/**
 * When an account's SMS numbers are due for their next check, from what we know. Pure.
 *
 * - soon (`soonHours`, default 20: within the night after): a number not started, pending,
 *   update-required, rejected or of an unknown status, or a failed check;
 * - every number verified: `verifiedRefreshDays` (default 7);
 * - no numbers, or the vendor refused the account (4011): `noNumbersRefreshDays` (default 7).
 * Events that make an account due at once are read at selection time (number-checks.ts): a
 * practice saved, or its details newly complete, since the last check; a 4039 recorded since.
 * A verification webhook recomputes the time from the account's stored statuses.
 */
import type { NumberStatus } from './number-status';

export interface CheckPolicy {
  soonHours: number;
  verifiedRefreshDays: number;
  noNumbersRefreshDays: number;
}

export type CheckReason = 'pending' | 'verified' | 'no_numbers' | 'refused' | 'failed';

export interface NextCheck { nextCheckAt: Date; reason: CheckReason }

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The next check after one that listed these statuses (empty: the account has no number). */
export function nextCheck(statuses: readonly NumberStatus[], at: Date, p: CheckPolicy): NextCheck {
  const plus = (ms: number) => new Date(at.getTime() + ms);
  if (!statuses.length) return { nextCheckAt: plus(p.noNumbersRefreshDays * DAY), reason: 'no_numbers' };
  if (statuses.every((s) => s === 'verified')) return { nextCheckAt: plus(p.verifiedRefreshDays * DAY), reason: 'verified' };
  return { nextCheckAt: plus(p.soonHours * HOUR), reason: 'pending' };
}

/** After a check that the vendor refused for the account (4011) or that failed. */
export function nextAfterRefusal(at: Date, p: CheckPolicy): NextCheck {
  return { nextCheckAt: new Date(at.getTime() + p.noNumbersRefreshDays * DAY), reason: 'refused' };
}

/**
 * Selection order, most urgent first: an event since the last check (0), numbers still in
 * progress or a failed check (1), never checked (2), the verified refresh (3), none or refused (4).
 */
export const URGENCY: Record<string, number> = {
  saved: 0, details_insufficient: 0, newly_complete: 0, pending: 1, failed: 1, never: 2, verified: 3, no_numbers: 4, refused: 4,
};
