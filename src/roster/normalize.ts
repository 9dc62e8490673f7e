/**
 * One roster row → a normalized practice, or every problem with it. Pure: no I/O, no clock.
 * Cells arrive as strings (or null) keyed by roster field; placeholders and whitespace-only
 * cells are empty. Each field rule lives in a small helper (normalize-phone, -postal, -url,
 * us-states); the final shape is checked by a zod schema (lengths, formats).
 */
import type * as Zod from 'zod';
import type { RosterField, SourceConfig } from '../config';
import type { PracticeValues } from '../practice';
import type { CellResult } from './field-result';
import { isPoBoxOnly } from '../sms/po-box';
import { lazy, lazyRequire } from './lazy';
import { clip, normalizePhone } from './normalize-phone';
import { normalizePostal } from './normalize-postal';
import { normalizeUrl } from './normalize-url';
import { lookupState, STATE_NAMES, STATE_TIME_ZONE, TIME_ZONE_ALIASES, US_TIME_ZONES } from './us-states';

export type RawFields = Partial<Record<RosterField, string | null | undefined>>;

export interface Issue {
  field: string;
  value: string | null;
  rule: string;
  message: string;
}
export interface Warning {
  field: string;
  rule: string;
  message: string;
}

export interface NormalizedRow {
  externalId: string;
  values: PracticeValues;
  managerEmail: string | null;
}

export type NormalizeResult =
  | { ok: true; row: NormalizedRow; warnings: Warning[] }
  | { ok: false; externalId: string | null; issues: Issue[]; warnings: Warning[] };

export interface NormalizeRules {
  /** Upper-cased placeholder texts that mean "empty". */
  placeholders: ReadonlySet<string>;
  /** Fields the mapping maps (an unmapped field stays null and means "keep" downstream). */
  mapped: ReadonlySet<RosterField>;
  timeZoneFromState: boolean;
  assign: SourceConfig['assign'];
  /** The longest placeholder, so most cells skip the upper-casing lookup. */
  placeholderMaxLength: number;
  /** Char codes (both cases) that an ASCII-initial placeholder can start with: the rest skip the lookup too. */
  placeholderFirstChars: ReadonlySet<number>;
}

export function makeRules(source: Pick<SourceConfig, 'placeholders' | 'timeZoneFromState' | 'assign'>, mapped: Iterable<RosterField>): NormalizeRules {
  const upper = source.placeholders.map((p) => p.trim().toUpperCase()).filter((p) => p !== '');
  const first = new Set<number>();
  for (const p of upper) first.add(p.charCodeAt(0)).add(p[0]!.toLowerCase().charCodeAt(0));
  return {
    placeholders: new Set(upper),
    placeholderMaxLength: Math.max(0, ...upper.map((p) => p.length)),
    placeholderFirstChars: first,
    mapped: new Set(mapped),
    timeZoneFromState: source.timeZoneFromState,
    assign: source.assign,
  };
}

// Only a line that could hold a box is classified (po-box.ts); the rest skip it.
const MAYBE_BOX = /box|drawer|drwr|pob/i;
const FORMULA = /^[=+\-@]/;
const MULTI_SPACE = /\s{2,}|[\t\r\n\u00a0]/;
// eslint-disable-next-line no-control-regex -- stripping control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
const CONTROL_ALL = new RegExp(CONTROL.source, 'g');
const WHITESPACE_RUN = /\s+/g;
const NOT_LETTER = /[^A-Z]/g;
const PO_BOX_MESSAGE = 'only a PO box: SMS registration needs the street address';

const BOOL: Record<string, boolean> = {
  true: true, t: true, yes: true, y: true, '1': true, active: true, open: true, enabled: true,
  false: false, f: false, no: false, n: false, '0': false, inactive: false, closed: false, disabled: false,
};
const US_COUNTRIES = new Set(['US', 'USA', 'UNITEDSTATES', 'UNITEDSTATESOFAMERICA', 'PR', 'PRI', 'GU', 'GUM', 'VI', 'VIR', 'AS', 'ASM', 'MP', 'MNP', 'PUERTORICO', 'GUAM', 'AMERICANSAMOA']);

