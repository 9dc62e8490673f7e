/**
 * Property: any file (random bytes, encodings, quotes, delimiters, huge cells) through
 * CSV → normalize → stage either imports with counts that add up and match what is staged, or
 * fails with a named bad-input error and stages nothing. Never a crash, never an unnamed error.
 * Fixed seed, bounded runs (test/helpers/property.ts; PROPERTY_RUNS=N for a longer run).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { importRoster, type ImportResult } from '../../../src/roster/import';
import { SyncError } from '../../../src/errors';
import { propertyRuns, propertyTimeoutMs } from '../../helpers/property';

vi.setConfig({ testTimeout: propertyTimeoutMs() });
import { csvSource, startRosterApp, type RosterTestApp } from './helpers';

let t: RosterTestApp;
let dir: string;
beforeAll(async () => {
  t = await startRosterApp();
  dir = await mkdtemp(path.join(tmpdir(), 'csv-property-'));
});
afterAll(async () => { await t?.close(); });

const HEADERS = ['practice_id', 'practice_name', 'address1', 'city', 'state', 'zip', 'phone', 'fax', 'website', 'time_zone'];
const cell = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('', 'A1', 'Riverside Clinic', '100 Main St', 'Columbus', 'OH', 'Ohio', '43215', '4321', '(614) 555-0100', '555', 'riverside.example', 'red bud regional hospital', 'America/Chicago', 'Mars/Olympus', 'N/A', '=HYPERLINK("x")', 'Doña Ana', '診療所 🏥') },
  { weight: 3, arbitrary: fc.string({ unit: fc.constantFrom('a', 'Z', '1', ' ', '"', ',', ';', '|', '\t', '\n', '\r', '\0', '\u001b', 'é', '\\'), maxLength: 20 }) },
  { weight: 1, arbitrary: fc.nat({ max: 200_000 }).map((n) => 'x'.repeat(n)) },
);
const fileArb = fc.record({
  delimiter: fc.constantFrom(',', ';', '\t', '|'),
  encoding: fc.constantFrom('utf8', 'utf8-bom', 'windows-1252'),
  configured: fc.constantFrom('auto', 'utf8', 'windows-1252'),
  quoteAll: fc.boolean(),
  crlf: fc.boolean(),
  header: fc.oneof({ weight: 4, arbitrary: fc.shuffledSubarray(HEADERS, { minLength: 2 }) }, { weight: 1, arbitrary: fc.array(cell, { minLength: 1, maxLength: 5 }) }),
  rows: fc.array(fc.array(cell, { maxLength: 12 }), { maxLength: 25 }),
  junk: fc.option(fc.uint8Array({ minLength: 1, maxLength: 64 }), { freq: 4 }),
});

type FileSpec = typeof fileArb extends fc.Arbitrary<infer T> ? T : never;

function render(f: FileSpec): Buffer {
  const q = (c: string) => (f.quoteAll || /["\n\r,;|\t]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c);
  const nl = f.crlf ? '\r\n' : '\n';
  const text = [f.header, ...f.rows].map((r) => r.map(q).join(f.delimiter)).join(nl) + nl;
  const body = f.encoding === 'windows-1252' ? iconv.encode(text, 'win1252') : Buffer.from(text, 'utf8');
  const parts = [f.encoding === 'utf8-bom' ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0), body];
  if (f.junk) parts.splice(1 + (f.rows.length % 2), 0, Buffer.from(f.junk)); // random bytes before or after the text
  return Buffer.concat(parts);
}

async function counts(runId: string) {
  const [r] = await t.tdb.db('roster_rows').where({ run_id: runId }).count<{ n: string }[]>('* as n');
  const [q] = await t.tdb.db('roster_quarantine').where({ run_id: runId }).count<{ n: string }[]>('* as n');
  return { staged: Number(r!.n), quarantined: Number(q!.n) };
}

describe('CSV → normalize → stage, for any file', () => {
  it('imports with counts that add up, or fails by name with nothing staged', async () => {
    let n = 0;
    const outcomes: Record<string, number> = {};
    await fc.assert(fc.asyncProperty(fileArb, async (f) => {
      const file = path.join(dir, `p${n++}.csv`);
      await writeFile(file, render(f));
      const runId = await t.newRun();
      const source = csvSource({ path: file, encoding: f.configured, maxInvalidShare: 1 });
      const result: ImportResult | Error = await importRoster(t.app.deps, { runId, source }).then((r) => r, (e: unknown) => (e instanceof Error ? e : new Error(String(e))));
      const got = await counts(runId);
      if (result instanceof Error) {
        expect(result, String((result as Error).stack)).toBeInstanceOf(SyncError);
        expect((result as SyncError).kind).toBe('bad-input');
        expect((result as SyncError).code).toMatch(/^IMPORT_[A-Z_]+$/);
        expect(got).toEqual({ staged: 0, quarantined: 0 });
        outcomes[(result as SyncError).code] = (outcomes[(result as SyncError).code] ?? 0) + 1;
        return;
      }
      const s = result.stats;
      expect(s.valid + s.quarantined).toBe(s.read);
      expect(got).toEqual({ staged: s.valid, quarantined: s.quarantined });
      outcomes.imported = (outcomes.imported ?? 0) + 1;
    }), propertyRuns(20));
    // The generator reaches both sides: some files import, some fail by name.
    expect(outcomes.imported ?? 0).toBeGreaterThan(0);
    expect(Object.keys(outcomes).length).toBeGreaterThan(1);
  }, propertyTimeoutMs());
});
