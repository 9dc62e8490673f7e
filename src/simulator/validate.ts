/**
 * Field validation of a Practice* body (A16, A8), collecting EVERY problem into one list (A3):
 * the 4060 message is `field: problem; field: problem`. The un-versioned methods ignore the 1.1
 * fields (websiteUrl, alternativeWebsiteUrl, country) entirely (A8). Pure.
 */
import type { ApiVersion } from './types';
import { US_COUNTRIES, US_TIME_ZONES, USPS_STATES } from './us-places';

/** Practice fields as sent, after validation. `undefined` = not sent (A7: it will be cleared). */
export interface PracticeInput {
  name: string;
  address1?: string;
  address2?: string;
  city?: string;
  state?: string;
  postal?: string;
  phone?: string;
  fax?: string;
  websiteAddress?: string;
  timeZone?: string;
  directDomain?: string;
  directAddress?: string;
  metadata?: string;
  /** undefined = not sent: an update keeps the stored value, a create uses false (A7, A16). */
  active?: boolean;
  websiteUrl?: string;
  alternativeWebsiteUrl?: string;
  country?: string;
  /** Whether `country` was sent (A8 defaults it to US otherwise). */
  countrySent?: boolean;
  /** Every field outside the ones above, verbatim (kept and returned: the record is the caller's). */
  extra: Record<string, unknown>;
}

/** Codes of a field refused on its own (the real client's error list, [S23] error_message.rb). */
export type FieldCode = 4160 | 4161 | 4162 | 4163 | 4165;

export type ValidationResult =
  | { ok: true; accountId: string; input: PracticeInput }
  | { ok: false; code: 4110 | 4060 | FieldCode; message: string; problems: string[] };

/** Fields the simulator models; `vetted` is Updox's own status (read-only: a save's value is ignored). */
const MODELLED = new Set([
  'auth', 'accountId', 'name', 'address1', 'address2', 'city', 'state', 'postal', 'phone', 'fax', 'websiteAddress', 'timeZone',
  'directDomain', 'directAddress', 'metadata', 'active', 'vetted', 'websiteUrl', 'alternativeWebsiteUrl', 'country',
]);
const V11_FIELDS = new Set(['websiteUrl', 'alternativeWebsiteUrl', 'country']);

/** Direct domain labels Updox keeps for itself (assumed; 4163 "direct domain is unavailable"). */
const RESERVED_DIRECT_DOMAINS = new Set(['direct', 'www', 'mail', 'admin', 'updox']);
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/**
 * The fields the real client's error list refuses with a code of their own (4160 direct domain
 * invalid, 4161 web address invalid, 4162 IP invalid, 4163 direct domain unavailable, 4165 port
 * invalid). The first one found answers; the rest of the record is then not looked at.
 */
function fieldCode(body: Record<string, unknown>): { code: FieldCode; message: string } | null {
  const str = (k: string) => (typeof body[k] === 'string' ? (body[k] as string).trim() : undefined);
  const dd = str('directDomain');
  if (dd && !/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(dd)) return { code: 4160, message: `direct domain is invalid: ${dd}` };
  if (dd && RESERVED_DIRECT_DOMAINS.has(dd.split('.')[0]!.toLowerCase())) return { code: 4163, message: `direct domain is unavailable: ${dd}` };
  const wa = str('websiteAddress');
  if (wa && !/^[A-Za-z0-9._-]+$/.test(wa)) return { code: 4161, message: `web address is invalid: ${wa}` };
  const ip = body.ipAddress;
  if (ip !== undefined && ip !== null && ip !== '' && !(typeof ip === 'string' && IPV4.test(ip.trim()))) return { code: 4162, message: 'ip is invalid' };
  const port = body.port;
  if (port !== undefined && port !== null && port !== '') {
    const n = typeof port === 'number' ? port : typeof port === 'string' && /^\d+$/.test(port.trim()) ? Number(port) : NaN;
    if (!(Number.isInteger(n) && n >= 1 && n <= 65535)) return { code: 4165, message: 'port is invalid' };
  }
  return null;
}

const NAME_MAX = 100; // A16 (assumed)
const TEXT_MAX = 255; // A16 (assumed)
const TEXT_FIELDS = ['address1', 'address2', 'city', 'websiteAddress', 'directDomain', 'directAddress', 'metadata'] as const;