// zod is the authority on a row's final shape, but runs only for rows the exact fast check
// (validParts) refuses: it is loaded on the first such row.
const zod = lazyRequire<typeof Zod>('zod');
function buildSchemas() {
  const { z } = zod();
  const str = (max: number) => z.string().max(max, `longer than ${max} characters`).nullable();
  const row = z.object({
    externalId: z.string().min(1, 'required').max(255, 'longer than 255 characters'),
    name: z.string().min(1, 'required').max(100, 'longer than 100 characters'),
    address1: str(255), address2: str(255), city: str(255),
    state: z.enum(Object.keys(STATE_NAMES) as [string, ...string[]]).nullable(),
    postal: z.string().regex(/^\d{5}(\d{4})?$/).nullable(),
    country: z.literal('US').nullable(),
    phone: z.string().regex(/^\d{10}$/).nullable(),
    fax: z.string().regex(/^\d{10}$/).nullable(),
    websiteUrl: z.url({ protocol: /^https?$/ }).max(255, 'longer than 255 characters').nullable(),
    alternativeWebsiteUrl: z.url({ protocol: /^https?$/ }).max(255, 'longer than 255 characters').nullable(),
    websiteAddress: z.string().regex(/^[A-Za-z0-9._-]{1,255}$/, 'letters, digits, dot, dash or underscore').nullable(),
    timeZone: z.string().nullable(),
    directDomain: str(255), directAddress: str(255),
    managerEmail: z.email().nullable(),
    active: z.boolean().nullable(),
  });
  return { row, email: z.email() };
}
const schemas = lazy(buildSchemas);
/** The zod schema of a normalized row (built on first use). */
export const rowSchema = () => schemas().row;
const emailSchema = () => schemas().email;

