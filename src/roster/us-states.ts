/**
 * USPS state and territory codes, their names, a default time zone per code and the ZIP prefixes
 * that begin with 0 (used to restore a lost leading zero). Pure data.
 *
 * PW (Palau), FM (Micronesia) and MH (Marshall Islands) are USPS codes but sovereign countries
 * (freely associated states), outside the US and its territories: they are rejected as non-US.
 * Military codes AA/AE/AP are not practice locations and are rejected as unknown.
 */
export const STATE_NAMES: Record<string, string> = {
  AL: 'Alabama', AK: 'Alaska', AZ: 'Arizona', AR: 'Arkansas', CA: 'California', CO: 'Colorado',
  CT: 'Connecticut', DE: 'Delaware', DC: 'District of Columbia', FL: 'Florida', GA: 'Georgia',
  HI: 'Hawaii', ID: 'Idaho', IL: 'Illinois', IN: 'Indiana', IA: 'Iowa', KS: 'Kansas', KY: 'Kentucky',
  LA: 'Louisiana', ME: 'Maine', MD: 'Maryland', MA: 'Massachusetts', MI: 'Michigan', MN: 'Minnesota',
  MS: 'Mississippi', MO: 'Missouri', MT: 'Montana', NE: 'Nebraska', NV: 'Nevada', NH: 'New Hampshire',
  NJ: 'New Jersey', NM: 'New Mexico', NY: 'New York', NC: 'North Carolina', ND: 'North Dakota',
  OH: 'Ohio', OK: 'Oklahoma', OR: 'Oregon', PA: 'Pennsylvania', RI: 'Rhode Island',
  SC: 'South Carolina', SD: 'South Dakota', TN: 'Tennessee', TX: 'Texas', UT: 'Utah', VT: 'Vermont',
  VA: 'Virginia', WA: 'Washington', WV: 'West Virginia', WI: 'Wisconsin', WY: 'Wyoming',
  PR: 'Puerto Rico', GU: 'Guam', VI: 'Virgin Islands', AS: 'American Samoa', MP: 'Northern Mariana Islands',
};

/** Predominant IANA zone per code (states spanning two zones get the zone of most of their population). */
export const STATE_TIME_ZONE: Record<string, string> = {
  AL: 'America/Chicago', AK: 'America/Anchorage', AZ: 'America/Phoenix', AR: 'America/Chicago',
  CA: 'America/Los_Angeles', CO: 'America/Denver', CT: 'America/New_York', DE: 'America/New_York',
  DC: 'America/New_York', FL: 'America/New_York', GA: 'America/New_York', HI: 'Pacific/Honolulu',
  ID: 'America/Boise', IL: 'America/Chicago', IN: 'America/Indiana/Indianapolis', IA: 'America/Chicago',
  KS: 'America/Chicago', KY: 'America/New_York', LA: 'America/Chicago', ME: 'America/New_York',
  MD: 'America/New_York', MA: 'America/New_York', MI: 'America/Detroit', MN: 'America/Chicago',
  MS: 'America/Chicago', MO: 'America/Chicago', MT: 'America/Denver', NE: 'America/Chicago',
  NV: 'America/Los_Angeles', NH: 'America/New_York', NJ: 'America/New_York', NM: 'America/Denver',
  NY: 'America/New_York', NC: 'America/New_York', ND: 'America/Chicago', OH: 'America/New_York',
  OK: 'America/Chicago', OR: 'America/Los_Angeles', PA: 'America/New_York', RI: 'America/New_York',
  SC: 'America/New_York', SD: 'America/Chicago', TN: 'America/Chicago', TX: 'America/Chicago',
  UT: 'America/Denver', VT: 'America/New_York', VA: 'America/New_York', WA: 'America/Los_Angeles',
  WV: 'America/New_York', WI: 'America/Chicago', WY: 'America/Denver', PR: 'America/Puerto_Rico',
  GU: 'Pacific/Guam', VI: 'America/St_Thomas', AS: 'Pacific/Pago_Pago', MP: 'Pacific/Saipan',
};

/** Codes recognised as outside the US and its territories (rejected with rule `non_us`). */
export const NON_US_CODES: Record<string, string> = {
  PW: 'Palau', FM: 'Micronesia', MH: 'Marshall Islands',
  AB: 'Alberta', BC: 'British Columbia', MB: 'Manitoba', NB: 'New Brunswick', NL: 'Newfoundland and Labrador',
  NS: 'Nova Scotia', NT: 'Northwest Territories', NU: 'Nunavut', ON: 'Ontario', PE: 'Prince Edward Island',
  QC: 'Quebec', SK: 'Saskatchewan', YT: 'Yukon',
};

