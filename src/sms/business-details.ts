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
import { classifyAddressLine, hasPoBox, looksLikeStreet } from './po-box';
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
  'PO_BOX_WITH_STREET', // warning: address1 is a street address that also carries a PO box
  'RURAL_ROUTE', // warning: address1 is a rural-route or highway-contract box
  'GENERIC_CONTACT', // error: contact name is a role ("Admin", "Front Desk"), not a person (Twilio 30801)
  'GENERIC_CONTACT_EMAIL', // warning: contact email is a role mailbox (info@, admin@)
  'WEBSITE_FALLBACK', // warning: no practice website, Updox uses the partner's (raises rejection risk)
  'WEBSITE_ALTERNATIVE_ONLY', // warning: only the alternative (often social-media) URL is on file
  'LEGACY_NO_ADDRESS', // error: saved un-versioned without a physical address → no SMS Send
  'LEGACY_API', // warning: saved un-versioned; website fields not stored until saved with /1.1
  'TERRITORY', // warning (a note): a US territory; SMS is supported there
  'NON_US_COUNTRY', // error: SMS is offered in the US and its territories only
  'COUNTRY_ASSUMED', // warning: no country code on file; US is assumed
  'ROSTER_VALUE_DROPPED', // warning: the latest roster had a bad optional value (website, fax, time zone), dropped at import
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

export type AuditInput = PracticeValues & {
  accountId: string;
  apiVersion: string | null;
  /** Optional values the latest import dropped for this practice (`dropped` warnings: field, message). */
  rosterDropped?: readonly { field: string; message: string }[];
};

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

/** True when an address line holds a PO box, alone or beside a street (see po-box.ts). */
export const isPoBox = (line: string): boolean => hasPoBox(line);

/** Line 1 locates the practice unless it is a box alone; line 2 only when it names a street. */
const locates1 = (line: string): boolean => classifyAddressLine(line) !== 'box';

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

/** Plain words for the optional fields an import may drop (roster/normalize.ts OPTIONAL_FIELDS). */
const DROPPED_LABELS: Record<string, string> = { websiteUrl: 'website', alternativeWebsiteUrl: 'alternative website', fax: 'fax number', timeZone: 'time zone' };

function auditAccount(p: AuditInput, partner: PartnerBusinessDetails, opts: AuditOptions): Finding[] {
  const out: Finding[] = [];
  const add = (code: FindingCode, severity: FindingSeverity, field: string | undefined, message: string) =>
    out.push({ code, side: 'account', severity, message, ...(field ? { field } : {}) });
  const missing = (field: string, label: string, what = label) =>
    add('MISSING_FIELD', 'error', field, `The ${label} is missing. Add the practice's ${what}.`);

  if (!text(p.name)) missing('name', 'business name', 'legal business name');

  // Address: address1, city, state, postal required; address2 optional (see the file comment).
  const a1 = text(p.address1);
  const a2 = text(p.address2);
  const kind1 = classifyAddressLine(a1);
  if (!a1) missing('address1', 'street address');
  else if (kind1 === 'box' && !looksLikeStreet(a2)) {
    add('PO_BOX_ONLY', 'error', 'address1', `The only address is a PO box ("${a1}"). Add the practice's street address: carriers do not accept a PO box alone.`);
  } else if (kind1 === 'box') {
    add('PO_BOX_PRIMARY', 'warning', 'address1', `Address line 1 is a PO box ("${a1}") and the street is on line 2. Swap the lines so line 1 is the street ("${a2}").`);
  } else if (kind1 === 'street-and-box') {
    add('PO_BOX_WITH_STREET', 'warning', 'address1', `Address line 1 has a PO box beside the street ("${a1}"). This is accepted; if a carrier rejects a number, keep only the street on line 1.`);
  } else if (kind1 === 'rural-route') {
    add('RURAL_ROUTE', 'warning', 'address1', `The address is a rural-route box ("${a1}"). If the practice has a street (911) address, use it instead.`);
  }
  if (!text(p.city)) missing('city', 'city');
  const state = text(p.state).toUpperCase();
  if (!state) missing('state', 'state');
  else if (!isUspsState(state)) add('INVALID_STATE', 'error', 'state', `The state "${text(p.state)}" is not a US state code. Use the two-letter postal code, such as OH.`);
  const postal = text(p.postal);
  if (!postal) missing('postal', 'ZIP code');
  else if (!/^\d{5}(\d{4})?$/.test(postal)) add('INVALID_POSTAL', 'error', 'postal', `The ZIP code "${postal}" is not valid. Use 5 digits, or 9 for ZIP+4.`);

  auditCountry(text(p.country) || text(opts.defaultCountry), state, add);
  auditWebsite(p, partner, add);

  const legacy = p.apiVersion !== null && p.apiVersion !== '1.1';
  if (legacy) {
    const physical = Boolean(a1 && text(p.city) && state && postal) && (locates1(a1) || looksLikeStreet(a2));
    if (!physical) {
      add('LEGACY_NO_ADDRESS', 'error', 'address1', 'This account was saved with the old Updox API and has no full street address, so it cannot send SMS. Add the street address, city, state and ZIP code.');
    } else {
      add('LEGACY_API', 'warning', undefined, 'This account was saved with the old Updox API, so its website is not stored yet. Nothing to do: the legacy upgrade saves it again.');
    }
  }
  for (const d of p.rosterDropped ?? []) {
    const label = DROPPED_LABELS[d.field] ?? d.field;
    add('ROSTER_VALUE_DROPPED', 'warning', d.field, `The roster's ${label} could not be used and was left out (${d.message}). Correct it in the roster.`);
  }
  return out;
}

