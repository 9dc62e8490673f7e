/**
 * The pure rules of the legacy upgrade: which accounts are legacy, what record each is re-saved
 * with, and which cannot be upgraded and why. Pure.
 *
 * The vendor does not say which API version last saved an account, so "legacy" is our knowledge:
 * an account we never saved through PracticeSave/1.1 (`practices.api_version` null or 'legacy',
 * or no practices row at all), or one the operator lists explicitly. That selection is SQL over
 * the run's snapshot (upgrade-legacy.ts planUpgrade).
 */
import { ADDRESS_FIELDS, PRACTICE_FIELDS, type PracticeValues } from '../practice';

export type BlockReason = 'NO_NAME' | 'NO_ADDRESS' | 'NOT_FOUND';
export type UpgradeWarning = 'NO_WEBSITE';

export interface Blocked { accountId: string; reason: BlockReason; message: string }
export interface Warned { accountId: string; code: UpgradeWarning; message: string }

/**
 * The record to re-save: the remote record, gaps filled from what we last saved, then every value
 * the latest staged roster has (its full business details and website URLs). The upgrade never
 * clears a field and never changes `active`.
 */
export function upgradeValues(remote: PracticeValues, ours: PracticeValues | null, roster: PracticeValues | null): PracticeValues {
  const v: PracticeValues = { ...remote };
  const w = v as unknown as Record<string, unknown>;
  for (const f of PRACTICE_FIELDS) {
    if (f === 'active') continue;
    const fromRoster = roster?.[f] ?? null;
    const fromOurs = ours?.[f] ?? null;
    if (fromRoster !== null) w[f] = fromRoster;
    else if (w[f] === null && fromOurs !== null) w[f] = fromOurs;
  }
  return v;
}

/** Why an account cannot be upgraded (null = it can), and the warnings of one that can. */
export function assessUpgrade(accountId: string, v: PracticeValues): { blocked: Blocked | null; warnings: Warned[] } {
  if (!v.name) {
    return { blocked: { accountId, reason: 'NO_NAME', message: 'no practice name (Updox requires one); add it to the roster' }, warnings: [] };
  }
  const missing = ADDRESS_FIELDS.filter((f) => !v[f]);
  if (missing.length) {
    return {
      blocked: {
        accountId, reason: 'NO_ADDRESS',
        message: `no physical address (missing ${missing.join(', ')}): SMS stays unavailable for this practice until an address is on file; add it to the roster and run the upgrade again`,
      },
      warnings: [],
    };
  }
  const warnings: Warned[] = [];
  if (!v.websiteUrl) {
    warnings.push({
      accountId, code: 'NO_WEBSITE',
      message: "no website URL: Updox falls back to the partner's website for SMS registration, which can raise the rejection rate",
    });
  }
  return { blocked: null, warnings };
}

export const notFound = (accountId: string): Blocked =>
  ({ accountId, reason: 'NOT_FOUND', message: 'listed for upgrade but not returned by PracticeList' });
