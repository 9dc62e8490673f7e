/**
 * The practice (account) store: PracticeCreate / PracticeUpdate / PracticeSave with full-replace
 * semantics (A7), uniqueness (A17), reads (A18), and seeding. O(1) lookups by id and by every
 * unique key; PracticeList is streamed in serialized chunks of LIST_CHUNK practices (a list of a
 * million practices does not fit in one string), in the sorted id order (rebuilt only when a
 * practice is added).
 */
import type { PracticeInput } from './validate';
import type { ApiVersion, ReadShape, SimPractice } from './types';

export type SaveMode = 'create' | 'update' | 'save';

export type SaveResult =
  | { ok: true; action: 'create' | 'update'; previous: SimPractice | null; practice: SimPractice }
  | { ok: false; code: 4130 | 4131 | 4140 | 4150 | 4610 | 4620 | 4630; message: string };

/**
 * The wire shape of a stored practice (PracticeGet / PracticeList, §4.1 + the 1.1 fields, A8),
 * with every other field it was sent. `recorded` answers like the real client's recorded replies
 * (see ReadShape): the 1.1 fields only when a save set them; `pre-1.1` never.
 */
export function toWire(p: SimPractice, shape: ReadShape = 'full'): Record<string, unknown> {
  const out: Record<string, unknown> = {
    ...p.extra,
    accountId: p.accountId, name: p.name, address1: p.address1, address2: p.address2, city: p.city, state: p.state,
    postal: p.postal, phone: p.phone, fax: p.fax, websiteAddress: p.websiteAddress, timeZone: p.timeZone,
    directDomain: p.directDomain, directAddress: p.directAddress, metadata: p.metadata, vetted: p.vetted, active: p.active,
  };
  if (shape === 'pre-1.1') return out;
  if (shape === 'full' || p.websiteUrl) out.websiteUrl = p.websiteUrl;
  if (shape === 'full' || p.alternativeWebsiteUrl) out.alternativeWebsiteUrl = p.alternativeWebsiteUrl;
  if (shape === 'full' || (p.countrySent && p.country)) out.country = p.country;
  return out;
}

const lower = (s: string) => s.toLowerCase();
/** Practices per serialized piece of a PracticeList reply (~450 KB). */
const LIST_CHUNK = 1000;

/** Keys a seed record maps onto SimPractice; any other key is kept as an extra field. */
const SEED_KNOWN = new Set([
  'accountId', 'name', 'address1', 'address2', 'city', 'state', 'postal', 'phone', 'fax', 'websiteAddress', 'timeZone',
  'directDomain', 'directAddress', 'metadata', 'vetted', 'active', 'websiteUrl', 'alternativeWebsiteUrl', 'country', 'apiVersion',
]);

export class PracticeStore {
  #byId = new Map<string, SimPractice>();
  #websiteAddress = new Map<string, string>();
  #directDomain = new Map<string, string>();
  #directAddress = new Map<string, string>();
  #sortedIds: string[] | null = null;
  #shape: ReadShape;

  constructor(shape: ReadShape = 'full') {
    this.#shape = shape;
  }

  get shape(): ReadShape {
    return this.#shape;
  }

  set shape(shape: ReadShape) {
    this.#shape = shape;
  }

  get size(): number {
    return this.#byId.size;
  }

  get(accountId: string): SimPractice | undefined {
    return this.#byId.get(accountId);
  }

  isActive(accountId: string): boolean {
    return this.#byId.get(accountId)?.active === true;
  }

  /** Every practice sorted by accountId (A18). */
  sorted(): SimPractice[] {
    return this.#ids().map((id) => this.#byId.get(id)!);
  }

