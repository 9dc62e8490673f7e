/**
 * Broken bytes in a CSV: a configured utf8 is checked over the whole file (the bad byte's offset
 * and line named, nothing staged); NUL and control characters are named per field in the
 * quarantine or the warnings, never a database error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { importRoster } from '../../../src/roster/import';
import { SyncError } from '../../../src/errors';
import { csvSource, startRosterApp, type RosterTestApp } from './helpers';

let t: RosterTestApp;
let dir: string;
beforeAll(async () => {
  t = await startRosterApp();
  dir = await mkdtemp(path.join(tmpdir(), 'hostile-csv-'));
});
afterAll(async () => { await t?.close(); });

const HEADER = 'practice_id,practice_name,city\n';
/** `n` clean rows (~30 bytes each) after the header. */
const rows = (n: number, from = 1) => Array.from({ length: n }, (_, i) => `R${from + i},Clinic ${from + i},Columbus\n`).join('');
async function file(name: string, ...parts: (string | Buffer)[]) {
  const f = path.join(dir, name);
  await writeFile(f, Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p))));
  return f;
}
async function staged(runId: string) {
  const [r] = await t.tdb.db('roster_rows').where({ run_id: runId }).count<{ n: string }[]>('* as n');
  const [q] = await t.tdb.db('roster_quarantine').where({ run_id: runId }).count<{ n: string }[]>('* as n');
  return Number(r!.n) + Number(q!.n);
}
async function undecodable(f: string, offset: number, line: number) {
  const runId = await t.newRun();
  const err = await importRoster(t.app.deps, { runId, source: csvSource({ path: f, encoding: 'utf8' }) }).then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(SyncError);
  expect((err as SyncError).code).toBe('IMPORT_UNDECODABLE');
  expect((err as SyncError).message).toContain(`at byte offset ${offset} (line ${line})`);
  expect((err as SyncError).details).toMatchObject({ offset, line });
  expect(await staged(runId)).toBe(0);
}

describe('encoding: utf8 is checked over the whole file', () => {
  const before = HEADER + rows(4000); // ~110 KB: past the 64 KB the sniff reads
  const off = Buffer.byteLength(before);
  it('a Latin-1 byte after the first 64 KB', async () => {
    await undecodable(await file('late-latin1.csv', before, 'R9,Caf', Buffer.from([0xe9]), ',Austin\n', rows(10, 5000)), off + 6, 4002);
  });
  it('a byte in the first 64 KB', async () => {
    await undecodable(await file('early.csv', HEADER, 'R1,Bad', Buffer.from([0xff]), ',X\n', rows(10, 2)), Buffer.byteLength(HEADER) + 6, 2);
  });
  it('an overlong encoding after 64 KB', async () => {
    await undecodable(await file('overlong.csv', before, 'R9,', Buffer.from([0xc0, 0xaf]), ',Austin\n'), off + 3, 4002);
  });
  it('a UTF-16 surrogate encoded as UTF-8 after 64 KB', async () => {
    await undecodable(await file('surrogate.csv', before, 'R9,', Buffer.from([0xed, 0xa0, 0x80]), ',Austin\n'), off + 3, 4002);
  });
  it('a sequence cut off by the end of the file', async () => {
    await undecodable(await file('cut.csv', before, 'R9,Caf', Buffer.from([0xc3])), off + 6, 4002);
  });
  it('a valid multi-byte file is read', async () => {
    const r = await importRoster(t.app.deps, { runId: await t.newRun(), source: csvSource({ path: await file('ok.csv', before, 'Z9,Café Doña,Española\n'), encoding: 'utf8' }) });
    expect(r.stats).toMatchObject({ read: 4001, valid: 4001 });
  });
});

