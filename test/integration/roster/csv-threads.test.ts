/**
 * The CSV import's threads recycle their buffers: the parse thread's batch buffers come back with
 * each acknowledgement, and every COPY chunk comes back from the main thread once Postgres's
 * socket is done with it. A buffer refilled too early would garble rows, so this imports a file
 * of many batches and chunks (far more than either pool holds) and compares every staged row
 * with what the file says: plain-ASCII batches, batches with accented and non-BMP text,
 * multi-line quoted cells, and one record larger than a pooled buffer.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importRoster } from '../../../src/roster/import';
import { csvSource, startRosterApp, type RosterTestApp } from './helpers';

let t: RosterTestApp;
let dir: string;
beforeAll(async () => {
  t = await startRosterApp();
  dir = await mkdtemp(path.join(os.tmpdir(), 'csv-threads-'));
});
afterAll(async () => {
  await t?.close();
  await rm(dir, { recursive: true, force: true });
});

const ROWS = 60_000;
const BIG_ROW = 31_337;

/** Row i's practice name and second address line, as the file gives them. */
function expected(i: number): { name: string; address2: string } {
  // Batches of 1,000 records: every third one holds non-ASCII text, the others are plain ASCII.
  const accented = Math.floor(i / 1000) % 3 === 1;
  const name = accented ? `Clínica São José ${i} 𝄞` : `Practice ${i}`;
  const address2 = i === BIG_ROW ? `Suite ${'x'.repeat(600_000)}` : i % 7 === 0 ? `Floor ${i % 13}\nRear entrance` : '';
  return { name, address2 };
}

