/** Imports each real roster in ../shared/data/real with its mapping and checks exact counts and normalizations. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { importRoster } from '../../../src/roster/import';
import { loadMappingFile } from '../../../src/roster/mapping-file';
import { SHARED_REAL } from '../../helpers/env';
import { csvSource, MAPPINGS, startRosterApp, type RosterTestApp } from './helpers';

let t: RosterTestApp;
beforeAll(async () => { if (existsSync(SHARED_REAL)) t = await startRosterApp(); });
afterAll(async () => { await t?.close(); });

async function load(file: string) {
  const runId = await t.newRun();
  const mapping = await loadMappingFile(`${MAPPINGS}/${file}.yaml`);
  const result = await importRoster(t.app.deps, { runId, source: csvSource({ path: `${SHARED_REAL}/${file}.csv` }), mapping });
  const row = (externalId: string) => t.tdb.db('roster_rows').where({ run_id: runId, external_id: externalId }).first();
  return { runId, result, row };
}

// CI always has ../shared beside the clone; a lone clone runs real-excerpts.test.ts instead.
describe.skipIf(!existsSync(SHARED_REAL))('real rosters (full files in ../shared/data/real)', () => {
  it('real-practices.csv: BOM header, ZIP+4 column joined, blanks as " ", a Puerto Rico row', async () => {
    const { runId, result, row } = await load('real-practices');
    expect(result.stats).toMatchObject({ read: 4810, valid: 4809, quarantined: 1, byReason: { 'name:too_long': 1 } });
    expect(result.encoding).toBe('utf8-bom');
    expect(result.mapping.externalId).toBe('ID'); // the BOM is not part of the first header
    expect(await row('0')).toMatchObject({ name: 'CLINIC WITH A HEART', address2: 'SUITE 200', state: 'NE', postal: '685166640', phone: '4024212924', country: 'US', time_zone: 'America/Chicago', account_id: '0' });
    const pr = await t.tdb.db('roster_rows').where({ run_id: runId, state: 'PR' });
    expect(pr).toHaveLength(10);
    expect(pr.every((r) => r.time_zone === 'America/Puerto_Rico' && /^00\d{3}(\d{4})?$/.test(r.postal))).toBe(true);
    const run = await t.tdb.db('runs').where({ id: runId }).first();
    expect(run.managed_fields).toEqual(['name', 'address1', 'address2', 'city', 'state', 'postal', 'country', 'phone', 'timeZone']);
    expect(run.import_stats).toMatchObject({ read: 4810, valid: 4809, mapping: { postalExt: 'ZIPP4' }, encoding: 'utf8-bom', delimiter: ',' });
    expect(run.input).toMatch(/real-practices\.csv$/);
  });

  it('real-hospitals-hifld.csv: NOT AVAILABLE phones, lost ZIP zeros, websites, PW rejected, CLOSED inactive', async () => {
    const { runId, result, row } = await load('real-hospitals-hifld');
    // Five junk websites ("red bud regional hospital") are dropped with a warning; the practices go on.
    expect(result.stats).toMatchObject({ read: 8013, valid: 8009, quarantined: 4 });
    expect(result.stats.byReason).toEqual({ 'phone:invalid': 3, 'country:non_us': 1, 'state:non_us': 1 });
    expect(result.stats.warnings).toMatchObject({ 'websiteUrl:dropped': 5, 'phone:placeholder': 458, 'postal:leading_zero_restored': 539, 'address1:po_box': 2 });
    expect(await row('1336420')).toMatchObject({ phone: '3342228466', website_url: 'http://www.andalusiaregionalhospital.com', active: true, postal: '36420' });
    const notAvailable = await t.tdb.db('roster_rows').where({ run_id: runId }).whereNull('phone').count<{ count: string }[]>('* as count');
    expect(Number(notAvailable[0]!.count)).toBe(458);
    const nj = await t.tdb.db('roster_rows').where({ run_id: runId, state: 'NJ' }).whereRaw("postal NOT LIKE '0%'").count<{ count: string }[]>('* as count');
    expect(Number(nj[0]!.count)).toBe(0);
    const pr = await t.tdb.db('roster_rows').where({ run_id: runId, state: 'PR' }).first();
    expect(pr.postal).toMatch(/^00\d{3}$/);
    const palau = await t.tdb.db('roster_quarantine').where({ run_id: runId, external_id: '696940' }).first();
    expect(palau.issues.map((i: { rule: string }) => i.rule)).toEqual(['non_us', 'non_us']);
    expect(Number((await t.tdb.db('roster_rows').where({ run_id: runId, active: false }).count<{ count: string }[]>('* as count'))[0]!.count)).toBeGreaterThan(300);
  });

  it('real-hospitals-cms.csv: multi-line quoted cells, no BOM', async () => {
    const { result, row } = await load('real-hospitals-cms');
    expect(result.stats).toMatchObject({ read: 4806, valid: 4804, quarantined: 2, byReason: { 'phone:invalid': 2 } });
    expect(result.encoding).toBe('utf8');
    expect(await row('010005')).toMatchObject({ name: 'MARSHALL MEDICAL CENTER SOUTH', phone: '2565938310', postal: '35957' });
  });

  it('nppes-orgs-sample.csv: ".0" float suffixes on phones, faxes and ZIP+4s', async () => {
    const { result, row } = await load('nppes-orgs-sample');
    expect(result.stats).toMatchObject({ read: 188, valid: 187, quarantined: 1, byReason: { 'phone:invalid': 1 } });
    expect(await row('1497758544')).toMatchObject({ phone: '9106096740', postal: '283044552', state: 'NC', fax: null });
    expect(await row('1023011178')).toMatchObject({ fax: '7072582476', postal: '945594515' });
    expect(result.stats.warnings['postal:leading_zero_restored']).toBe(17);
  });

  it('writes quarantined rows with their reasons to --errors', async () => {
    const runId = await t.newRun();
    const out = `/tmp/updox-roster-errors-${runId}.csv`;
    await importRoster(t.app.deps, { runId, source: csvSource({ path: `${SHARED_REAL}/real-hospitals-cms.csv` }), mapping: await loadMappingFile(`${MAPPINGS}/real-hospitals-cms.yaml`), errorsOut: out });
    const text = await readFile(out, 'utf8');
    expect(text.split('\r\n')[0]).toBe('\uFEFFrow_number,external_id,reasons,issues,raw,outcome'); // src/csv.ts: BOM, CRLF
    expect(text).toContain('phone: not a valid 10-digit US number');
  });
});