/** States whose every ZIP starts with 0, with the two-digit prefixes they use. */
export const ZERO_ZIP_PREFIXES: Record<string, readonly string[]> = {
  CT: ['06'], MA: ['01', '02', '05'], ME: ['03', '04'], NH: ['03'], NJ: ['07', '08'], RI: ['02'],
  VT: ['05'], PR: ['00'], VI: ['00'],
};

/** US time zones accepted as given (A16: an IANA US zone or Zulu), plus common aliases. */
export const US_TIME_ZONES = new Set([
  'America/New_York', 'America/Detroit', 'America/Kentucky/Louisville', 'America/Kentucky/Monticello',
  'America/Indiana/Indianapolis', 'America/Indiana/Vincennes', 'America/Indiana/Winamac',
  'America/Indiana/Marengo', 'America/Indiana/Petersburg', 'America/Indiana/Vevay', 'America/Chicago',
  'America/Indiana/Tell_City', 'America/Indiana/Knox', 'America/Menominee', 'America/North_Dakota/Center',
  'America/North_Dakota/New_Salem', 'America/North_Dakota/Beulah', 'America/Denver', 'America/Boise',
  'America/Phoenix', 'America/Los_Angeles', 'America/Anchorage', 'America/Juneau', 'America/Sitka',
  'America/Metlakatla', 'America/Yakutat', 'America/Nome', 'America/Adak', 'Pacific/Honolulu',
  'America/Puerto_Rico', 'America/St_Thomas', 'Pacific/Guam', 'Pacific/Saipan', 'Pacific/Pago_Pago', 'Zulu',
]);

export const TIME_ZONE_ALIASES: Record<string, string> = {
  eastern: 'America/New_York', est: 'America/New_York', edt: 'America/New_York', et: 'America/New_York',
  'us/eastern': 'America/New_York', central: 'America/Chicago', cst: 'America/Chicago', cdt: 'America/Chicago',
  ct: 'America/Chicago', 'us/central': 'America/Chicago', mountain: 'America/Denver', mst: 'America/Phoenix',
  mdt: 'America/Denver', mt: 'America/Denver', 'us/mountain': 'America/Denver', 'us/arizona': 'America/Phoenix',
  pacific: 'America/Los_Angeles', pst: 'America/Los_Angeles', pdt: 'America/Los_Angeles',
  pt: 'America/Los_Angeles', 'us/pacific': 'America/Los_Angeles', alaska: 'America/Anchorage',
  akst: 'America/Anchorage', 'us/alaska': 'America/Anchorage', hawaii: 'Pacific/Honolulu',
  hst: 'Pacific/Honolulu', 'us/hawaii': 'Pacific/Honolulu', ast: 'America/Puerto_Rico',
  atlantic: 'America/Puerto_Rico', chst: 'Pacific/Guam', sst: 'Pacific/Pago_Pago', utc: 'Zulu', gmt: 'Zulu', z: 'Zulu',
};

const key = (s: string) => s.toLowerCase().replace(/[^a-z]/g, '');
const BY_NAME = new Map<string, string>();
for (const [code, name] of Object.entries(STATE_NAMES)) {
  BY_NAME.set(key(name), code);
  BY_NAME.set(key(code), code);
}
// Common variants.
for (const [alias, code] of Object.entries({
  washingtondc: 'DC', districtofcolumbia: 'DC', usvirginislands: 'VI', virginislandsus: 'VI',
  usvi: 'VI', commonwealthofpuertorico: 'PR', cnmi: 'MP', northernmarianas: 'MP', samoa: 'AS',
})) BY_NAME.set(alias, code);
const NON_US_BY_NAME = new Map<string, string>();
for (const [code, name] of Object.entries(NON_US_CODES)) {
  NON_US_BY_NAME.set(key(name), code);
  NON_US_BY_NAME.set(key(code), code);
}

/** Looks a state up by USPS code or name (case, spaces, dots ignored). */
export function lookupState(text: string): { code: string } | { nonUs: string } | null {
  const k = key(text);
  const code = BY_NAME.get(k);
  if (code) return { code };
  const non = NON_US_BY_NAME.get(k);
  return non ? { nonUs: non } : null;
}
