/**
 * Plain words for an issue: what is wrong and what to do, from the stored audit findings (whose
 * messages already say what to do, src/sms/business-details.ts), the vendor's reply (vendor-plain.ts)
 * and how long a number has waited. No codes: the admin report shows them beside. Pure.
 */
import { vendorPlain } from './vendor-plain';
import type { IssueReason, PracticeToFix } from './types';

interface StoredFinding { code?: string; field?: string; severity?: string; message?: string; side?: string }

const MISSING_WORDS: Record<string, string> = {
  name: 'business name', address1: 'street address', address2: 'address line 2', city: 'city', state: 'state',
  postal: 'ZIP code', country: 'country', websiteUrl: 'website', alternativeWebsiteUrl: 'alternative website',
};

const joinWords = (words: string[]) => (words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`);

/** Codes that need nothing done, left out of what a manager reads. */
const NOTES_ONLY = new Set(['TERRITORY', 'PO_BOX_WITH_STREET', 'LEGACY_API', 'COUNTRY_ASSUMED']);

/**
 * The practice's own findings as sentences saying what to do: the missing fields in one sentence
 * ("Add the practice's city and ZIP code."), then the other errors' messages. Warnings only when
 * `withWarnings` and there is no error (a rejected number with complete details).
 */
export function plainFindings(findings: unknown, withWarnings = false): string[] {
  if (!Array.isArray(findings)) return [];
  const own = (findings as StoredFinding[]).filter((f) => f.side !== 'partner');
  const errors = own.filter((f) => f.severity === 'error');
  const chosen = errors.length ? errors : withWarnings ? own.filter((f) => !NOTES_ONLY.has(f.code ?? '')) : [];
  const missing = [...new Set(chosen.filter((f) => f.code === 'MISSING_FIELD' && f.field && MISSING_WORDS[f.field]).map((f) => MISSING_WORDS[f.field!]!))];
  const others = chosen.filter((f) => !(f.code === 'MISSING_FIELD' && f.field && MISSING_WORDS[f.field])).map((f) => f.message ?? '').filter(Boolean);
  return [...(missing.length ? [`Add the practice's ${joinWords(missing)}.`] : []), ...new Set(others)];
}

/** The partner-side errors (the partner's own business details, from the config). */
export function partnerFindings(findings: unknown): string[] {
  if (!Array.isArray(findings)) return [];
  return (findings as StoredFinding[]).filter((f) => f.side === 'partner' && f.severity === 'error').map((f) => f.message ?? '').filter(Boolean);
}

/** 6145550143 → (614) 555-0143; anything else as it is. */
export function formatNumber(n: string | null): string {
  const d = (n ?? '').replace(/\D/g, '').replace(/^1(?=\d{10}$)/, '');
  return d.length === 10 ? `(${d.slice(0, 3)}) ${d.slice(3, 6)}-${d.slice(6)}` : (n ?? '');
}

export interface IssueInput {
  reason: IssueReason;
  code: number | null;
  message: string | null;
  findings: unknown;
  number: string | null;
  /** Business days a number has been pending (overdue numbers). */
  waitedBusinessDays: number | null;
  /** Whom to ask (reports.contact). */
  ask: string;
}

/** What is wrong and what to do, for one issue. */
export function describeIssue(i: IssueInput): string {
  const own = plainFindings(i.findings).join(' ');
  const number = formatNumber(i.number);
  switch (i.reason) {
    case 'SAVE_FAILED':
      return vendorPlain(i.code, i.message, i.ask);
    case 'SAVE_NEEDS_REVIEW':
      return `We sent an update but never got Updox's answer, and Updox would not confirm whether it arrived. Check the practice's details at Updox, or ask ${i.ask} (the evidence is in: updox-sync run RUN --status needs_review).`;
    case 'DETAILS_INSUFFICIENT':
      return `Updox could not verify the business details on file. ${own || `Nothing is missing in our records: ask ${i.ask} to compare them with what Updox has.`}`;
    case 'NUMBER_REJECTED': {
      const fix = plainFindings(i.findings, true).join(' ');
      return `The carrier rejected the number ${number}. ${fix ? `${fix} Then` : 'Check the business details on file, then'} ask ${i.ask} to resubmit the number.`;
    }
    case 'DETAILS_INCOMPLETE':
      return own || 'The business details are incomplete.';
    case 'NUMBER_OVERDUE': {
      const days = i.waitedBusinessDays ?? 0;
      return `The number ${number} has waited ${days} business day${days === 1 ? '' : 's'} for carrier verification. `
        + (own || `Nothing is missing: if it waits much longer, ask ${i.ask} to follow up with Updox.`);
    }
  }
}

/** An issue whose fix the practice's action already says is not spelled out twice. */
export const sameFix = (p: Pick<PracticeToFix, 'action'>, detail: string): string => (p.action.includes(detail) ? 'The same fix as above.' : detail);
