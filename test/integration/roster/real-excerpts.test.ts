/**
 * Small excerpts of the real rosters (test/fixtures/real, cut from ../shared/data/real with the
 * rows the full-file tests single out), so that the real-world normalizations are tested in a
 * clone of this repository alone. real-files.test.ts checks the full files' exact counts.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importRoster } from '../../../src/roster/import';
import { loadMappingFile } from '../../../src/roster/mapping-file';
import { FIXTURES } from '../../helpers/env';
import { csvSource, MAPPINGS, startRosterApp, type RosterTestApp } from './helpers';

let t: RosterTestApp;
beforeAll(async () => { t = await startRosterApp(); });
afterAll(async () => { await t?.close(); });

async function load(file: string) {
  const runId = await t.newRun();
  const mapping = await loadMappingFile(`${MAPPINGS}/${file}.yaml`);
  const result = await importRoster(t.app.deps, { runId, source: csvSource({ path: path.join(FIXTURES, 'real', `${file}.csv`) }), mapping });
  const row = (externalId: string) => t.tdb.db('roster_rows').where({ run_id: runId, external_id: externalId }).first();
  return { runId, result, row };
}

describe('real roster excerpts', () => {
  it('real-practices: a BOM before the first header, ZIP+4 joined, a Puerto Rico row', async () => {
    const { runId, result, row } = await load('real-practices');
    expect(result.encoding).toBe('utf8-bom');
    expect(result.mapping.externalId).toBe('ID');
    expect(result.stats).toMatchObject({ read: 18, valid: 18, quarantined: 0 });
    expect(await row('0')).toMatchObject({ name: 'CLINIC WITH A HEART', address2: 'SUITE 200', state: 'NE', postal: '685166640', phone: '4024212924', country: 'US' });
    const pr = await t.tdb.db('roster_rows').where({ run_id: runId, state: 'PR' });
    expect(pr.length).toBeGreaterThan(0);
    expect(pr.every((r) => r.time_zone === 'America/Puerto_Rico' && /^00\d{3}(\d{4})?$/.test(r.postal))).toBe(true);
  });

  it('real-hospitals-hifld: NOT AVAILABLE as empty, lost ZIP zeros restored, Palau refused', async () => {
    const { runId, result, row } = await load('real-hospitals-hifld');
    expect(result.stats.read).toBe(24);
    expect(result.stats.warnings['phone:placeholder']).toBeGreaterThan(0);
    expect(await row('1336420')).toMatchObject({ phone: '3342228466', website_url: 'http://www.andalusiaregionalhospital.com', active: true, postal: '36420' });
    const pr = await t.tdb.db('roster_rows').where({ run_id: runId, state: 'PR' });
    expect(pr.length).toBeGreaterThan(0);
    expect(pr.every((r) => /^00\d{3}$/.test(r.postal))).toBe(true);
    const nj = await t.tdb.db('roster_rows').where({ run_id: runId, state: 'NJ' });
    expect(nj.length).toBeGreaterThan(0);
    expect(nj.every((r) => r.postal.startsWith('0'))).toBe(true);
    const palau = await t.tdb.db('roster_quarantine').where({ run_id: runId, external_id: '696940' }).first();
    expect(palau.issues.map((i: { rule: string }) => i.rule)).toEqual(['non_us', 'non_us']);
  });

  it('real-hospitals-cms: multi-line quoted cells, no BOM', async () => {
    const { result, row } = await load('real-hospitals-cms');
    expect(result.encoding).toBe('utf8');
    expect(result.stats.read).toBe(18);
    expect(await row('010005')).toMatchObject({ name: 'MARSHALL MEDICAL CENTER SOUTH', phone: '2565938310', postal: '35957' });
  });

  it('nppes-orgs-sample: ".0" float suffixes stripped from phones, faxes and ZIP+4s', async () => {
    const { result, row } = await load('nppes-orgs-sample');
    expect(result.stats.read).toBe(15);
    expect(await row('1497758544')).toMatchObject({ phone: '9106096740', postal: '283044552', state: 'NC', fax: null });
    expect(await row('1023011178')).toMatchObject({ fax: '7072582476', postal: '945594515' });
  });
});