  /**
   * The PracticeList reply body in pieces: the envelope's head, then the practices LIST_CHUNK at a
   * time (one stringify per chunk is ~3x faster than one per practice), then the tail. Each piece
   * is serialized when it is asked for, from the practices as they are then.
   */
  *listChunks(): Generator<string> {
    const ids = this.#ids();
    yield '{"successful":true,"responseMessage":"OK","responseCode":2000,"practiceList":[';
    for (let i = 0; i < ids.length; i += LIST_CHUNK) {
      const json = JSON.stringify(ids.slice(i, i + LIST_CHUNK).map((id) => toWire(this.#byId.get(id)!, this.#shape)));
      yield (i ? ',' : '') + json.slice(1, -1);
    }
    yield ']}';
  }

  wireJson(accountId: string): string | undefined {
    const p = this.#byId.get(accountId);
    return p ? JSON.stringify(toWire(p, this.#shape)) : undefined;
  }

  save(mode: SaveMode, accountId: string, input: PracticeInput, version: ApiVersion): SaveResult {
    const prev = this.#byId.get(accountId) ?? null;
    if (mode === 'create' && prev) return { ok: false, code: 4130, message: `Account already exists: ${accountId}` };
    if (mode === 'update' && !prev) return { ok: false, code: 4131, message: `Account does not exist: ${accountId}` };
    const taken = (index: Map<string, string>, key: string | undefined) => {
      if (!key) return false;
      const owner = index.get(lower(key));
      return owner !== undefined && owner !== accountId;
    };
    // A17: uniqueness across all practices.
    if (taken(this.#websiteAddress, input.websiteAddress)) return { ok: false, code: 4140, message: `Web address already taken: ${input.websiteAddress}` };
    if (taken(this.#directDomain, input.directDomain)) return { ok: false, code: 4150, message: `Direct domain already taken: ${input.directDomain}` };
    let directAddress: string | null = null;
    if (input.directAddress) {
      const domain = input.directDomain;
      if (!domain) return { ok: false, code: 4630, message: 'Account has no direct domain configured' };
      // A17: a bare local part is combined with the account's directDomain.
      const full = input.directAddress.includes('@') ? input.directAddress : `${input.directAddress}@${domain}`;
      if (lower(full.slice(full.indexOf('@') + 1)) !== lower(domain)) {
        return { ok: false, code: 4620, message: `Direct address domain does not match the account's direct domain (${domain})` };
      }
      if (taken(this.#directAddress, full)) return { ok: false, code: 4610, message: `Direct address already taken: ${full}` };
      directAddress = full;
    }
    const legacy = version === 'legacy';
    // A7: every optional field not sent is cleared; `active` keeps its value when not sent (A16:
    // false on create). A8: the un-versioned methods do not know the 1.1 fields, so they neither
    // set nor clear them (assumption: a legacy save keeps what /1.1 stored).
    const next: SimPractice = {
      accountId,
      name: input.name,
      address1: input.address1 ?? '', address2: input.address2 ?? '', city: input.city ?? '', state: input.state ?? '',
      postal: input.postal ?? '', phone: input.phone ?? '', fax: input.fax ?? '',
      websiteAddress: input.websiteAddress ?? '', timeZone: input.timeZone ?? 'Zulu',
      directDomain: input.directDomain ?? '', directAddress, metadata: input.metadata ?? '',
      vetted: prev?.vetted ?? false,
      active: input.active ?? prev?.active ?? false,
      websiteUrl: legacy ? prev?.websiteUrl ?? '' : input.websiteUrl ?? '',
      alternativeWebsiteUrl: legacy ? prev?.alternativeWebsiteUrl ?? '' : input.alternativeWebsiteUrl ?? '',
      country: legacy ? prev?.country ?? '' : input.country ?? 'US',
      apiVersion: version,
      countrySent: legacy ? prev?.countrySent ?? false : input.countrySent === true,
      extra: { ...input.extra },
    };
    this.#put(next, prev);
    return { ok: true, action: prev ? 'update' : 'create', previous: prev, practice: next };
  }

  /** Admin seed: lenient (no validation, no uniqueness refusal), last one wins. */
  seed(raw: Record<string, unknown>): SimPractice {
    const s = (k: string): string => (typeof raw[k] === 'string' ? (raw[k] as string) : typeof raw[k] === 'number' ? String(raw[k]) : '');
    const accountId = s('accountId');
    if (!accountId) throw new Error('seed: every practice needs an accountId');
    const apiVersion: ApiVersion = raw.apiVersion === 'legacy' ? 'legacy' : '1.1';
    const active = raw.active === undefined ? true : raw.active === true || raw.active === 'true';
    const extra: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(raw)) if (!SEED_KNOWN.has(k) && v !== undefined) extra[k] = v;
    const p: SimPractice = {
      accountId, name: s('name'), address1: s('address1'), address2: s('address2'), city: s('city'), state: s('state'),
      postal: s('postal'), phone: s('phone'), fax: s('fax'), websiteAddress: s('websiteAddress'), timeZone: s('timeZone') || 'Zulu',
      directDomain: s('directDomain'), directAddress: s('directAddress') || null, metadata: s('metadata'),
      vetted: raw.vetted === true, active, websiteUrl: s('websiteUrl'), alternativeWebsiteUrl: s('alternativeWebsiteUrl'),
      country: s('country') || (apiVersion === '1.1' ? 'US' : ''), apiVersion,
      countrySent: Boolean(s('country')), extra,
    };
    this.#put(p, this.#byId.get(accountId) ?? null);
    return p;
  }

  clear(): void {
    this.#byId.clear();
    this.#websiteAddress.clear();
    this.#directDomain.clear();
    this.#directAddress.clear();
    this.#sortedIds = null;
  }

  #ids(): string[] {
    if (this.#sortedIds === null) this.#sortedIds = [...this.#byId.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return this.#sortedIds;
  }

  #put(next: SimPractice, prev: SimPractice | null): void {
    const id = next.accountId;
    const reindex = (index: Map<string, string>, before: string | null | undefined, after: string | null) => {
      if (before && index.get(lower(before)) === id) index.delete(lower(before));
      if (after) index.set(lower(after), id);
    };
    reindex(this.#websiteAddress, prev?.websiteAddress, next.websiteAddress);
    reindex(this.#directDomain, prev?.directDomain, next.directDomain);
    reindex(this.#directAddress, prev?.directAddress, next.directAddress);
    if (!prev) this.#sortedIds = null;
    this.#byId.set(id, next);
  }
}
