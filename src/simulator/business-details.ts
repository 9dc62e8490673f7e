/**
 * Are the business details on file sufficient for SMS number verification? (partner notes in
 * updox-api.md; A12). Account side: business name, address1, city, state, postal, country,
 * website (country: see below). address2 is listed by the partner notes but most practices have none, so an empty
 * address2 is accepted (as the project's audit does). No practice website → the partner's
 * website is used (partner notes: "Website fallback"), so the website is missing only when both
 * are. Partner side: website, contact first/last name, email, phone — all required, since indirect
 * accounts use the partner's contact for every request. Pure.
 */
import type { PartnerBusinessDetails, SimPractice } from './types';

export const COMPLETE_PARTNER: PartnerBusinessDetails = {
  website: 'https://partner.updoxsim.example',
  contactFirstName: 'Dana',
  contactLastName: 'Whitfield',
  contactEmail: 'dana@partner.updoxsim.example',
  contactPhone: '6145550199',
};

export type DetailsCheck =
  | { complete: true; websiteFallback: boolean }
  | { complete: false; reason: string; missing: string[] };

/** A legacy-saved practice without a physical address cannot send (partner notes, "Legacy accounts"). */
export const hasPhysicalAddress = (p: SimPractice): boolean => Boolean(p.address1 && p.city && p.state && p.postal);

export function checkBusinessDetails(p: SimPractice, partner: PartnerBusinessDetails): DetailsCheck {
  if (p.apiVersion === 'legacy' && !hasPhysicalAddress(p)) {
    return { complete: false, reason: 'legacy account without a physical address: update it with PracticeSave/1.1 or PracticeUpdate/1.1', missing: ['address'] };
  }
  const missing: string[] = [];
  for (const f of ['name', 'address1', 'city', 'state', 'postal'] as const) if (!p[f]) missing.push(f);
  // country: never missing — /1.1 defaults it to US and refuses any other (A8); the un-versioned
  // methods cannot send one, so an empty country is read as US.
  const ownWebsite = Boolean(p.websiteUrl || p.alternativeWebsiteUrl);
  if (!ownWebsite && !partner.website) missing.push('website');
  for (const f of ['website', 'contactFirstName', 'contactLastName', 'contactEmail', 'contactPhone'] as const) {
    if (!partner[f]) missing.push(`partner.${f}`);
  }
  if (missing.length) return { complete: false, reason: `insufficient business information: ${missing.join(', ')}`, missing };
  return { complete: true, websiteFallback: !ownWebsite };
}

/** The option value → the partner's details ('complete' default, 'incomplete' = contact missing). */
export function resolvePartner(opt: 'complete' | 'incomplete' | Partial<PartnerBusinessDetails> | undefined): PartnerBusinessDetails {
  if (opt === undefined || opt === 'complete') return { ...COMPLETE_PARTNER };
  if (opt === 'incomplete') return { ...COMPLETE_PARTNER, contactFirstName: '', contactLastName: '' };
  return { website: '', contactFirstName: '', contactLastName: '', contactEmail: '', contactPhone: '', ...opt };
}
