/** Malformed inputs: each ends in its named error or in quarantine; nothing is staged after a file-level failure. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sourceSchema, type SourceConfig } from '../../../src/config';
import { importRoster, type ImportResult } from '../../../src/roster/import';
import { SyncError } from '../../../src/errors';
import { FIXTURES } from '../../helpers/env';
import { csvSource, startRosterApp, type RosterTestApp } from './helpers';

let t: RosterTestApp;
let dir: string;
beforeAll(async () => {
  process.env.PARTNER_PG_URL = 'postgres://postgres@127.0.0.1:5432/test';
  t = await startRosterApp();
  dir = await mkdtemp(path.join(tmpdir(), 'roster-bad-'));
});
afterAll(async () => { await t?.close(); });

const fx = (name: string) => path.join(FIXTURES, 'csv', name);
async function tmp(name: string, content: string | Buffer) {
  const f = path.join(dir, name);
  await writeFile(f, content);
  return f;
}

async function staged(runId: string) {
  const [r] = await t.tdb.db('roster_rows').where({ run_id: runId }).count<{ count: string }[]>('* as count');
  const [q] = await t.tdb.db('roster_quarantine').where({ run_id: runId }).count<{ count: string }[]>('* as count');
  return Number(r!.count) + Number(q!.count);
}

/** Expects a file-level failure with `code`, and nothing staged for the run. */
async function fails(code: string, source: SourceConfig, file?: string) {
  const runId = await t.newRun();
  const err = await importRoster(t.app.deps, { runId, source, file }).then(() => null, (e: unknown) => e);
  expect(err, `expected ${code}`).toBeInstanceOf(SyncError);
  expect((err as SyncError).code).toBe(code);
  expect(await staged(runId)).toBe(0);
  const run = await t.tdb.db('runs').where({ id: runId }).first();
  expect(run.import_stats).toBeNull();
  return err as SyncError;
}
async function imports(file: string, over: Record<string, unknown> = {}): Promise<ImportResult & { runId: string }> {
  const runId = await t.newRun();
  const r = await importRoster(t.app.deps, { runId, source: csvSource({ path: file, ...over }) });
  return { ...r, runId };
}