/** `plain`: the caller has checked that no cell holds a control character (a whole batch at once). */
export function normalizeRow(raw: RawFields, rules: NormalizeRules, plain = false): NormalizeResult {
  // Written for speed: it runs once per roster row. No closures (under tsx every closure created
  // is also named with Object.defineProperty, esbuild keepNames), no per-row arrays or spreads,
  // objects of one fixed shape. The cells are read in a fixed order, so warnings keep theirs.
  const issues: Issue[] = [];
  const warnings: Warning[] = [];
  const ctx: Ctx = { rules, issues, warnings, emailChecked: false, plain };

  const externalId = readCell(ctx, 'externalId', raw.externalId);
  const name = readText(ctx, 'name', raw.name);
  const address1 = readText(ctx, 'address1', raw.address1);
  const address2 = readText(ctx, 'address2', raw.address2);
  const city = readText(ctx, 'city', raw.city);
  if (address1 !== null && MAYBE_BOX.test(address1) && isPoBoxOnly(address1)) warnings.push({ field: 'address1', rule: 'po_box', message: PO_BOX_MESSAGE });
  if (address2 !== null && MAYBE_BOX.test(address2) && isPoBoxOnly(address2)) warnings.push({ field: 'address2', rule: 'po_box', message: PO_BOX_MESSAGE });

  const stateIn = readCell(ctx, 'state', raw.state);
  let state: string | null = null;
  if (stateIn !== null) {
    const found = lookupState(stateIn);
    if (found && 'code' in found) state = found.code;
    else if (found) issues.push({ field: 'state', value: stateIn, rule: 'non_us', message: `state: ${found.nonUs} is outside the US and its territories` });
    else issues.push({ field: 'state', value: stateIn, rule: 'invalid', message: `state: not a US state or territory: "${clip(stateIn)}"` });
  }
  const countryIn = readCell(ctx, 'country', raw.country);
  if (countryIn !== null && !US_COUNTRIES.has(countryIn.toUpperCase().replace(NOT_LETTER, ''))) {
    issues.push({ field: 'country', value: countryIn, rule: 'non_us', message: `country: "${clip(countryIn)}" is outside the US and its territories` });
  }
  const country = rules.mapped.has('state') || rules.mapped.has('country') ? 'US' : null;

  const postalIn = readCell(ctx, 'postal', raw.postal);
  const postal = postalIn === null ? null : applyResult(ctx, 'postal', postalIn, normalizePostal(postalIn, readCell(ctx, 'postalExt', raw.postalExt), state));
  const phoneIn = readCell(ctx, 'phone', raw.phone);
  const phone = phoneIn === null ? null : applyResult(ctx, 'phone', phoneIn, normalizePhone(phoneIn));
  const faxIn = readCell(ctx, 'fax', raw.fax);
  const fax = faxIn === null ? null : applyResult(ctx, 'fax', faxIn, normalizePhone(faxIn));
  const webIn = readCell(ctx, 'websiteUrl', raw.websiteUrl);
  const websiteUrl = webIn === null ? null : applyResult(ctx, 'websiteUrl', webIn, normalizeUrl(webIn));
  const altIn = readCell(ctx, 'alternativeWebsiteUrl', raw.alternativeWebsiteUrl);
  const alternativeWebsiteUrl = altIn === null ? null : applyResult(ctx, 'alternativeWebsiteUrl', altIn, normalizeUrl(altIn));

  let timeZone: string | null = null;
  const tzIn = readCell(ctx, 'timeZone', raw.timeZone);
  if (tzIn !== null) {
    timeZone = US_TIME_ZONES.has(tzIn) ? tzIn : (TIME_ZONE_ALIASES[tzIn.toLowerCase()] ?? null);
    if (!timeZone) {
      const ci = [...US_TIME_ZONES].find((z) => z.toLowerCase() === tzIn.toLowerCase());
      if (ci) timeZone = ci;
      else dropOptional(ctx, 'timeZone', tzIn, 'invalid', 'not a US IANA time zone');
    }
  } else if (rules.timeZoneFromState && state) {
    timeZone = STATE_TIME_ZONE[state] ?? null;
  }

  let active: boolean | null = null;
  const activeIn = readCell(ctx, 'active', raw.active);
  if (activeIn !== null) {
    const b = BOOL[activeIn.toLowerCase()];
    if (b === undefined) issues.push({ field: 'active', value: activeIn, rule: 'invalid', message: `active: not a yes/no value: "${clip(activeIn)}"` });
    else active = b;
  }

  const managerEmail = assignManager(ctx, readCell(ctx, 'managerEmail', raw.managerEmail), state, externalId);

  const directDomainIn = readCell(ctx, 'directDomain', raw.directDomain);
  const directAddressIn = readCell(ctx, 'directAddress', raw.directAddress);
  const values: PracticeValues = {
    name: name ?? '', address1, address2, city, state, postal, country, phone, fax, websiteUrl, alternativeWebsiteUrl,
    websiteAddress: readCell(ctx, 'websiteAddress', raw.websiteAddress), timeZone,
    directDomain: directDomainIn === null ? null : directDomainIn.toLowerCase(),
    directAddress: directAddressIn === null ? null : directAddressIn.toLowerCase(),
    active,
  };
  // The zod schema is the authority; validParts is an exact, cheaper pre-check of the same rules
  // (asserted equal on the unit tables), so zod runs only for rows that will be rejected.
  if (issues.length === 0 && validParts(externalId ?? '', values, managerEmail, ctx.emailChecked)) {
    return { ok: true, row: { externalId: externalId!, values, managerEmail }, warnings };
  }
  const candidate: Record<string, unknown> = { externalId: externalId ?? '', ...values, managerEmail };
  const parsed = rowSchema().safeParse(candidate);
  if (!parsed.success) {
    for (const zi of parsed.error.issues) {
      const field = String(zi.path[0]);
      if (issues.some((i) => i.field === field)) continue; // already explained by its own rule
      const value = candidate[field];
      const rule = zi.code === 'too_big' ? 'too_long' : zi.message === 'required' ? 'required' : 'invalid';
      if (OPTIONAL_FIELDS.has(field) && value != null) {
        if (warnings.some((w) => w.field === field && w.rule === 'dropped')) continue;
        dropOptional(ctx, field, String(value), rule, zi.message);
        (values as unknown as Record<string, unknown>)[field] = null;
        continue;
      }
      issues.push({ field, value: value == null ? null : clip(String(value), 200), rule, message: `${field}: ${zi.message}` });
    }
  }
  if (issues.length) return { ok: false, externalId, issues, warnings };
  return { ok: true, row: { externalId: externalId!, values, managerEmail }, warnings };
}

