/**
 * The practice (Updox "account") as our domain sees it. Three shapes have three names
 * (STYLE.md §4): `PracticeRow` (db, snake_case, src/db/rows.ts), `Practice` (here) and
 * `UpdoxPractice` (wire, src/updox/wire.ts). Pure.
 */
export const PRACTICE_FIELDS = [
  'name', 'address1', 'address2', 'city', 'state', 'postal', 'country', 'phone', 'fax',
  'websiteUrl', 'alternativeWebsiteUrl', 'websiteAddress', 'timeZone', 'directDomain', 'directAddress', 'active',
] as const;
export type PracticeField = (typeof PRACTICE_FIELDS)[number];

/** Fields whose clearing disables SMS verification (flagged in the plan). */
export const ADDRESS_FIELDS = ['address1', 'city', 'state', 'postal'] as const satisfies readonly PracticeField[];
export const WEBSITE_FIELDS = ['websiteUrl'] as const satisfies readonly PracticeField[];

export interface PracticeValues {
  name: string | null;
  address1: string | null;
  address2: string | null;
  city: string | null;
  state: string | null;
  postal: string | null;
  country: string | null;
  phone: string | null;
  fax: string | null;
  websiteUrl: string | null;
  alternativeWebsiteUrl: string | null;
  websiteAddress: string | null;
  timeZone: string | null;
  directDomain: string | null;
  directAddress: string | null;
  active: boolean | null;
}

export interface Practice extends PracticeValues {
  accountId: string;
}

/** Domain field → database column. */
export const COLUMN_OF: Record<PracticeField, string> = {
  name: 'name', address1: 'address1', address2: 'address2', city: 'city', state: 'state', postal: 'postal',
  country: 'country', phone: 'phone', fax: 'fax', websiteUrl: 'website_url',
  alternativeWebsiteUrl: 'alternative_website_url', websiteAddress: 'website_address', timeZone: 'time_zone',
  directDomain: 'direct_domain', directAddress: 'direct_address', active: 'active',
};

export const emptyPracticeValues = (): PracticeValues => ({
  name: null, address1: null, address2: null, city: null, state: null, postal: null, country: null, phone: null,
  fax: null, websiteUrl: null, alternativeWebsiteUrl: null, websiteAddress: null, timeZone: null,
  directDomain: null, directAddress: null, active: null,
});

/** Row (snake_case columns) → domain values. Missing columns become null. */
export function valuesFromRow(row: Record<string, unknown>): PracticeValues {
  const v = emptyPracticeValues() as unknown as Record<string, unknown>;
  for (const f of PRACTICE_FIELDS) {
    const x = row[COLUMN_OF[f]];
    v[f] = x === undefined ? null : x;
  }
  return v as unknown as PracticeValues;
}

/** Domain values → row columns (only the fields given). */
export function rowFromValues(values: Partial<PracticeValues>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of PRACTICE_FIELDS) if (f in values) out[COLUMN_OF[f]] = values[f];
  return out;
}
