/**
 * Derives an Updox accountId from the partner's external id, deterministically and safely:
 * the same external id always gives the same accountId (so a repeated create targets the same
 * account), and two different external ids never give the same accountId (an id that had to be
 * altered — disallowed characters, too long, case folded — gets a hash suffix of the original).
 * Pure.
 */
import { createHash } from 'node:crypto';

export interface AccountIdRule {
  prefix: string;
  /** Allowed characters as a regex character-class body, e.g. `A-Za-z0-9._-`. */
  charset: string;
  maxLength: number;
}

const HASH_LEN = 10;

export function deriveAccountId(externalId: string, rule: AccountIdRule): string {
  const id = externalId.trim();
  if (!id) throw new Error('external id is empty');
  const disallowed = disallowedChars(rule.charset);
  const cleaned = id.replace(disallowed, '-');
  const plain = `${rule.prefix}${cleaned}`;
  if (cleaned === id && plain.length <= rule.maxLength) return plain;
  // Altered or too long: keep a readable stem and make it unique with a hash of the original id.
  const hash = createHash('sha256').update(id).digest('hex').slice(0, HASH_LEN);
  const room = rule.maxLength - rule.prefix.length - HASH_LEN - 1;
  if (room < 1) throw new Error(`accountId maxLength ${rule.maxLength} leaves no room after prefix "${rule.prefix}"`);
  return `${rule.prefix}${cleaned.slice(0, room)}-${hash}`;
}

const DISALLOWED = new Map<string, RegExp>();
/** The regex of characters outside `charset`, compiled once per charset (this runs once per roster row). */
function disallowedChars(charset: string): RegExp {
  let re = DISALLOWED.get(charset);
  if (!re) DISALLOWED.set(charset, (re = new RegExp(`[^${charset}]`, 'g')));
  return re;
}
