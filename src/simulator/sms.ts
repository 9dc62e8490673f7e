/**
 * SMS behaviour (partner notes; A9–A12): SmsSendNumberList, SmsSend and the verification
 * lifecycle on the simulator clock.
 *   - 4015 when SMS is not enabled for the credentials (a per-simulator flag, A12);
 *   - 4039 when the account's or the partner's business details are insufficient, including a
 *     legacy-saved account without a physical address (see business-details.ts);
 *   - the first send with complete details puts the number PENDING, due `verificationBusinessDays`
 *     business days later, and answers 4035; until then every send answers 4035 (A12);
 *   - reads, sends and clock advances settle due numbers: VERIFIED, or REJECTED at `rejectionRate`
 *     (seeded PRNG; `fallbackRejectionRate` when the practice has no website of its own);
 *   - a save that makes the details incomplete turns PENDING numbers UPDATE_REQUIRED; a save that
 *     completes them resumes verification; a REJECTED number is reset to NOT_STARTED when a save
 *     changes the business details (simulator choice, documented).
 * Every status change is reported through `notify` (the webhook sender).
 */
import { addBusinessDays } from './clock';
import { checkBusinessDetails } from './business-details';
import { fail, ok, type Reply } from './envelope';
import { numberToWire, type NumberStore } from './numbers';
import type { PracticeStore } from './practices';
import type { Random } from './prng';
import type { SimClock } from './clock';
import type { PartnerBusinessDetails, SimNumber, SimPractice } from './types';

export interface SmsSettings {
  smsEnabled: boolean;
  verificationBusinessDays: number;
  rejectionRate: number;
  fallbackRejectionRate: number | null;
  autoRequestVerification: boolean;
  partner: PartnerBusinessDetails;
}

export interface SmsDeps {
  practices: PracticeStore;
  numbers: NumberStore;
  clock: SimClock;
  random: Random;
  settings: SmsSettings;
  notify(accountId: string, changed: SimNumber[]): void;
}

const DETAIL_FIELDS = ['name', 'address1', 'address2', 'city', 'state', 'postal', 'country', 'websiteUrl', 'alternativeWebsiteUrl'] as const;

export class SmsService {
  #messageId = 1_000_000;
  constructor(private readonly d: SmsDeps) {}

  numberList(accountId: string): Reply {
    if (!this.d.settings.smsEnabled) return { envelope: fail(4015) };
    this.settleAccount(accountId);
    const p = this.d.practices.get(accountId);
    const details = p && checkBusinessDetails(p, this.d.settings.partner).complete ? 'COMPLETE' : 'INCOMPLETE';
    return { envelope: ok({ numbers: this.d.numbers.forAccount(accountId).map((n) => numberToWire(n, details)) }) };
  }