describe('file-level failures', () => {
  it('a missing file', () => fails('IMPORT_FILE_NOT_FOUND', csvSource({ path: fx('nope.csv') })));
  it('an empty folder / glob with no match', () => fails('IMPORT_FILE_NOT_FOUND', csvSource({ path: path.join(dir, 'none-*.csv') })));
  it('an unreadable file', async () => {
    if (process.getuid?.() === 0) return; // root reads everything
    const f = await tmp('locked.csv', 'practice_id,practice_name\n1,A\n');
    await chmod(f, 0o000);
    await fails('IMPORT_UNREADABLE', csvSource({ path: f }));
  });
  it('a directory given as --file', () => fails('IMPORT_NOT_A_FILE', csvSource({ path: dir }), dir));
  it('an empty file', () => fails('IMPORT_EMPTY', csvSource({ path: fx('empty.csv') })));
  it('a whitespace-only file', async () => fails('IMPORT_EMPTY', csvSource({ path: await tmp('ws.csv', '\ufeff  \r\n \n') })));
  it('a header and no rows', () => fails('IMPORT_NO_ROWS', csvSource({ path: fx('header-only.csv') })));
  it('a blank header row', async () => fails('IMPORT_NO_HEADER', csvSource({ path: await tmp('blank-header.csv', ',,\n1,A,B\n') })));
  it('duplicate headers', () => fails('IMPORT_DUPLICATE_HEADER', csvSource({ path: fx('duplicate-headers.csv') })));
  it('binary junk', async () => {
    const junk = Buffer.alloc(4096);
    for (let i = 0; i < junk.length; i++) junk[i] = (i * 7919) % 256;
    await fails('IMPORT_UNDECODABLE', csvSource({ path: await tmp('junk.csv', junk) }));
  });
  it('a zip archive named .csv', async () => fails('IMPORT_UNDECODABLE', csvSource({ path: await tmp('book.csv', Buffer.from([0x50, 0x4b, 0x03, 0x04, 1, 2, 3])) })));
  it('UTF-16 text', async () => fails('IMPORT_UNDECODABLE', csvSource({ path: await tmp('u16.csv', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a,b\n', 'utf16le')])) })));
  it('Latin-1 bytes when UTF-8 is configured', () => fails('IMPORT_UNDECODABLE', csvSource({ path: fx('latin1-semicolon.csv'), encoding: 'utf8' })));
  it('an unbalanced quote', async () => {
    const e = await fails('IMPORT_MALFORMED_CSV', csvSource({ path: fx('unbalanced-quote.csv') }));
    expect(e.message).toMatch(/unbalanced-quote\.csv/);
  });
  it('a wrong configured delimiter', async () => {
    const e = await fails('IMPORT_REQUIRED_FIELD_UNMAPPED', csvSource({ path: fx('latin1-semicolon.csv'), delimiter: ',' }));
    expect(e.message).toMatch(/wrong delimiter/);
  });
  it('required fields unmapped', () => fails('IMPORT_REQUIRED_FIELD_UNMAPPED', csvSource({ path: fx('unmapped.csv') })));
  it('a mapped column that is not in the file', () => fails('IMPORT_MAPPED_COLUMN_MISSING', csvSource({ path: fx('small-clean.csv'), mapping: { externalId: 'practice_id', name: 'practice_name', fax: 'Fax Number' } })));
  it('more than the configured share of rows invalid', async () => {
    const e = await fails('IMPORT_TOO_MANY_INVALID', csvSource({ path: fx('mostly-invalid.csv') }));
    expect(e.message).toMatch(/2 of 3 rows/);
  });
  it('a DB query that fails', () => fails('IMPORT_DB_QUERY_FAILED', sourceSchema.parse({ name: 'p', kind: 'db', client: 'pg', urlEnv: 'PARTNER_PG_URL', query: 'SELECT nope FROM (SELECT 1 AS x) s' }) as SourceConfig));
  it('a DB table that does not exist', () => fails('IMPORT_DB_TABLE_MISSING', sourceSchema.parse({ name: 'p', kind: 'db', client: 'pg', urlEnv: 'PARTNER_PG_URL', table: 'no_such_table', mapping: { externalId: 'id', name: 'name' } }) as SourceConfig));
  it('a MariaDB table that does not exist', async () => {
    process.env.PARTNER_MY_URL = 'mysql://root@127.0.0.1:3306/test';
    await fails('IMPORT_DB_TABLE_MISSING', sourceSchema.parse({ name: 'p', kind: 'db', client: 'mysql2', urlEnv: 'PARTNER_MY_URL', table: 'no_such_table_xyz', mapping: { externalId: 'id', name: 'name' } }) as SourceConfig);
  });
});

describe('row-level problems are quarantined, the rest goes on', () => {
  it('a BOM header with CRLF line ends', async () => {
    const r = await imports(fx('bom-crlf.csv'));
    expect(r).toMatchObject({ encoding: 'utf8-bom', stats: { read: 1, valid: 1 }, mapping: { externalId: 'practice_id' } });
  });
  it('Latin-1 (detected) with a ; delimiter (sniffed)', async () => {
    const r = await imports(fx('latin1-semicolon.csv'));
    expect(r).toMatchObject({ encoding: 'windows-1252', delimiter: ';', stats: { valid: 2 } });
    const row = await t.tdb.db('roster_rows').where({ run_id: r.runId, external_id: 'L1' }).first();
    expect(row).toMatchObject({ name: 'Clínica Doña Ana', city: 'Española' });
  });
  it('pipe and tab delimiters', async () => {
    expect((await imports(fx('pipe.csv'))).delimiter).toBe('|');
    expect((await imports(fx('tab.csv'))).delimiter).toBe('\t');
  });
  it('quoted multi-line cells and whitespace-only cells', async () => {
    const r = await imports(fx('multiline-whitespace.csv'), { maxInvalidShare: 1 });
    expect(r.stats).toMatchObject({ read: 3, valid: 2, quarantined: 1, byReason: { 'name:required': 1 } });
    const x1 = await t.tdb.db('roster_rows').where({ run_id: r.runId, external_id: 'X1' }).first();
    expect(x1).toMatchObject({ name: 'Multi Line Clinic', address1: '1 Main St Suite 2' });
    const x3 = await t.tdb.db('roster_rows').where({ run_id: r.runId, external_id: 'X3' }).first();
    expect(x3.address1).toBeNull();
  });
  it('formula-looking cells are stored as text and neutralized in the errors file', async () => {
    const runId = await t.newRun();
    const out = path.join(dir, 'formula-errors.csv');
    const r = await importRoster(t.app.deps, { runId, source: csvSource({ path: fx('formulas.csv') }), errorsOut: out });
    expect(r.stats).toMatchObject({ read: 3, valid: 2, quarantined: 1, warnings: { 'name:formula_like': 3 } });
    const f1 = await t.tdb.db('roster_rows').where({ run_id: runId, external_id: 'F1' }).first();
    expect(f1.name).toBe('=HYPERLINK("http://evil.example")');
    const { readFile } = await import('node:fs/promises');
    const text = await readFile(out, 'utf8');
    expect(text).toContain(`'phone: not a phone number`.slice(1));
    const rows = (await import('csv-parse/sync')).parse(text, { bom: true, columns: true, relax_quotes: false }) as Record<string, string>[];
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ external_id: 'F2', reasons: expect.stringContaining('phone: not a phone number') });
    expect(JSON.parse(rows[0]!.raw!)).toMatchObject({ phone: '@cmd' }); // JSON text starts with {: kept as it is
  });
  it('duplicate external ids: all of them quarantined', async () => {
    const r = await imports(fx('duplicate-ids.csv'), { maxInvalidShare: 1 });
    expect(r.stats).toMatchObject({ read: 7, valid: 3, quarantined: 4, byReason: { 'externalId:duplicate': 4 } });
    const q = await t.tdb.db('roster_quarantine').where({ run_id: r.runId }).orderBy('row_number');
    expect(q.map((x) => x.external_id)).toEqual(['U1', 'U1', 'U3', 'U3']);
    expect(q[0].raw).toMatchObject({ name: 'Dup A' });
  });
  it('a 1 MB cell', async () => {
    const f = await tmp('big-cell.csv', `practice_id,practice_name,address1\nB1,${'x'.repeat(1024 * 1024)},1 Main\nB2,Fine,2 Main\n`);
    const r = await imports(f, { maxInvalidShare: 1 });
    expect(r.stats).toMatchObject({ read: 2, valid: 1, quarantined: 1, byReason: { 'name:too_long': 1 } });
  });
  it('rows with too few or too many cells', async () => {
    const r = await imports(fx('column-count.csv'), { maxInvalidShare: 1 });
    expect(r.stats).toMatchObject({ read: 3, valid: 1, quarantined: 2, byReason: { '(row):column_count': 2 } });
  });
  it('placeholders are empty', async () => {
    const r = await imports(fx('placeholders.csv'));
    expect(r.stats).toMatchObject({ read: 2, valid: 2, warnings: { 'postal:placeholder': 2, 'websiteUrl:placeholder': 2, 'state:placeholder': 1 } });
  });
  it('a folder: the newest file wins', async () => {
    const sub = await mkdtemp(path.join(dir, 'folder-'));
    await writeFile(path.join(sub, 'a.csv'), 'practice_id,practice_name\nOLD,Old\n');
    await new Promise((r) => setTimeout(r, 20));
    await writeFile(path.join(sub, 'b.csv'), 'practice_id,practice_name\nNEW,New\n');
    const r = await imports(sub);
    expect(r.input).toMatch(/b\.csv$/);
  });
});
