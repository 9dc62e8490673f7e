/**
 * The SMS business-details audit: a pure function of one practice and the partner's business
 * details, against the partner-notes table in updox-api.md ("Required business details"):
 * account side = business name, address1, address2, city, state, country code, postal, website;
 * partner side = website, contact first/last name, email, phone. Every finding is coded so reports
 * can group by cause and map it to the carrier rejection it would provoke (research/anchors.md §C).
 *
 * address2 is listed by the partner notes, but most practices legitimately have none (no suite or
 * floor), so an EMPTY address2 produces no finding; a non-empty one only takes part in the PO-box
 * check. Pure: no I/O, no clock.
 */
import type { PracticeValues } from '../practice';
import { classifyCountry, isUspsState, US_TERRITORIES } from './us-places';

export type FindingSeverity = 'error' | 'warning';
export type FindingSide = 'account' | 'partner';

export interface Finding {
  code: FindingCode;
  side: FindingSide;
  field?: string;
  severity: FindingSeverity;
  message: string;
}

export type AuditStatus = 'complete' | 'warnings' | 'incomplete';

export interface AuditResult {
  status: AuditStatus;
  findings: Finding[];
}

/** Every finding code the audit can emit (documented in docs/sms.md). */
export const FINDING_CODES = [
  'MISSING_FIELD', // error: a required field is empty
  'INVALID_STATE', // error: not a USPS state/territory code
  'INVALID_POSTAL', // error: not 5 or 9 digits
  'INVALID_PHONE', // error: not 10 digits
  'INVALID_EMAIL', // error
  'INVALID_URL', // error: not an absolute http(s) URL
  'PO_BOX_ONLY', // error: the only address is a PO box (carriers want a physical address)
  'PO_BOX_PRIMARY', // warning: address1 is a PO box, the street is in address2
  'GENERIC_CONTACT', // error: contact name is a role ("Admin", "Front Desk"), not a person (Twilio 30801)
  'GENERIC_CONTACT_EMAIL', // warning: contact email is a role mailbox (info@, admin@)
  'WEBSITE_FALLBACK', // warning: no practice website, Updox uses the partner's (raises rejection risk)
  'WEBSITE_ALTERNATIVE_ONLY', // warning: only the alternative (often social-media) URL is on file
  'LEGACY_NO_ADDRESS', // error: saved un-versioned without a physical address → no SMS Send
  'LEGACY_API', // warning: saved un-versioned; website fields not stored until saved with /1.1
  'TERRITORY', // warning (a note): a US territory; SMS is supported there
  'NON_US_COUNTRY', // error: SMS is offered in the US and its territories only
  'COUNTRY_ASSUMED', // warning: no country code on file; US is assumed
] as const;
export type FindingCode = (typeof FINDING_CODES)[number];

export interface PartnerBusinessDetails {
  website: string;
  contactFirstName: string;
  contactLastName: string;
  contactEmail: string;
  contactPhone: string;
}

export interface AuditOptions {
  /** Role words that are not a person's name. Compared case- and punctuation-insensitively. */
  genericContactNames?: readonly string[];
  /** Treat an empty country as this country silently (e.g. 'US' when the roster never carries one). */
  defaultCountry?: string;
}

export const DEFAULT_GENERIC_CONTACT_NAMES = [
  'admin', 'administrator', 'office', 'office manager', 'the office', 'support', 'front desk', 'frontdesk',
  'reception', 'receptionist', 'staff', 'billing', 'info', 'information', 'contact', 'team', 'manager',
  'practice', 'clinic', 'help desk', 'helpdesk', 'it', 'customer service', 'test', 'user', 'na', 'n a',
  'none', 'unknown', 'tbd', 'noreply', 'no reply',
];
const ROLE_MAILBOXES = new Set([
  'admin', 'administrator', 'info', 'office', 'support', 'frontdesk', 'front.desk', 'reception', 'contact',
  'hello', 'team', 'billing', 'noreply', 'no-reply', 'help', 'helpdesk', 'sales',
]);

export type AuditInput = PracticeValues & { accountId: string; apiVersion: string | null };

