/**
 * Chooses a column mapping from a file's headers (or a table's columns). Pure.
 * With an explicit mapping, each mapped header is found exactly, else case/space/punctuation-
 * insensitively. Without one, headers are matched to our fields by common synonyms.
 */
import type { RosterField } from '../config';

export type Mapping = Partial<Record<RosterField, string>>;

/** Synonyms per field, already in key form (see headerKey). First match in header order wins. */
export const SYNONYMS: Record<RosterField, readonly string[]> = {
  externalId: ['externalid', 'practiceid', 'id', 'accountid', 'locationid', 'siteid', 'providerid', 'npi', 'clinicid', 'facilityid'],
  name: ['name', 'practicename', 'practice', 'organizationname', 'orgname', 'businessname', 'clinicname', 'locationname', 'facilityname', 'sitename', 'hospitalname'],
  address1: ['address1', 'address', 'addressline1', 'street', 'streetaddress', 'street1', 'addr1', 'address01'],
  address2: ['address2', 'addressline2', 'street2', 'suite', 'addr2', 'address02', 'unit'],
  city: ['city', 'town', 'locality', 'cityname'],
  state: ['state', 'st', 'statecode', 'province', 'region', 'stateabbr', 'stateabbreviation'],
  postal: ['postal', 'zip', 'zipcode', 'postalcode', 'zip5', 'postcode', 'zippostalcode'],
  postalExt: ['zip4', 'zipp4', 'zipplus4', 'postalext', 'zipext', 'plus4'],
  country: ['country', 'countrycode'],
  phone: ['phone', 'telephone', 'phonenumber', 'tel', 'telephonenumber', 'mainphone', 'officephone', 'phone1'],
  fax: ['fax', 'faxnumber', 'fax1', 'facsimile'],
  websiteUrl: ['website', 'websiteurl', 'url', 'web', 'homepage', 'webaddressurl', 'site'],
  alternativeWebsiteUrl: ['altwebsite', 'alternativewebsiteurl', 'alternatewebsite', 'website2', 'altwebsiteurl', 'socialurl'],
  websiteAddress: ['websiteaddress', 'portalslug', 'updoxwebaddress'],
  timeZone: ['timezone', 'tz', 'tzname'],
  directDomain: ['directdomain'],
  directAddress: ['directaddress', 'directemail'],
  managerEmail: ['manageremail', 'manager', 'accountmanager', 'owneremail', 'manager_email'],
  active: ['active', 'isactive', 'enabled', 'status'],
};

export const REQUIRED_FIELDS: readonly RosterField[] = ['externalId', 'name'];

/** Case, space and punctuation insensitive key; a leading BOM is dropped. */
export const headerKey = (h: string): string => h.replace(/^\ufeff/, '').toLowerCase().replace(/[^a-z0-9]/g, '');

export interface MappingChoice {
  mapping: Mapping;
  /** field → column index in the record. */
  index: Partial<Record<RosterField, number>>;
  /** Mapped headers that were not found. */
  missing: { field: RosterField; header: string }[];
}

export function chooseMapping(headers: readonly string[], explicit?: Mapping): MappingChoice {
  const keys = headers.map(headerKey);
  const mapping: Mapping = {};
  const index: Partial<Record<RosterField, number>> = {};
  const missing: MappingChoice['missing'] = [];
  if (explicit && Object.keys(explicit).length) {
    for (const [field, header] of Object.entries(explicit) as [RosterField, string][]) {
      let i = headers.indexOf(header);
      if (i < 0) i = keys.indexOf(headerKey(header));
      if (i < 0) missing.push({ field, header });
      else {
        mapping[field] = headers[i]!.replace(/^\ufeff/, '');
        index[field] = i;
      }
    }
    return { mapping, index, missing };
  }
  const used = new Set<number>();
  for (const field of Object.keys(SYNONYMS) as RosterField[]) {
    for (const syn of SYNONYMS[field]) {
      const i = keys.findIndex((k, j) => k === syn && !used.has(j));
      if (i >= 0) {
        mapping[field] = headers[i]!.replace(/^\ufeff/, '');
        index[field] = i;
        used.add(i);
        break;
      }
    }
  }
  return { mapping, index, missing };
}

/** Header keys that appear more than once (non-empty). */
export function duplicateHeaders(headers: readonly string[]): string[] {
  const seen = new Map<string, number>();
  for (const h of headers) {
    const k = headerKey(h);
    if (k) seen.set(k, (seen.get(k) ?? 0) + 1);
  }
  return headers.filter((h, i) => (seen.get(headerKey(h)) ?? 0) > 1 && headers.findIndex((x) => headerKey(x) === headerKey(h)) === i);
}