describe('NUL and control characters', () => {
  it('a NUL in an invalid row after 64 KB is quarantined, named, with the raw cells kept', async () => {
    const runId = await t.newRun();
    const f = await file('late-nul.csv', HEADER, rows(3000), 'N1,Nul\u0000Clinic,', ',\n', 'N2,,Austin\u0000\n');
    const r = await importRoster(t.app.deps, { runId, source: csvSource({ path: f }) });
    expect(r.stats).toMatchObject({ read: 3002, valid: 3000, quarantined: 2, byReason: { 'name:nul_byte': 1, 'name:required': 1, 'city:nul_byte': 1 } });
    const q = await t.tdb.db('roster_quarantine').where({ run_id: runId }).orderBy('row_number');
    expect(q[0].raw).toMatchObject({ practice_name: 'Nul\u2400Clinic' });
    expect(q[0].issues).toContainEqual(expect.objectContaining({ field: 'name', rule: 'nul_byte', message: 'name: a NUL byte at character 4' }));
    expect(q[1].raw).toMatchObject({ city: 'Austin\u2400' });
  });
  it('a text that looks like an escaped NUL is kept as typed', async () => {
    const runId = await t.newRun();
    const r = await importRoster(t.app.deps, { runId, source: csvSource({ path: await file('fake-nul.csv', HEADER, 'F1,,\\u0000 and \\\u0000\n', rows(3)), maxInvalidShare: 1 }) });
    expect(r.stats).toMatchObject({ read: 4, quarantined: 1 });
    const q = await t.tdb.db('roster_quarantine').where({ run_id: runId }).first();
    expect(q.raw.city).toBe('\\u0000 and \\\u2400');
  });
  it('other control characters become spaces with a coded warning naming the field', async () => {
    const runId = await t.newRun();
    const r = await importRoster(t.app.deps, { runId, source: csvSource({ path: await file('esc.csv', HEADER, 'C1,Esc\u001bClinic,Col\u0007umbus\n', rows(2, 2)) }) });
    expect(r.stats).toMatchObject({ read: 3, valid: 3, warnings: { 'name:control_character': 1, 'city:control_character': 1 } });
    const row = await t.tdb.db('roster_rows').where({ run_id: runId, external_id: 'C1' }).first();
    expect(row).toMatchObject({ name: 'Esc Clinic', city: 'Col umbus' });
    expect(row.warnings).toContainEqual(expect.objectContaining({ field: 'name', rule: 'control_character', message: 'control character U+001B at character 4 replaced by a space' }));
  });
});

describe('a bad optional field is dropped, the row goes on', () => {
  it('a junk website, fax and zone: staged with coded warnings, counted, and listed in --errors', async () => {
    const runId = await t.newRun();
    const out = path.join(dir, 'dropped-errors.csv');
    const f = await file('optional.csv', 'practice_id,practice_name,website,fax,time_zone\n',
      'O1,Red Bud Clinic,red bud regional hospital,,\n', 'O2,Fax Clinic,,555,\n', 'O3,Zone Clinic,,,Central Standard Time\n', 'O4,Fine Clinic,fine.example,614-555-0100,America/Chicago\n', ',No Id,junk site,,\n');
    const r = await importRoster(t.app.deps, { runId, source: csvSource({ path: f, maxInvalidShare: 1 }), errorsOut: out });
    expect(r.stats).toMatchObject({ read: 5, valid: 4, quarantined: 1, byReason: { 'externalId:required': 1 }, warnings: { 'websiteUrl:dropped': 2, 'fax:dropped': 1, 'timeZone:dropped': 1 } });
    const o1 = await t.tdb.db('roster_rows').where({ run_id: runId, external_id: 'O1' }).first();
    expect(o1.website_url).toBeNull();
    expect(o1.warnings).toContainEqual(expect.objectContaining({ field: 'websiteUrl', rule: 'dropped', message: 'not a URL: "red bud regional hospital" [invalid]: dropped, the row goes on' }));
    const { readFile } = await import('node:fs/promises');
    const records = parse(await readFile(out, 'utf8'), { bom: true, columns: true }) as Record<string, string>[];
    expect(Object.keys(records[0]!)).toEqual(['row_number', 'external_id', 'reasons', 'issues', 'raw', 'outcome']);
    expect(records.map((x) => [x.row_number, x.external_id, x.outcome])).toEqual([
      ['2', 'O1', 'staged, value dropped'], ['3', 'O2', 'staged, value dropped'], ['4', 'O3', 'staged, value dropped'], ['6', '', 'quarantined'],
    ]);
    expect(records[0]!.reasons).toBe('websiteUrl: not a URL: "red bud regional hospital" [invalid]: dropped, the row goes on');
    expect(records[1]!.reasons).toMatch(/^fax: /);
    expect(records[2]!.reasons).toMatch(/^timeZone: /);
    expect(JSON.parse(records[0]!.issues!)).toEqual([expect.objectContaining({ field: 'websiteUrl', rule: 'dropped' })]);
  });
});