/** Audit one practice. The result's status: any error → incomplete, else any warning → warnings. */
export function auditPractice(p: AuditInput, partner: PartnerBusinessDetails, opts: AuditOptions = {}): AuditResult {
  const findings = [...auditAccount(p, partner, opts), ...auditPartner(partner, opts)];
  const status: AuditStatus = findings.some((f) => f.severity === 'error')
    ? 'incomplete'
    : findings.length ? 'warnings' : 'complete';
  return { status, findings };
}

const text = (v: string | null | undefined): string => (v ?? '').trim();
const digits = (v: string): string => v.replace(/\D/g, '');

const PO_BOX = /(?:\bp\.?\s*o\.?\s*(?:box|drawer)\b|\bpost\s*office\s*(?:box|drawer)\b|\bpostal\s+box\b|^\s*pob\s*#?\s*\d|^\s*box\s*#?\s*\d|^\s*p\.?\s*o\.?\s*b\.?\s*#?\s*\d)/i;

/** True when an address line is a PO box ("P.O. Box 12", "PO Drawer 4", "Box 9", "POB 3"). */
export const isPoBox = (line: string): boolean => PO_BOX.test(line);

export const isValidEmail = (v: string): boolean => /^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)*\.[A-Za-z]{2,}$/.test(v);

/** An absolute http(s) URL with a dotted host. `lenient` first adds https:// to a bare host. */
export function isValidUrl(v: string, lenient = false): boolean {
  const s = lenient && !/^[a-z][a-z0-9+.-]*:/i.test(v) ? `https://${v}` : v;
  if (/\s/.test(s)) return false;
  try {
    const u = new URL(s);
    return (u.protocol === 'https:' || u.protocol === 'http:') && /^[^.]+(\.[^.]+)+$/.test(u.hostname);
  } catch {
    return false;
  }
}

/** A US phone number: 10 digits after removing punctuation and a leading country code 1. */
export function isValidPhone(v: string): boolean {
  const d = digits(v);
  return d.length === 10 || (d.length === 11 && d.startsWith('1'));
}

const normalizeName = (v: string): string => v.toLowerCase().replace(/[^a-z]+/g, ' ').trim();

function auditAccount(p: AuditInput, partner: PartnerBusinessDetails, opts: AuditOptions): Finding[] {
  const out: Finding[] = [];
  const add = (code: FindingCode, severity: FindingSeverity, field: string | undefined, message: string) =>
    out.push({ code, side: 'account', severity, message, ...(field ? { field } : {}) });
  const missing = (field: string, label: string) => add('MISSING_FIELD', 'error', field, `${label} is missing`);

  if (!text(p.name)) missing('name', 'business name');

  // Address: address1, city, state, postal required; address2 optional (see the file comment).
  const a1 = text(p.address1);
  const a2 = text(p.address2);
  if (!a1) missing('address1', 'address line 1');
  else if (isPoBox(a1) && (!a2 || isPoBox(a2))) {
    add('PO_BOX_ONLY', 'error', 'address1', `the only address is a PO box ("${a1}"); carriers require a physical street address`);
  } else if (isPoBox(a1)) {
    add('PO_BOX_PRIMARY', 'warning', 'address1', `address line 1 is a PO box ("${a1}"); put the street address ("${a2}") in address line 1`);
  }
  if (!text(p.city)) missing('city', 'city');
  const state = text(p.state).toUpperCase();
  if (!state) missing('state', 'state');
  else if (!isUspsState(state)) add('INVALID_STATE', 'error', 'state', `state "${text(p.state)}" is not a USPS state or territory code`);
  const postal = text(p.postal);
  if (!postal) missing('postal', 'postal code');
  else if (!/^\d{5}(\d{4})?$/.test(postal)) add('INVALID_POSTAL', 'error', 'postal', `postal code "${postal}" must be 5 or 9 digits`);

  auditCountry(text(p.country) || text(opts.defaultCountry), state, add);
  auditWebsite(p, partner, add);

  const legacy = p.apiVersion !== null && p.apiVersion !== '1.1';
  if (legacy) {
    const physical = Boolean(a1 && text(p.city) && state && postal) && !(isPoBox(a1) && (!a2 || isPoBox(a2)));
    if (!physical) {
      add('LEGACY_NO_ADDRESS', 'error', 'address1', 'legacy account (saved with the un-versioned API) has no physical address: SMS Send stays unavailable until it is saved with an address');
    } else {
      add('LEGACY_API', 'warning', undefined, 'legacy account (saved with the un-versioned API): the website fields are not stored until it is saved with PracticeSave/1.1');
    }
  }
  return out;
}