  send(accountId: string, body: Record<string, unknown>): Reply {
    const s = this.d.settings;
    if (!s.smsEnabled) return { envelope: fail(4015) };
    const problems: string[] = [];
    if (typeof body.to !== 'string' || !/^\d{10}$/.test(body.to)) problems.push('to: must be 10 digits');
    if (typeof body.message !== 'string' || body.message.length < 1 || body.message.length > 1600) problems.push('message: must be 1 to 1600 characters');
    if (body.patientId !== undefined && typeof body.patientId !== 'string') problems.push('patientId: must be a string');
    if (problems.length) return { envelope: fail(4060, problems.join('; ')) };
    const practice = this.d.practices.get(accountId)!; // auth checked it exists and is active
    const details = checkBusinessDetails(practice, s.partner);
    if (!details.complete) return { envelope: fail(4039, `On file account business information is insufficient for verification: ${details.reason}`) };
    this.settleAccount(accountId);
    const now = this.d.clock.nowMs();
    let numbers = this.d.numbers.forAccount(accountId);
    if (numbers.length === 0) numbers = [this.d.numbers.provision(accountId, now)];
    const verified = numbers.find((n) => n.verificationStatus === 'VERIFIED');
    if (verified) return { envelope: ok({ messageId: ++this.#messageId, status: 'queued', from: verified.number }) };
    const n = numbers.find((x) => x.ownerType === 'account') ?? numbers[0]!;
    if (n.verificationStatus === 'REJECTED') {
      return { envelope: fail(4039, 'SMS number verification was rejected; update the business information with PracticeSave/1.1 or PracticeUpdate/1.1') };
    }
    if (n.verificationStatus !== 'PENDING') this.#startVerification([n], now);
    return { envelope: fail(4035) };
  }

  /** Settle the account's due PENDING numbers (VERIFIED or REJECTED). */
  settleAccount(accountId: string): void {
    const now = this.d.clock.nowMs();
    const due = this.d.numbers.forAccount(accountId).filter((n) => n.verificationStatus === 'PENDING' && n.dueAtMs !== null && n.dueAtMs <= now);
    if (due.length) this.#settle(due, now);
  }

  /** Settle every due PENDING number (after a clock advance). */
  settleAll(): void {
    const now = this.d.clock.nowMs();
    const due = this.d.numbers.pending().filter((n) => n.dueAtMs !== null && n.dueAtMs <= now);
    const byAccount = new Map<string, SimNumber[]>();
    for (const n of due) byAccount.set(n.accountId, [...(byAccount.get(n.accountId) ?? []), n]);
    for (const list of byAccount.values()) this.#settle(list, now);
  }

  /** React to a saved (or seeded) practice. */
  onPracticeSaved(prev: SimPractice | null, next: SimPractice): void {
    const s = this.d.settings;
    const now = this.d.clock.nowMs();
    const complete = checkBusinessDetails(next, s.partner).complete;
    const changed: SimNumber[] = [];
    const detailsChanged = !prev || DETAIL_FIELDS.some((f) => prev[f] !== next[f]) || prev.apiVersion !== next.apiVersion;
    let numbers = this.d.numbers.forAccount(next.accountId);
    if (!complete) {
      for (const n of numbers) if (n.verificationStatus === 'PENDING' && this.d.numbers.setStatus(n, 'UPDATE_REQUIRED', now)) changed.push(n);
    } else {
      for (const n of numbers) {
        if (n.verificationStatus === 'REJECTED' && detailsChanged && this.d.numbers.setStatus(n, 'NOT_STARTED', now)) changed.push(n);
      }
      const resume = numbers.filter((n) => n.verificationStatus === 'UPDATE_REQUIRED');
      if (s.autoRequestVerification) {
        if (numbers.length === 0) numbers = [this.d.numbers.provision(next.accountId, now)];
        resume.push(...numbers.filter((n) => n.verificationStatus === 'NOT_STARTED'));
      }
      changed.push(...this.#startVerification(resume, now, false));
    }
    if (changed.length) this.d.notify(next.accountId, dedupe(changed));
  }

  /** Admin override (`POST /_sim/numbers/:accountId/:number/status`). */
  override(n: SimNumber, status: SimNumber['verificationStatus']): boolean {
    const now = this.d.clock.nowMs();
    const due = status === 'PENDING' ? addBusinessDays(now, this.d.settings.verificationBusinessDays) : null;
    const changed = this.d.numbers.setStatus(n, status, now, due);
    if (changed) this.d.notify(n.accountId, [n]);
    return changed;
  }

  /** Due time for a number seeded or set PENDING now. */
  dueFrom(nowMs: number): number {
    return addBusinessDays(nowMs, this.d.settings.verificationBusinessDays);
  }

  #startVerification(list: SimNumber[], now: number, notify = true): SimNumber[] {
    const due = this.dueFrom(now);
    const changed = list.filter((n) => this.d.numbers.setStatus(n, 'PENDING', now, due));
    if (notify && changed.length) this.d.notify(changed[0]!.accountId, changed);
    return changed;
  }

  #settle(list: SimNumber[], now: number): void {
    const s = this.d.settings;
    const p = this.d.practices.get(list[0]!.accountId);
    const fallback = p ? checkBusinessDetails(p, s.partner) : null;
    const rate = fallback?.complete && fallback.websiteFallback ? s.fallbackRejectionRate ?? s.rejectionRate : s.rejectionRate;
    // The verification completed at its due time, not when the simulator noticed (updatedAt).
    const changed = list.filter((n) => this.d.numbers.setStatus(n, rate > 0 && this.d.random() < rate ? 'REJECTED' : 'VERIFIED', Math.min(n.dueAtMs ?? now, now)));
    if (changed.length) this.d.notify(changed[0]!.accountId, changed);
  }
}

const dedupe = <T>(xs: T[]): T[] => [...new Set(xs)];
