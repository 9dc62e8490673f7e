/**
 * SMS numbers per account (owned by the account, a location or a queue; partner notes, A10) and
 * their verification status (A11: NOT_STARTED → PENDING → VERIFIED | REJECTED, UPDATE_REQUIRED as
 * a side state). Keeps the set of PENDING numbers so a clock advance settles them without a scan.
 */
import { formatVendorTime } from './clock';
import type { SimNumber, VerificationStatus } from './types';

export interface NumberSeed {
  accountId: string;
  number: string;
  type?: string;
  verificationStatus?: string;
  ownerType?: string;
  ownerId?: string;
}

/** A10 wire shape (plus ownerType/ownerId, see types.ts in src/updox). */
export const numberToWire = (n: SimNumber, businessDetails: 'COMPLETE' | 'INCOMPLETE'): Record<string, unknown> => ({
  number: n.number, type: n.type, verificationStatus: n.verificationStatus, businessDetails,
  updatedAt: formatVendorTime(n.updatedAtMs), ownerType: n.ownerType, ownerId: n.ownerId,
});

export class NumberStore {
  #byAccount = new Map<string, Map<string, SimNumber>>();
  #owner = new Map<string, string>();
  #pending = new Set<SimNumber>();
  #nextProvision = 0;

  forAccount(accountId: string): SimNumber[] {
    const m = this.#byAccount.get(accountId);
    return m ? [...m.values()] : [];
  }

  find(accountId: string, number: string): SimNumber | undefined {
    return this.#byAccount.get(accountId)?.get(number);
  }

  pending(): SimNumber[] {
    return [...this.#pending];
  }

  all(): SimNumber[] {
    const out: SimNumber[] = [];
    for (const m of this.#byAccount.values()) out.push(...m.values());
    return out;
  }

  add(n: SimNumber): SimNumber {
    let m = this.#byAccount.get(n.accountId);
    if (!m) this.#byAccount.set(n.accountId, (m = new Map()));
    const old = m.get(n.number);
    if (old) this.#pending.delete(old);
    m.set(n.number, n);
    this.#owner.set(n.number, n.accountId);
    if (n.verificationStatus === 'PENDING') this.#pending.add(n);
    return n;
  }

  /**
   * Auto-provisioning (simulator choice, documented): one TOLL_FREE number (the Updox default,
   * [S16]) owned by the account, from the 833-555 range, skipping numbers already in use.
   */
  provision(accountId: string, nowMs: number): SimNumber {
    let number: string;
    do number = String(8335550000 + this.#nextProvision++); while (this.#owner.has(number));
    return this.add({
      accountId, number, type: 'TOLL_FREE', verificationStatus: 'NOT_STARTED', ownerType: 'account', ownerId: accountId,
      updatedAtMs: nowMs, dueAtMs: null,
    });
  }

  /** Changes a status; returns false when it was already that status. */
  setStatus(n: SimNumber, status: VerificationStatus, nowMs: number, dueAtMs: number | null = null): boolean {
    if (n.verificationStatus === status && (status !== 'PENDING' || dueAtMs === null)) return false;
    const changed = n.verificationStatus !== status;
    n.verificationStatus = status;
    n.dueAtMs = status === 'PENDING' ? dueAtMs : null;
    if (changed) n.updatedAtMs = nowMs;
    if (status === 'PENDING') this.#pending.add(n);
    else this.#pending.delete(n);
    return changed;
  }

  clear(): void {
    this.#byAccount.clear();
    this.#owner.clear();
    this.#pending.clear();
    this.#nextProvision = 0;
  }
}
