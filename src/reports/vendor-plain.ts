/**
 * The vendor's save failures in plain words, for a partner manager: what Updox refused and what to
 * do, without codes (updox-api.md §2.3 lists them). The admin report keeps the code beside it. Pure.
 */

const FIELD_WORDS: Record<string, string> = {
  name: 'business name', address1: 'street address', address2: 'address line 2', city: 'city', state: 'state',
  postal: 'ZIP code', country: 'country', phone: 'phone', fax: 'fax', websiteUrl: 'website', alternativeWebsiteUrl: 'alternative website',
  websiteAddress: 'portal web address', timeZone: 'time zone', directDomain: 'Direct domain', directAddress: 'Direct address', accountId: 'account id',
};

/** "postal: must be 5 or 9 digits; state: …" → "ZIP code: must be 5 or 9 digits; state: …". */
export function plainFieldList(message: string): string {
  return message.replace(/(^|;\s*)([A-Za-z0-9]+)(?=:)/g, (_m, sep: string, field: string) => `${sep}${FIELD_WORDS[field] ?? field}`);
}

const KNOWN: Record<number, string> = {
  4140: "The practice's portal web address is already used by another Updox practice. Choose a different web address.",
  4161: "The practice's portal web address is not valid. Use only letters, digits, dots, dashes and underscores.",
  4150: "The practice's Direct domain is already used by another practice. Choose a different Direct domain.",
  4163: "The practice's Direct domain is not available. Choose a different Direct domain.",
  4160: "The practice's Direct domain is not valid. Correct it.",
  4610: "The practice's Direct address is already used. Choose a different Direct address.",
  4620: "The practice's Direct address does not match its Direct domain. Correct the Direct address.",
  4621: "The practice's Direct address does not match the partner's Direct domain. Correct the Direct address.",
  4630: 'The practice has a Direct address but no Direct domain. Add the Direct domain, or remove the Direct address.',
  4640: "The practice's Direct address is not valid. Correct it.",
  4039: 'Updox could not verify the business details on file.',
};

/** Codes a manager cannot fix from the practice's details: someone with Updox access must look. */
const ASK: Record<number, string> = {
  4130: 'Updox already has an account with this id, so the practice could not be created.',
  4131: 'Updox has no account with this id any more.',
  4011: 'Updox says this practice does not exist or is inactive.',
  4110: 'Updox did not receive the practice id.',
};

/** A failed save in plain words, ending with what to do. `ask` is whom to ask (reports.contact). */
export function vendorPlain(code: number | null, message: string | null, ask: string): string {
  const said = (message ?? '').trim();
  if (code === 4060) {
    return `Updox refused some details${said ? ` (${plainFieldList(said)})` : ''}. Correct them in the practice record; the next sync sends them again.`;
  }
  if (code !== null && KNOWN[code]) return KNOWN[code];
  if (code !== null && ASK[code]) return `${ASK[code]} Ask ${ask} to check the account in Updox.`;
  if (code !== null && code >= 5000) return `Updox had a temporary error saving the practice. The next sync tries again; if this stays, ask ${ask}.`;
  return `Updox refused the update${said ? ` ("${said}")` : ''}. Ask ${ask} what to change.`;
}
