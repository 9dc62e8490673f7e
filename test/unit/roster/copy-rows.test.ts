import { describe, expect, it } from 'vitest';
import { sourceSchema, type SourceConfig } from '../../../src/config';
import { COPY_COLUMNS, copyText, createRowFormatter } from '../../../src/roster/copy-rows';
import { IdFingerprints } from '../../../src/roster/id-fingerprints';
import { normalizeUrl, normalizeUrlFully } from '../../../src/roster/normalize-url';

const source = (over: Record<string, unknown> = {}) =>
  sourceSchema.parse({ name: 's', kind: 'csv', path: 'x', accountId: { prefix: 'p-' }, ...over }) as SourceConfig;
const HEADERS = ['id', 'name', 'addr', 'city', 'state', 'zip', 'phone', 'web', 'email', 'tz', 'domain'];
const formatter = () => createRowFormatter({
  runId: '00000000-0000-4000-8000-000000000001', headers: HEADERS, source: source(),
  index: { externalId: 0, name: 1, address1: 2, city: 3, state: 4, postal: 5, phone: 6, websiteUrl: 7, managerEmail: 8, timeZone: 9, directDomain: 10 },
});
/** One COPY text line back to column → value (\N as null, escapes undone). */
function columns(line: string): Record<string, string | null> {
  expect(line.endsWith('\n')).toBe(true);
  const cells = line.slice(0, -1).split('\t');
  expect(cells).toHaveLength(COPY_COLUMNS.length);
  const un = (c: string) => (c === '\\N' ? null : c.replace(/\\(.)/g, (_, x: string) => ({ t: '\t', n: '\n', r: '\r', '\\': '\\' })[x] ?? x));
  return Object.fromEntries(COPY_COLUMNS.map((col, i) => [col, un(cells[i]!)]));
}

describe('createRowFormatter', () => {
  const row = ['A1', 'Main Clinic', '1 Elm St', 'Columbus', 'Ohio', '43215', '(614) 555-0100', 'www.Main.example', 'Ops@Partner.example', 'America/New_York', 'direct.Example'];

  it('writes a valid row in COPY_COLUMNS order', () => {
    const f = formatter();
    expect(columns(f.line(2, row))).toMatchObject({
      run_id: '00000000-0000-4000-8000-000000000001', row_number: '2', external_id: 'A1', account_id: 'p-A1', name: 'Main Clinic',
      address1: '1 Elm St', address2: null, city: 'Columbus', state: 'OH', postal: '43215', country: 'US', phone: '6145550100', fax: null,
      website_url: 'https://www.main.example', alternative_website_url: null, website_address: null, time_zone: 'America/New_York',
      direct_domain: 'direct.example', direct_address: null, active: null, manager_email: 'ops@partner.example', warnings: null, raw: null, issues: null,
    });
    expect(f.counts).toMatchObject({ read: 1, valid: 1, quarantined: 0, duplicateSuspects: [] });
  });

  it('gives the same line with `plain` when no cell needs cleaning or escaping', () => {
    expect(formatter().line(2, row, true)).toBe(formatter().line(2, row, false));
  });

  it('escapes backslashes, tabs and line breaks when not plain', () => {
    const cells = [...row];
    cells[0] = 'A\\1';
    cells[1] = 'Main\tClinic';
    cells[10] = 'a\\b.example';
    const c = columns(formatter().line(2, cells));
    expect(c).toMatchObject({ external_id: 'A\\1', name: 'Main Clinic', direct_domain: 'a\\b.example' });
    expect(c.account_id).toMatch(/^p-A-1-[0-9a-f]{10}$/);
  });

  it('writes an invalid row with its raw cells and every issue, and counts warnings', () => {
    const f = formatter();
    const c = columns(f.line(3, ['B2', 'X', '', '', 'ZZ', '12', 'N/A', '', 'nope', '', '']));
    expect(c).toMatchObject({ external_id: 'B2', account_id: null, name: null, manager_email: null, warnings: null });
    expect(JSON.parse(c.raw!)).toMatchObject({ id: 'B2', state: 'ZZ', email: 'nope' });
    expect(JSON.parse(c.issues!).map((i: { field: string; rule: string }) => `${i.field}:${i.rule}`).sort()).toEqual(['managerEmail:invalid', 'postal:invalid', 'state:invalid']);
    expect(f.counts).toMatchObject({ read: 1, valid: 0, quarantined: 1, warnings: { 'phone:placeholder': 1 } });
  });

  it('flags a row with too many or too few cells', () => {
    const f = formatter();
    const c = columns(f.line(4, [...row, 'extra']));
    expect(JSON.parse(c.issues!)[0]).toMatchObject({ field: '(row)', rule: 'column_count' });
    expect(JSON.parse(c.raw!)).toMatchObject({ column_12: 'extra' });
    expect(f.counts.quarantined).toBe(1);
  });

  it('names every repeated external id among its suspects, valid or not', () => {
    const f = formatter();
    f.line(2, row);
    f.line(3, [...row]);
    f.line(4, ['C3', 'X', '', '', 'ZZ', '', '', '', '', '', '']);
    f.line(5, ['C3', 'X', '', '', 'ZZ', '', '', '', '', '', '']);
    f.line(6, ['D4', ...row.slice(1)]);
    expect(f.counts.duplicateSuspects!.sort()).toEqual(['A1', 'C3']);
  });
});

describe('copyText', () => {
  it.each([[null, '\\N'], [undefined, '\\N'], ['plain', 'plain'], ['a\\b', 'a\\\\b'], ['a\tb\nc\rd', 'a\\tb\\nc\\rd']])('%j → %j', (v, out) => {
    expect(copyText(v)).toBe(out);
  });
});

describe('IdFingerprints', () => {
  it('never misses a repeat, and at a million ids suspects none that does not repeat', () => {
    const ids = new IdFingerprints();
    for (let i = 0; i < 1_000_000; i++) ids.add(`P${String(i).padStart(7, '0')}`);
    for (const d of ['P0000007', 'P0123456', 'P0999999']) ids.add(d);
    // 64-bit fingerprints: ~n²/2⁶⁵ ≈ 3·10⁻⁸ false suspects expected (32-bit ones gave ~116).
    expect(ids.suspects()!.sort()).toEqual(['P0000007', 'P0123456', 'P0999999']);
  });

  it('gives up (null: check every row) past its suspect limit', () => {
    const ids = new IdFingerprints();
    for (let i = 0; i < 10_001; i++) { ids.add(`X${i}`); ids.add(`X${i}`); }
    expect(ids.suspects()).toBeNull();
  });
});

describe('normalizeUrl fast path', () => {
  it.each([
    'www.example.com', 'WWW.Example.COM/', 'https://a.example', 'HTTP://A.Example/Path/To/Page.aspx', 'example.org/a//b/', 'sub-1.x-2.example/~user/',
    'a.b.c.example/index.html', 'xn--bcher-kva.example', 'x.example/.well-known/a', 'x.example/a/../b', 'x.example/a b', 'x.example/?q=1',
    'http:www.x.org', '1.2.3.4', 'x.example.', '-bad.example', 'bad-.example', 'x.example/%7Euser', 'x.example/a#frag', 'a'.repeat(64) + '.example',
  ])('%s: the same result as the full WHATWG URL path', (input) => {
    expect(normalizeUrl(input)).toEqual(normalizeUrlFully(input));
  });
});