type Add = (code: FindingCode, severity: FindingSeverity, field: string | undefined, message: string) => void;

function auditCountry(country: string, state: string, add: Add): void {
  let territory = US_TERRITORIES.has(state) ? state : null;
  if (!country) {
    add('COUNTRY_ASSUMED', 'warning', 'country', 'country code is missing; Updox assumes US');
  } else {
    const c = classifyCountry(country);
    if (c.kind === 'foreign') {
      add('NON_US_COUNTRY', 'error', 'country', `country "${country}" is outside the US and its territories, where SMS is not offered`);
      return;
    }
    if (c.kind === 'territory') territory = c.territory;
  }
  if (territory) add('TERRITORY', 'warning', 'state', `US territory ${territory}: SMS is supported; no action needed`);
}

function auditWebsite(p: AuditInput, partner: PartnerBusinessDetails, add: Add): void {
  const site = text(p.websiteUrl);
  const alt = text(p.alternativeWebsiteUrl);
  if (site && !isValidUrl(site)) add('INVALID_URL', 'error', 'websiteUrl', `website "${site}" is not an absolute http(s) URL`);
  if (alt && !isValidUrl(alt)) add('INVALID_URL', 'error', 'alternativeWebsiteUrl', `alternative website "${alt}" is not an absolute http(s) URL`);
  if (site) return;
  if (alt) {
    add('WEBSITE_ALTERNATIVE_ONLY', 'warning', 'websiteUrl', 'only the alternative website is on file; a social-media page is a common rejection reason');
  } else if (text(partner.website)) {
    add('WEBSITE_FALLBACK', 'warning', 'websiteUrl', "no practice website: Updox registers the partner's website instead, which raises the rejection risk");
  } else {
    add('MISSING_FIELD', 'error', 'websiteUrl', 'website is missing and the partner has no website to fall back on');
  }
}

function auditPartner(d: PartnerBusinessDetails, opts: AuditOptions): Finding[] {
  const out: Finding[] = [];
  const add = (code: FindingCode, severity: FindingSeverity, field: string, message: string) =>
    out.push({ code, side: 'partner', severity, field, message });
  const generic = new Set((opts.genericContactNames ?? DEFAULT_GENERIC_CONTACT_NAMES).map(normalizeName));

  const website = text(d.website);
  if (!website) add('MISSING_FIELD', 'error', 'website', 'partner website is missing (partner.businessDetails.website)');
  else if (!isValidUrl(website, true)) add('INVALID_URL', 'error', 'website', `partner website "${website}" is not a valid URL`);

  const first = text(d.contactFirstName);
  const last = text(d.contactLastName);
  if (!first) add('MISSING_FIELD', 'error', 'contactFirstName', 'partner contact first name is missing');
  if (!last) add('MISSING_FIELD', 'error', 'contactLastName', 'partner contact last name is missing');
  const genericPart = [first, last, `${first} ${last}`].find((n) => n.trim() && generic.has(normalizeName(n)));
  if (genericPart) {
    const lastOnly = Boolean(last) && generic.has(normalizeName(last)) && !generic.has(normalizeName(first));
    add('GENERIC_CONTACT', 'error', lastOnly ? 'contactLastName' : 'contactFirstName',
      `partner contact "${`${first} ${last}`.trim()}" is a role, not a person; carriers reject a generic contact`);
  }

  const email = text(d.contactEmail);
  if (!email) add('MISSING_FIELD', 'error', 'contactEmail', 'partner contact email is missing');
  else if (!isValidEmail(email)) add('INVALID_EMAIL', 'error', 'contactEmail', `partner contact email "${email}" is not a valid address`);
  else if (ROLE_MAILBOXES.has(email.split('@')[0]!.toLowerCase())) {
    add('GENERIC_CONTACT_EMAIL', 'warning', 'contactEmail', `partner contact email "${email}" is a role mailbox; carriers prefer a named person's address`);
  }

  const phone = text(d.contactPhone);
  if (!phone) add('MISSING_FIELD', 'error', 'contactPhone', 'partner contact phone is missing');
  else if (!isValidPhone(phone)) add('INVALID_PHONE', 'error', 'contactPhone', `partner contact phone "${phone}" must have 10 digits`);
  return out;
}
