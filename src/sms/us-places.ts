/**
 * US places for the business-details audit: USPS state codes, the territories where Updox offers SMS
 * ([S17]: "USA and its territories only") and the country spellings we accept. Pure.
 */

/** The 50 states and DC. */
export const US_STATES = new Set([
  'AL', 'AK', 'AZ', 'AR', 'CA', 'CO', 'CT', 'DE', 'DC', 'FL', 'GA', 'HI', 'ID', 'IL', 'IN', 'IA', 'KS', 'KY',
  'LA', 'ME', 'MD', 'MA', 'MI', 'MN', 'MS', 'MO', 'MT', 'NE', 'NV', 'NH', 'NJ', 'NM', 'NY', 'NC', 'ND', 'OH',
  'OK', 'OR', 'PA', 'RI', 'SC', 'SD', 'TN', 'TX', 'UT', 'VT', 'VA', 'WA', 'WV', 'WI', 'WY',
]);

/**
 * Inhabited US territories with USPS codes. SMS is offered there ([S17]). The freely associated
 * states (FM, MH, PW) and military codes (AA, AE, AP) are not a physical US business address and
 * count as invalid states.
 */
export const US_TERRITORIES = new Set(['PR', 'GU', 'VI', 'AS', 'MP']);

/** Country values meaning the United States proper. */
const US_COUNTRY = new Set(['US', 'USA', 'UNITED STATES', 'UNITED STATES OF AMERICA']);

/** ISO 3166 alpha-2 / alpha-3 codes of the territories, which some rosters put in `country`. */
const TERRITORY_COUNTRY: Record<string, string> = {
  PR: 'PR', PRI: 'PR', GU: 'GU', GUM: 'GU', VI: 'VI', VIR: 'VI', AS: 'AS', ASM: 'AS', MP: 'MP', MNP: 'MP',
};

export type CountryKind = { kind: 'us' } | { kind: 'territory'; territory: string } | { kind: 'foreign' };

/** Classify a non-empty country value. */
export function classifyCountry(country: string): CountryKind {
  const c = country.trim().toUpperCase().replace(/\./g, '');
  if (US_COUNTRY.has(c)) return { kind: 'us' };
  const t = TERRITORY_COUNTRY[c];
  return t ? { kind: 'territory', territory: t } : { kind: 'foreign' };
}

export const isUspsState = (state: string): boolean => US_STATES.has(state) || US_TERRITORIES.has(state);
