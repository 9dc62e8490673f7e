/**
 * What an address line is: a street address, a PO box alone, or a street address that also carries
 * a box ("6801 AIRPORT BOULEVARD, PO BOX 850429", "P O BOX 100, 100 HOSPITAL DRIVE"). Carriers want
 * a physical address for SMS verification; a street line with a box is one, only a box alone is not.
 * Rosters pack the box into the street line after a comma, a slash, a dash or nothing at all (the
 * real HIFLD and CMS hospital files do all four), so the box is cut out and what is left is judged.
 * Pure. Table-tested on the real rosters' lines (test/unit/sms/po-box.test.ts).
 */

export type AddressLineKind = 'street' | 'box' | 'street-and-box' | 'rural-route' | 'empty';

// A box and its id: "PO BOX 12", "P.O. Box A", "P O DRAWER Z", "POST OFFICE BOX 1722", "POB 3",
// "CALLER BOX C268", "BOX NUMBER 8", "DRAWER 1718" (a bare "BOX" only before a number, so
// "2101 BOX BUTTE AVE" keeps its street).
const BOX = new RegExp(
  String.raw`\b(?:P\.?\s*O\.?\s*(?:BOX|DRAWER|DRWR)|POST\s+OFFICE\s+(?:BOX|DRAWER)|POSTAL\s+BOX|POB|P\.?\s*O\.?\s*B\.?(?=\s*#?\s*\d))`
  + String.raw`\b\.?\s*#?\s*(?:[A-Z]{0,3}-?\d[\w-]*|[A-Z]{1,3}\b)?`
  + String.raw`|\b(?:CALLER\s+)?(?:BOX|DRAWER)\s*(?:NUMBER\s+|NO\.?\s*)?#?\s*[A-Z]{0,2}\d[\w-]*`,
  'gi');
// A rural-route or highway-contract box ("RR 8 BOX 3311", "HC 1 BOX 16277", "ROUTE 7 BOX R50"): the
// mailbox stands at the property, so it locates the practice, but carriers may still ask for the
// street (911) address.
const RURAL = /\b(?:RR|R\.\s*R\.|RURAL\s+ROUTE|RT|RTE|ROUTE|HC|HCR|STAR\s+ROUTE)\s*#?\s*\d+\s*,?\s*BOX\s*#?\s*[\w-]+/gi;

// Unit designators and their ids say where inside a building, not where the building is.
const UNIT = /\b(?:SUITE|STE|UNIT|APT|FLOOR|FLR|FL|ROOM|RM|BLDG|BUILDING|DEPT|WING|ATTN|C\/O)\b\.?\s*#?\s*[\w-]*|#\s*[\w-]+|\b\d+(?:ST|ND|RD|TH)\s+(?:FLOOR|FLR|FL)\b/gi;

// A street: a house number followed by a name ("10 WAYMAN LANE", "14TH AND OREGON", "321 BYPASS"),
// a spelled-out number ("ONE HOSPITAL ROAD") or a thoroughfare word, English or Spanish, alone
// ("MAPLE STREET", "STATE ROUTE 1014", "CARR 3, KM 8", "FAGAALU VILLAGE").
const HOUSE_NUMBER = /\b\d+[A-Z]{0,2}\b[\s,-]+(?:[NSEW]\.?\s+)?(?:[A-Z]{2,}|\d+(?:ST|ND|RD|TH)\b)/i;
const SPELLED_NUMBER = /^\s*(?:ONE|TWO|THREE|FOUR|FIVE|SIX|SEVEN|EIGHT|NINE|TEN)\s+[A-Z]{2,}/i;
const THOROUGHFARE = new RegExp(String.raw`\b(?:${[
  'STREET', 'ST', 'ROAD', 'RD', 'AVENUE', 'AVE', 'AV', 'BOULEVARD', 'BLVD', 'DRIVE', 'DR', 'LANE', 'LN', 'WAY', 'COURT', 'CT',
  'CIRCLE', 'CIR', 'PLACE', 'PL', 'PLAZA', 'PARKWAY', 'PKWY', 'HIGHWAY', 'HWY', 'ROUTE', 'ROUTES', 'RTE', 'TRAIL', 'TERRACE',
  'TER', 'PIKE', 'TURNPIKE', 'EXPRESSWAY', 'FREEWAY', 'BYPASS', 'SQUARE', 'SQ', 'ALLEY', 'CORNER', 'VILLAGE', 'CAMPUS',
  'CALLE', 'CARR', 'CARRETERA', 'AVENIDA', 'AVE', 'KM', 'URB', 'BARRIO', 'SECTOR',
].join('|')})\b`, 'i');

/** Classifies one address line (see the file comment). */
export function classifyAddressLine(line: string | null | undefined): AddressLineKind {
  const s = (line ?? '').trim();
  if (!s) return 'empty';
  const rural = s.search(RURAL) >= 0;
  const withoutRural = rural ? s.replace(RURAL, ' ') : s;
  const box = withoutRural.search(BOX) >= 0;
  if (!box && !rural) return 'street';
  const rest = withoutRural.replace(BOX, ' ').replace(UNIT, ' ').replace(/[()[\]/,;:.-]+/g, ' ').replace(/\s+/g, ' ').trim();
  if (namesStreet(rest)) return 'street-and-box';
  return rural ? 'rural-route' : 'box';
}

function namesStreet(rest: string): boolean {
  return HOUSE_NUMBER.test(rest) || SPELLED_NUMBER.test(rest) || THOROUGHFARE.test(rest);
}

/** True when the line names a street (not only a suite, floor or box): "12 ELM ST", "MAPLE STREET". */
export function looksLikeStreet(line: string | null | undefined): boolean {
  const k = classifyAddressLine(line);
  if (k === 'street-and-box' || k === 'rural-route') return true;
  if (k !== 'street') return false;
  return namesStreet((line ?? '').replace(UNIT, ' ').replace(/[()[\]/,;:.-]+/g, ' '));
}

/** True when the line holds a box (alone or beside a street). */
export const hasPoBox = (line: string | null | undefined): boolean => {
  const k = classifyAddressLine(line);
  return k === 'box' || k === 'street-and-box';
};

/** True when the line is a box and nothing else that locates the practice. */
export const isPoBoxOnly = (line: string | null | undefined): boolean => classifyAddressLine(line) === 'box';