const STATES = new Set(Object.keys(STATE_NAMES));
const DIGITS10 = /^\d{10}$/;
const POSTAL = /^\d{5}(\d{4})?$/;
const SLUG = /^[A-Za-z0-9._-]{1,255}$/;
const URL_OK = /^https?:\/\/[^\s/?#]+[^\s]*$/;
const EMAIL_OK = /^(?!\.)(?!.*\.\.)([A-Za-z0-9_'+\-.]*)[A-Za-z0-9_+-]@([A-Za-z0-9][A-Za-z0-9-]*\.)+[A-Za-z]{2,}$/;
const len = (v: string | null, max: number) => v === null || v.length <= max;

type Candidate = PracticeValues & { externalId: string; managerEmail: string | null };

/** True only when rowSchema would accept the row (a fast path; see the unit test). */
export function quickValid(c: Candidate): boolean {
  return validParts(c.externalId, c, c.managerEmail, false);
}

/** quickValid on the row's parts; `emailChecked`: managerEmail already passed EMAIL_OK. */
function validParts(externalId: string, c: PracticeValues, managerEmail: string | null, emailChecked: boolean): boolean {
  return externalId.length > 0 && externalId.length <= 255 && c.name !== null && c.name.length > 0 && c.name.length <= 100
    && len(c.address1, 255) && len(c.address2, 255) && len(c.city, 255) && len(c.directDomain, 255) && len(c.directAddress, 255)
    && (c.state === null || STATES.has(c.state)) && (c.postal === null || POSTAL.test(c.postal))
    && (c.country === null || c.country === 'US') && (c.phone === null || DIGITS10.test(c.phone)) && (c.fax === null || DIGITS10.test(c.fax))
    && (c.websiteUrl === null || (c.websiteUrl.length <= 255 && URL_OK.test(c.websiteUrl)))
    && (c.alternativeWebsiteUrl === null || (c.alternativeWebsiteUrl.length <= 255 && URL_OK.test(c.alternativeWebsiteUrl)))
    && (c.websiteAddress === null || SLUG.test(c.websiteAddress)) && (managerEmail === null || emailChecked || EMAIL_OK.test(managerEmail));
}

interface Ctx { rules: NormalizeRules; issues: Issue[]; warnings: Warning[]; emailChecked: boolean; plain: boolean }

function readCell(ctx: Ctx, field: RosterField, v: string | null | undefined): string | null {
  if (v === undefined || v === null) return null;
  let t = v.trim();
  if (t === '') return null;
  const rules = ctx.rules;
  if (t.length <= rules.placeholderMaxLength) {
    const c = t.charCodeAt(0);
    if ((c > 127 || rules.placeholderFirstChars.has(c)) && rules.placeholders.has(t.toUpperCase())) {
      ctx.warnings.push({ field, rule: 'placeholder', message: `"${clip(t)}" treated as empty` });
      return null;
    }
  }
  if (!ctx.plain && CONTROL.test(t)) {
    t = controlCharacters(ctx, field, t);
    if (t === '') return null;
  }
  return t;
}

/**
 * A NUL byte is a sign of a binary or corrupted cell: a coded issue naming the field and where
 * (the row is quarantined). Other control characters become spaces, with a coded warning.
 */
function controlCharacters(ctx: Ctx, field: RosterField, t: string): string {
  const cleaned = t.replace(CONTROL_ALL, ' ').trim();
  const nul = t.indexOf('\0');
  if (nul >= 0) {
    ctx.issues.push({ field, value: cleaned, rule: 'nul_byte', message: `${field}: a NUL byte at character ${nul + 1}` });
  } else {
    const at = t.search(CONTROL);
    const hex = t.charCodeAt(at).toString(16).toUpperCase().padStart(4, '0');
    ctx.warnings.push({ field, rule: 'control_character', message: `control character U+${hex} at character ${at + 1} replaced by a space` });
  }
  return cleaned;
}

/** A free-text cell: runs of white space become one space; a formula-looking start is flagged. */
function readText(ctx: Ctx, field: RosterField, v: string | null | undefined): string | null {
  let t = readCell(ctx, field, v);
  if (t === null) return null;
  if (MULTI_SPACE.test(t)) t = t.replace(WHITESPACE_RUN, ' ');
  if (FORMULA.test(t)) ctx.warnings.push({ field, rule: 'formula_like', message: 'starts with = + - or @; stored as text' });
  return t;
}

/**
 * Fields a practice can do without: a bad value is dropped with a `dropped` warning naming why,
 * and the row goes on (the plan keeps what was last saved for a dropped field, plan-sql.ts).
 * A bad required field still quarantines the row.
 */
export const OPTIONAL_FIELDS: ReadonlySet<string> = new Set(['fax', 'websiteUrl', 'alternativeWebsiteUrl', 'timeZone']);

/** A dropped optional value, as a warning: `field:dropped`, the original rule in the message. */
function dropOptional(ctx: Ctx, field: string, input: string, rule: string, message: string): void {
  const shown = message.includes(clip(input)) ? '' : ` "${clip(input)}"`;
  ctx.warnings.push({ field, rule: 'dropped', message: `${message} [${rule}]:${shown} dropped, the row goes on` });
}

function applyResult<T>(ctx: Ctx, field: string, input: string | null, res: CellResult<T>): T | null {
  if (res.issue && OPTIONAL_FIELDS.has(field) && input !== null) dropOptional(ctx, field, input, res.issue.rule, res.issue.message);
  else if (res.issue) ctx.issues.push({ field, value: input, rule: res.issue.rule, message: `${field}: ${res.issue.message}` });
  if (res.warnings) for (const w of res.warnings) ctx.warnings.push({ field, rule: w.rule, message: w.message });
  return res.value;
}

function assignManager(ctx: Ctx, column: string | null, state: string | null, externalId: string | null): string | null {
  const assign = ctx.rules.assign;
  if (assign.by === 'single') return assign.manager;
  if (assign.by === 'rules') {
    for (const r of assign.rules) {
      if (r.states && state && r.states.includes(state)) return r.manager;
      if (r.externalIdPrefix && externalId?.startsWith(r.externalIdPrefix)) return r.manager;
    }
    return assign.default ?? null;
  }
  if (column === null) return assign.default ?? null;
  const email = column.toLowerCase();
  // The regex is a strict subset of zod's email rule (see quickValid's unit test); zod decides the rest.
  if (EMAIL_OK.test(email)) {
    ctx.emailChecked = true;
    return email;
  }
  if (!emailSchema().safeParse(email).success) {
    ctx.issues.push({ field: 'managerEmail', value: column, rule: 'invalid', message: `managerEmail: not an email address: "${clip(column)}"` });
    return null;
  }
  return email;
}
