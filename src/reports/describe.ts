/**
 * Short, actionable text for an action row: which fields to fix (from the stored audit findings),
 * the vendor's message, how long a number has waited. Pure.
 */
import type { ActionReason } from './types';

interface StoredFinding { code?: string; field?: string; severity?: string; message?: string; side?: string }

const FIELD_LABELS: Record<string, string> = {
  name: 'business name', address1: 'address line 1', address2: 'address line 2', city: 'city', state: 'state',
  postal: 'postal code', country: 'country', websiteUrl: 'website', alternativeWebsiteUrl: 'alternative website',
  website: 'partner website', contactFirstName: 'partner contact first name', contactLastName: 'partner contact last name',
  contactEmail: 'partner contact email', contactPhone: 'partner contact phone',
};
const label = (field: string | undefined) => (field ? FIELD_LABELS[field] ?? field : 'field');

/** "missing: address line 1, city; state "XX" is not a USPS …" — errors first; warnings only if there are no errors. */
export function describeFindings(findings: unknown): string {
  if (!Array.isArray(findings)) return '';
  const all = findings as StoredFinding[];
  const errors = all.filter((f) => f.severity === 'error');
  const chosen = errors.length ? errors : all.filter((f) => f.code !== 'TERRITORY');
  const missing = chosen.filter((f) => f.code === 'MISSING_FIELD').map((f) => label(f.field));
  const others = chosen.filter((f) => f.code !== 'MISSING_FIELD').map((f) => f.message ?? f.code ?? '');
  const parts = [...(missing.length ? [`missing: ${[...new Set(missing)].join(', ')}`] : []), ...others];
  return parts.join('; ');
}

export interface ActionDetailInput {
  reason: ActionReason;
  code: number | null;
  message: string | null;
  findings: unknown;
  since: Date | null;
  now: Date;
}

const DAY_MS = 86_400_000;
const daysAgo = (since: Date | null, now: Date) => (since ? Math.max(0, Math.floor((now.getTime() - since.getTime()) / DAY_MS)) : null);

/** The "what to fix" text of one action row. */
export function describeAction(i: ActionDetailInput): string {
  const findings = describeFindings(i.findings);
  const days = daysAgo(i.since, i.now);
  switch (i.reason) {
    case 'SAVE_FAILED':
      return `Updox ${i.code ?? '?'}: ${i.message ?? 'no message'}`;
    case 'DETAILS_INSUFFICIENT':
      return `Updox refused verification (4039)${findings ? ` — fix ${findings}` : ' — the audit found nothing missing; check the details on file at Updox'}`;
    case 'NUMBER_REJECTED':
      return `carrier rejected the number${i.message ? ` (${i.message})` : ''}${findings ? ` — fix ${findings}, then resubmit` : ' — review the business details, then resubmit'}`;
    case 'DETAILS_INCOMPLETE':
      return findings || 'the audit found the details incomplete';
    case 'NUMBER_OVERDUE':
      return `pending for ${days ?? '?'} day(s)${findings ? ` — check ${findings}` : ''}`;
  }
}
