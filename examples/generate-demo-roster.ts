/**
 * Generates examples/demo-roster.csv: a few hundred realistic, synthetic practices (deterministic,
 * seeded), some with missing or bad details, for `npm run demo`. Run: npx tsx examples/generate-demo-roster.ts
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';

let seed = 20261122;
const rand = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;

const first = ['Riverside', 'Lakeview', 'Maple', 'Cedar', 'Summit', 'Harbor', 'Pinecrest', 'Oak Hill', 'Willow', 'Granite', 'Bluebird', 'Northgate', 'Sunrise', 'Meadow', 'Prairie', 'Coastal', 'Valley', 'Brookside', 'Heritage', 'Canyon'];
const kind = ['Pediatrics', 'Family Medicine', 'Dermatology', 'Orthopedics', 'Cardiology', 'Internal Medicine', 'Womens Health', 'Urgent Care', 'Eye Care', 'Dental Group', 'Physical Therapy', 'ENT Associates'];
const suffix = ['', '', ', LLC', ' PC', ', PLLC', ' Associates'];
const streets = ['Main St', 'Elm Street', 'Oak Avenue', 'Washington Blvd', 'Park Road', 'Lake Shore Dr', 'Highland Ave', 'Market Street', 'Church St', 'Mill Road'];
const places: [string, string, string, string, string][] = [
  ['Columbus', 'OH', '43215', 'America/New_York', '614'], ['Cleveland', 'OH', '44114', 'America/New_York', '216'], ['Chicago', 'IL', '60601', 'America/Chicago', '312'],
  ['Austin', 'TX', '78701', 'America/Chicago', '512'], ['Denver', 'CO', '80202', 'America/Denver', '303'], ['Phoenix', 'AZ', '85004', 'America/Phoenix', '602'],
  ['Newark', 'NJ', '07102', 'America/New_York', '973'], ['Boston', 'MA', '02108', 'America/New_York', '617'], ['Seattle', 'WA', '98101', 'America/Los_Angeles', '206'],
  ['Atlanta', 'GA', '30303', 'America/New_York', '404'], ['San Juan', 'PR', '00901', 'America/Puerto_Rico', '787'], ['Honolulu', 'HI', '96813', 'Pacific/Honolulu', '808'],
  ['Nashville', 'TN', '37203', 'America/Chicago', '615'], ['Portland', 'ME', '04101', 'America/New_York', '207'], ['Omaha', 'NE', '68102', 'America/Chicago', '402'],
];
const managers = ['priya.raman@acme-ehr.example', 'marcus.bell@acme-ehr.example', 'lena.ortiz@acme-ehr.example'];

const esc = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
const header = ['practice_id', 'practice_name', 'address1', 'address2', 'city', 'state', 'zip', 'phone', 'fax', 'website', 'alt_website', 'time_zone', 'manager_email'];
const lines = [header.join(',')];
const N = 320;
for (let i = 1; i <= N; i++) {
  const [city, state, zip, tz, area] = pick(places);
  const name = `${pick(first)} ${pick(kind)}${pick(suffix)}`;
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '');
  const phone = `(${area}) 555-${String(1000 + Math.floor(rand() * 8999))}`;
  const r = rand();
  let address1 = `${100 + Math.floor(rand() * 9800)} ${pick(streets)}`;
  let website = `https://www.${slug}${i}.example`;
  let phoneOut = phone;
  let zipOut = rand() < 0.3 ? `${zip}-${String(1000 + Math.floor(rand() * 8999))}` : zip;
  // Deliberate gaps so the audit and the quarantine have something to say.
  if (r < 0.06) website = '';
  else if (r < 0.09) address1 = `PO Box ${100 + Math.floor(rand() * 900)}`;
  else if (r < 0.11) address1 = '';
  else if (r < 0.125) phoneOut = '555-01';
  else if (r < 0.135) zipOut = '';
  const row = [
    `P${String(i).padStart(5, '0')}`, name, address1, rand() < 0.3 ? `Suite ${100 + Math.floor(rand() * 400)}` : '', city, state, zipOut,
    phoneOut, rand() < 0.6 ? `${area}555${String(1000 + Math.floor(rand() * 8999))}` : '', website,
    rand() < 0.15 ? `https://facebook.com/${slug}${i}` : '', rand() < 0.5 ? tz : '', managers[i % managers.length] as string,
  ];
  lines.push(row.map(esc).join(','));
}
const out = path.join(import.meta.dirname, 'demo-roster.csv');
writeFileSync(out, lines.join('\n') + '\n');
console.log(`wrote ${N} practices to ${out}`);