describe('CSV import threads', () => {
  it('stages every row intact when batch and chunk buffers are reused many times over', async () => {
    const file = path.join(dir, 'many.csv');
    const lines = ['practice_id,practice_name,address1,address2,city,state,zip,phone'];
    for (let i = 0; i < ROWS; i++) {
      const { name, address2 } = expected(i);
      lines.push(`X${i},"${name}",${i} Main St,"${address2}",Columbus,OH,43215,614-555-${String(i % 10_000).padStart(4, '0')}`);
    }
    await writeFile(file, `${lines.join('\n')}\n`);

    // Postgres pauses now and then (a test-only trigger), so that the socket's buffers fill and
    // writes queue up in Node: a chunk refilled before its write completed would reach the table.
    await t.tdb.db.raw(`CREATE FUNCTION pause_now_and_then() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.row_number % 4000 = 0 THEN PERFORM pg_sleep(0.05); END IF; RETURN NEW; END $$`);
    await t.tdb.db.raw('CREATE TRIGGER pause BEFORE INSERT ON roster_rows FOR EACH ROW EXECUTE FUNCTION pause_now_and_then()');
    const runId = await t.newRun();
    const r = await importRoster(t.app.deps, { runId, source: csvSource({ path: file }) });
    // The big row's address2 is over 255 characters: quarantined, with its whole raw record.
    expect(r.stats).toMatchObject({ read: ROWS, valid: ROWS - 1, quarantined: 1 });
    const [q] = await t.tdb.db('roster_quarantine').where({ run_id: runId }).select('row_number', 'raw', 'issues');
    expect(q.row_number).toBe(BIG_ROW + 2);
    expect(q.raw.address2).toBe(expected(BIG_ROW).address2);
    expect(q.issues).toEqual([expect.objectContaining({ field: 'address2', rule: 'too_long' })]);

    const rows = await t.tdb.db('roster_rows').where({ run_id: runId }).orderBy('row_number')
      .select('row_number', 'external_id', 'name', 'address1', 'address2', 'phone');
    expect(rows).toHaveLength(ROWS - 1);
    const wrong: string[] = [];
    rows.forEach((row: { row_number: number; external_id: string; name: string; address1: string; address2: string | null; phone: string }, j: number) => {
      const k = j < BIG_ROW ? j : j + 1;
      const { name, address2 } = expected(k);
      const ok = row.row_number === k + 2 && row.external_id === `X${k}` && row.name === name && row.address1 === `${k} Main St`
        && (row.address2 ?? '') === address2.replace('\n', ' ') /* a line break in an address becomes a space */ && row.phone === `614555${String(k % 10_000).padStart(4, '0')}`;
      if (!ok && wrong.length < 3) wrong.push(JSON.stringify(row).slice(0, 200));
    });
    expect(wrong).toEqual([]);
    await t.tdb.db.raw('DROP TRIGGER pause ON roster_rows');
  });

  it('restarts on Windows-1252 when a byte past the sniffed start is not UTF-8 (auto encoding)', async () => {
    // The threads start on UTF-8 while the whole file is checked; the check's verdict wins.
    const file = path.join(dir, 'late-1252.csv');
    const head = ['practice_id,practice_name,state'];
    for (let i = 0; i < 4000; i++) head.push(`L${i},Practice ${i},OH`);
    const late = Buffer.from('L4000,Caf\xe9 Clinic,OH\n', 'latin1');
    await writeFile(file, Buffer.concat([Buffer.from(`${head.join('\n')}\n`), late]));

    const runId = await t.newRun();
    const r = await importRoster(t.app.deps, { runId, source: csvSource({ path: file }) });
    expect(r).toMatchObject({ encoding: 'windows-1252', stats: { read: 4001, valid: 4001 } });
    const [row] = await t.tdb.db('roster_rows').where({ run_id: runId, external_id: 'L4000' }).pluck('name');
    expect(row).toBe('Café Clinic');
  });

  it('reads UTF-8 as raw bytes without changing a character: BOM, white space, controls', async () => {
    // The parse thread reads UTF-8 files as Latin-1 and the format thread decodes the cells that
    // hold bytes over 0x7F. A record of Unicode white space only (NBSP, ideographic space) is blank;
    // a C1 control (U+0085, bytes C2 85) becomes a space like any control; a character past the
    // sniffed start decodes the same (an invalid byte there fails the import: hostile-csv.test.ts).
    const file = path.join(dir, 'raw.csv');
    const text = [
      'practice_id,practice_name,address1,city,state',
      'R1,"Clínica Niño, 診療所 🏥",1 Rúa Ñ,Bayamón,PR',
      '\u00a0,\u3000, \u00a0 ,,',
      'R2,Dental\u0085Care,2 Main St,Columbus,OH',
      ...Array.from({ length: 2000 }, (_, i) => `P${i},Practice ${i},${i} Elm St,Columbus,OH`), // past the 64 KB sample
      'R3,Caf__BAD__ Clinic,3 Main St,Columbus,OH',
    ].join('\r\n');
    const [before, after] = text.split('__BAD__');
    await writeFile(file, Buffer.concat([Buffer.from('\ufeff' + before!), Buffer.from('é'), Buffer.from(`${after}\r\n`)]));
    const runId = await t.newRun();
    const r = await importRoster(t.app.deps, { runId, source: csvSource({ path: file, encoding: 'utf8' }) });
    expect(r).toMatchObject({ encoding: 'utf8-bom', mapping: { externalId: 'practice_id' }, stats: { read: 2003, valid: 2003, quarantined: 0, warnings: { 'name:control_character': 1 } } });
    const rows = await t.tdb.db('roster_rows').where({ run_id: runId }).where('external_id', 'like', 'R%').orderBy('row_number').select('external_id', 'name', 'address1', 'city');
    expect(rows).toEqual([
      { external_id: 'R1', name: 'Clínica Niño, 診療所 🏥', address1: '1 Rúa Ñ', city: 'Bayamón' },
      { external_id: 'R2', name: 'Dental Care', address1: '2 Main St', city: 'Columbus' },
      { external_id: 'R3', name: 'Café Clinic', address1: '3 Main St', city: 'Columbus' },
    ]);
  });
});