/** Absolute http(s) URL with a host (A8). */
export function isHttpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname.length > 0;
  } catch {
    return false;
  }
}

/**
 * A6: the practice ID comes from the body `accountId` first, `auth.accountId` second; missing in
 * both → 4110 (checked before the field rules).
 */
export function validatePractice(body: Record<string, unknown>, authAccountId: string, version: ApiVersion): ValidationResult {
  const bodyId = typeof body.accountId === 'string' || typeof body.accountId === 'number' ? String(body.accountId).trim() : '';
  const accountId = bodyId || authAccountId.trim();
  if (!accountId) return { ok: false, code: 4110, message: 'No practice ID: accountId is required', problems: ['accountId: required'] };

  const specific = fieldCode(body);
  if (specific) return { ok: false, code: specific.code, message: specific.message, problems: [specific.message] };
  const problems: string[] = [];
  const text = (field: string, max = TEXT_MAX): string | undefined => {
    const v = body[field];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') { problems.push(`${field}: must be a string`); return undefined; }
    const s = v.trim();
    if (s.length > max) problems.push(`${field}: must be at most ${max} characters`);
    return s === '' ? undefined : s;
  };
  const digits = (field: string, re: RegExp, rule: string): string | undefined => {
    const s = text(field);
    if (s !== undefined && !re.test(s)) problems.push(`${field}: ${rule}`);
    return s;
  };

  if (accountId.length > TEXT_MAX) problems.push(`accountId: must be at most ${TEXT_MAX} characters`);
  const name = text('name', NAME_MAX);
  if (name === undefined && !problems.some((p) => p.startsWith('name:'))) problems.push('name: required');
  const extra: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) if (!MODELLED.has(k) && v !== undefined) extra[k] = v;
  // A8: the un-versioned methods do not know the 1.1 fields; they are neither kept nor refused.
  if (version === 'legacy') for (const k of V11_FIELDS) delete extra[k];
  const input: PracticeInput = { name: name ?? '', extra };
  for (const f of TEXT_FIELDS) {
    const v = text(f);
    if (v !== undefined) input[f] = v;
  }
  const state = text('state');
  if (state !== undefined) {
    if (!USPS_STATES.has(state)) problems.push('state: must be a USPS 2-letter state or territory code');
    input.state = state;
  }
  const postal = digits('postal', /^(\d{5}|\d{9})$/, 'must be 5 or 9 digits');
  if (postal !== undefined) input.postal = postal;
  const phone = digits('phone', /^\d{10}$/, 'must be 10 digits');
  if (phone !== undefined) input.phone = phone;
  const fax = digits('fax', /^\d{10}$/, 'must be 10 digits');
  if (fax !== undefined) input.fax = fax;
  const timeZone = text('timeZone');
  if (timeZone !== undefined) {
    if (!US_TIME_ZONES.has(timeZone)) problems.push('timeZone: must be a US IANA time zone name or Zulu');
    input.timeZone = timeZone;
  }
  if (input.directAddress !== undefined && !/^[^\s@]+(@[^\s@]+)?$/.test(input.directAddress)) {
    problems.push('directAddress: must be a local part or a full address');
  }
  const active = body.active;
  if (active !== undefined && active !== null) {
    if (active === true || active === 'true') input.active = true;
    else if (active === false || active === 'false') input.active = false;
    else problems.push('active: must be "true" or "false"');
  }
  if (version === '1.1') {
    for (const f of ['websiteUrl', 'alternativeWebsiteUrl'] as const) {
      const v = text(f);
      if (v === undefined) continue;
      if (!isHttpUrl(v)) problems.push(`${f}: must be an absolute http(s) URL`);
      input[f] = v;
    }
    const country = text('country');
    if (country !== undefined && !US_COUNTRIES.has(country.toUpperCase())) problems.push('country: must be the US or a US territory');
    input.country = country ?? 'US'; // A8: defaults to US
    input.countrySent = country !== undefined;
  }
  if (problems.length) return { ok: false, code: 4060, message: problems.join('; '), problems };
  return { ok: true, accountId, input };
}