type Add = (code: FindingCode, severity: FindingSeverity, field: string | undefined, message: string) => void;

function auditCountry(country: string, state: string, add: Add): void {
  let territory = US_TERRITORIES.has(state) ? state : null;
  if (!country) {
    add('COUNTRY_ASSUMED', 'warning', 'country', 'No country is on file, so Updox assumes US. Add the country US to be sure.');
  } else {
    const c = classifyCountry(country);
    if (c.kind === 'foreign') {
      add('NON_US_COUNTRY', 'error', 'country', `The country "${country}" is outside the US. SMS works only in the US and its territories: correct the country if it is wrong.`);
      return;
    }
    if (c.kind === 'territory') territory = c.territory;
  }
  if (territory) add('TERRITORY', 'warning', 'state', `The practice is in the US territory ${territory}. SMS works there; nothing to do.`);
}

function auditWebsite(p: AuditInput, partner: PartnerBusinessDetails, add: Add): void {
  const site = text(p.websiteUrl);
  const alt = text(p.alternativeWebsiteUrl);
  if (site && !isValidUrl(site)) add('INVALID_URL', 'error', 'websiteUrl', `The website "${site}" is not a full web address. Write it with https://, such as https://example.com.`);
  if (alt && !isValidUrl(alt)) add('INVALID_URL', 'error', 'alternativeWebsiteUrl', `The alternative website "${alt}" is not a full web address. Write it with https://, or remove it.`);
  if (site) return;
  if (alt) {
    add('WEBSITE_ALTERNATIVE_ONLY', 'warning', 'websiteUrl', "Only the alternative website (often a social-media page) is on file. Add the practice's own website: carriers often reject a social-media page.");
  } else if (text(partner.website)) {
    add('WEBSITE_FALLBACK', 'warning', 'websiteUrl', "The practice has no website, so Updox uses the partner's. Add the practice's own website: carriers reject more numbers without one.");
  } else {
    add('MISSING_FIELD', 'error', 'websiteUrl', "The website is missing and the partner has none to fall back on. Add the practice's website.");
  }
}

function auditPartner(d: PartnerBusinessDetails, opts: AuditOptions): Finding[] {
  const out: Finding[] = [];
  const add = (code: FindingCode, severity: FindingSeverity, field: string, message: string) =>
    out.push({ code, side: 'partner', severity, field, message });
  const generic = new Set((opts.genericContactNames ?? DEFAULT_GENERIC_CONTACT_NAMES).map(normalizeName));

  const website = text(d.website);
  if (!website) add('MISSING_FIELD', 'error', 'website', "The partner's website is missing. Set partner.businessDetails.website in the config.");
  else if (!isValidUrl(website, true)) add('INVALID_URL', 'error', 'website', `The partner's website "${website}" is not a web address. Correct partner.businessDetails.website in the config.`);

  const first = text(d.contactFirstName);
  const last = text(d.contactLastName);
  if (!first) add('MISSING_FIELD', 'error', 'contactFirstName', "The partner contact's first name is missing. Set partner.businessDetails.contactFirstName in the config.");
  if (!last) add('MISSING_FIELD', 'error', 'contactLastName', "The partner contact's last name is missing. Set partner.businessDetails.contactLastName in the config.");
  const genericPart = [first, last, `${first} ${last}`].find((n) => n.trim() && generic.has(normalizeName(n)));
  if (genericPart) {
    const lastOnly = Boolean(last) && generic.has(normalizeName(last)) && !generic.has(normalizeName(first));
    add('GENERIC_CONTACT', 'error', lastOnly ? 'contactLastName' : 'contactFirstName',
      `The partner contact "${`${first} ${last}`.trim()}" is a role, not a person. Name a real person in partner.businessDetails: carriers reject a generic contact.`);
  }

  const email = text(d.contactEmail);
  if (!email) add('MISSING_FIELD', 'error', 'contactEmail', "The partner contact's email is missing. Set partner.businessDetails.contactEmail in the config.");
  else if (!isValidEmail(email)) add('INVALID_EMAIL', 'error', 'contactEmail', `The partner contact's email "${email}" is not an email address. Correct partner.businessDetails.contactEmail in the config.`);
  else if (ROLE_MAILBOXES.has(email.split('@')[0]!.toLowerCase())) {
    add('GENERIC_CONTACT_EMAIL', 'warning', 'contactEmail', `The partner contact's email "${email}" is a shared mailbox. Carriers prefer a named person's address; change it if you can.`);
  }

  const phone = text(d.contactPhone);
  if (!phone) add('MISSING_FIELD', 'error', 'contactPhone', "The partner contact's phone is missing. Set partner.businessDetails.contactPhone in the config.");
  else if (!isValidPhone(phone)) add('INVALID_PHONE', 'error', 'contactPhone', `The partner contact's phone "${phone}" is not a 10-digit US number. Correct partner.businessDetails.contactPhone in the config.`);
  return out;
}
