import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { chartAltText, chartSvg, niceScale, STATUS_STYLE } from '../../../src/reports/chart-svg';
import { describeIssue, plainFindings } from '../../../src/reports/describe';
import { escapeHtml } from '../../../src/reports/format';
import { renderChart } from '../../../src/reports/render-chart';
import { CsvFile, csvInMemory } from '../../../src/reports/csv-file';
import { csvLines } from '../../../src/reports/render-csv';
import { renderHtml } from '../../../src/reports/render-html';
import { renderText } from '../../../src/reports/render-text';
import { sampleReport } from '../../../src/reports/sample-model';
import { vendorPlain } from '../../../src/reports/vendor-plain';

async function text2(r: Readable): Promise<string> {
  let out = '';
  for await (const chunk of r) out += String(chunk);
  return out;
}

describe('CSV (csv-stringify)', () => {
  it.each([
    ['=HYPERLINK("http://x","y")', `"'=HYPERLINK(""http://x"",""y"")"`],
    ['+1 614 555 0100', "'+1 614 555 0100"],
    ['-2', "'-2"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tTAB', "'\tTAB"],
    ['\rCR', `"'\rCR"`],
    ['a,b', '"a,b"'],
    ['line\nbreak', '"line\nbreak"'],
    ['plain', 'plain'],
    [null, ''],
  ])('writes %j as %s', (value, cell) => {
    expect(csvLines([[value]])).toBe(`${cell}\r\n`);
  });

  it('writes a file that starts with a BOM and the header, CRLF line ends, 500 rows at a time', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'csv-file-'));
    try {
      const b = new CsvFile(path.join(dir, 'a.csv'), ['a', 'b']);
      await b.add([1, 2]);
      await b.add([new Date('2026-11-24T12:00:00Z'), 'x']);
      for (let i = 0; i < 1200; i++) await b.add([i, '=1+1']);
      await b.finish();
      const text = readFileSync(b.path, 'utf8');
      expect(text.startsWith('\uFEFFa,b\r\n1,2\r\n2026-11-24T12:00:00.000Z,x\r\n0,\'=1+1\r\n')).toBe(true);
      expect(text.split('\r\n')).toHaveLength(1 + 1202 + 1);
      expect(text.match(/\uFEFF/g)).toHaveLength(1);
      expect(b.rows).toBe(1202);
      expect(b.bytes).toBe(Buffer.byteLength(text));
      expect((await text2(b.open()))).toBe(text);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses to overwrite an existing file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'csv-file-'));
    try {
      writeFileSync(path.join(dir, 'a.csv'), 'keep');
      const b = new CsvFile(path.join(dir, 'a.csv'), ['a']);
      await expect(b.finish()).rejects.toThrow(/EEXIST/);
      expect(readFileSync(path.join(dir, 'a.csv'), 'utf8')).toBe('keep');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('holds a small CSV in memory the same way', async () => {
    const m = csvInMemory(['a', 'b'], [[1, 2]]);
    expect(await text2(m.open())).toBe('\uFEFFa,b\r\n1,2\r\n');
    expect(m.rows).toBe(1);
  });
});

describe('HTML and text parts', () => {
  it('escapes every character that could open markup or an attribute', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&\``)).toBe('&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&#96;');
  });

  it('shows hostile data as text in the HTML and keeps it on one line in the text part', () => {
    const built = sampleReport();
    built.model.practices.items[0]!.practiceName = '<script>alert(1)</script>';
    built.model.practices.items[0]!.action = 'line one\r\nFAKE: injected';
    built.model.recipient.name = 'Priya "<b>" Raman';
    const html = renderHtml(built.model, { chartCid: 'c1', csv: built.csv });
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('Priya &quot;&lt;b&gt;&quot; Raman');
    expect(html).toContain('src="cid:c1"');
    const text = renderText(built.model);
    expect(text).toContain('line one  FAKE: injected');
    expect(text.split('\n').some((l) => l.startsWith('FAKE'))).toBe(false);
  });

  it('caps the practices with a pointer to the CSV', () => {
    const built = sampleReport();
    built.model.practices.total = 40;
    built.model.changes.verified.total = 12;
    const html = renderHtml(built.model, { csv: built.csv });
    expect(html).toContain('and 34 more — see actions.csv');
    expect(html).toContain('and 10 more — see changes.csv');
    expect(renderText(built.model)).toContain('and 34 more — see actions.csv');
    expect(html).not.toContain('cid:'); // no chart asked for
  });

  it('links each practice to the Partner Portal, or says whom to ask', () => {
    const built = sampleReport();
    const html = renderHtml(built.model, { csv: built.csv });
    expect(html).toContain('<a href="https://partner.example/updox/practices/tp-1042"');
    built.model.practices.items[0]!.fixAt = { ask: 'Dana <dana@partner.example>' };
    expect(renderHtml(built.model, { csv: built.csv })).toContain('To fix: ask Dana &lt;dana@partner.example&gt;');
    expect(renderText(built.model)).toContain('Fix: ask Dana <dana@partner.example>');
  });

  it('says so when nothing needs action; a failed delivery shows its error to admins only', () => {
    const built = sampleReport();
    built.model.practices = { items: [], total: 0 };
    built.model.totals.practicesNeedingAction = 0;
    built.model.totals.issues = 0;
    built.model.previousFailure = { period: '2026-11-23', error: 'SMTP 451 <try later>' };
    const html = renderHtml(built.model, { csv: built.csv });
    expect(html).toContain('Nothing needs your action');
    expect(html).toContain('The last report (2026-11-23) could not be delivered.');
    expect(html).not.toContain('SMTP 451');
    built.model.kind = 'admin';
    expect(renderHtml(built.model, { csv: built.csv })).toContain('could not be delivered: SMTP 451 &lt;try later&gt;');
  });

  it('renders an admin section generically, its notes and its table', () => {
    const built = sampleReport();
    built.model.kind = 'admin';
    built.model.admin = { sections: [{ id: 'demo', title: 'Actions needing review', tone: 'alert', notes: ['2 actions wait'], empty: 'none',
      table: { columns: ['Account', 'Why'], rows: [['tp-1', '<held>']], total: 1 } }] };
    const html = renderHtml(built.model, { csv: built.csv });
    expect(html).toContain('id="section-demo"');
    expect(html).toContain('&lt;held&gt;');
    const text = renderText(built.model);
    expect(text).toContain('ACTIONS NEEDING REVIEW');
    expect(text).toContain('! 2 actions wait');
    expect(text).toContain('tp-1  |  <held>');
  });
});

describe('chart', () => {
  it('is an SVG with day labels, a legend and words for its alt text', () => {
    const { model } = sampleReport();
    const svg = chartSvg(model.chart);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain('>Nov 24</text>');
    expect(svg).toContain('>Not started</text>');
    expect(svg).not.toContain('>Unknown</text>'); // no "unknown" numbers, no legend entry
    expect(chartAltText(model.chart)).toBe('Stacked bar chart of SMS numbers by verification status per day, 2026-11-11 to 2026-11-24. '
      + 'At the end of 2026-11-24: 35 verified, 6 pending, 2 not started, 2 rejected (45 in all).');
    expect(chartAltText({ days: ['2026-11-24'], series: {} })).toContain('no numbers recorded yet');
  });

  it('rasterises at twice the logical size with a colour per status and text in a real font', () => {
    const { model } = sampleReport();
    const png = PNG.sync.read(renderChart(model.chart));
    expect([png.width, png.height]).toEqual([1120, 600]);
    const seen = new Set<string>();
    let grey = 0;
    for (let i = 0; i < png.data.length; i += 4) {
      const [r, g, b] = [png.data[i]!, png.data[i + 1]!, png.data[i + 2]!];
      seen.add(`#${[r, g, b].map((c) => c.toString(16).padStart(2, '0')).join('')}`);
      if (r === g && g === b && r > 40 && r < 215) grey++; // anti-aliased glyph edges
    }
    for (const s of STATUS_STYLE.filter((x) => model.chart.series[x.status])) expect(seen.has(s.color)).toBe(true);
    expect(seen.has('#5c6bc0')).toBe(false);
    expect(grey).toBeGreaterThan(2000); // text was drawn (resvg draws nothing for text without a font)
  });

  it('draws an empty chart when there is nothing to show', () => {
    const png = PNG.sync.read(renderChart({ days: ['2026-11-24'], series: {} }, { scale: 1 }));
    expect([png.width, png.height]).toEqual([560, 300]);
  });

  it.each([[0, 4, 1], [3, 3, 1], [7, 8, 2], [43, 60, 20], [1234, 1500, 500]])('scales a maximum of %i to %i in steps of %i', (max, top, step) => {
    expect(niceScale(max)).toEqual({ top, step });
  });
});

describe('what to do, in plain words', () => {
  const ask = 'Partner operations';
  it('names the missing fields in one sentence, then the other errors; no codes', () => {
    expect(plainFindings([
      { code: 'MISSING_FIELD', field: 'city', severity: 'error' },
      { code: 'MISSING_FIELD', field: 'postal', severity: 'error' },
      { code: 'INVALID_STATE', field: 'state', severity: 'error', message: 'The state "XX" is not a US state code. Use the two-letter postal code, such as OH.' },
      { code: 'WEBSITE_FALLBACK', severity: 'warning', message: 'ignored while there are errors' },
      { code: 'MISSING_FIELD', side: 'partner', field: 'website', severity: 'error', message: 'partner side: not the practice' },
    ])).toEqual(["Add the practice's city and ZIP code.", 'The state "XX" is not a US state code. Use the two-letter postal code, such as OH.']);
    expect(plainFindings(null)).toEqual([]);
  });

  it.each([
    [4060, 'postal: must be 5 or 9 digits; state: must be a USPS code', 'Updox refused some details (ZIP code: must be 5 or 9 digits; state: must be a USPS code). Correct them in the practice record; the next sync sends them again.'],
    [4140, 'Web address taken', "The practice's portal web address is already used by another Updox practice. Choose a different web address."],
    [4131, 'Account does not exist', 'Updox has no account with this id any more. Ask Partner operations to check the account in Updox.'],
    [5000, 'An unknown error has occurred', 'Updox had a temporary error saving the practice. The next sync tries again; if this stays, ask Partner operations.'],
    [4999, 'Something new', 'Updox refused the update ("Something new"). Ask Partner operations what to change.'],
  ])('Updox %i "%s" → %s', (code, message, want) => {
    expect(vendorPlain(code, message, ask)).toBe(want);
    expect(want).not.toMatch(new RegExp(`\\b${code}\\b`));
  });

  it('says how long a number waited, in business days', () => {
    expect(describeIssue({ reason: 'NUMBER_OVERDUE', code: null, message: 'PENDING', findings: [], number: '6145550187', waitedBusinessDays: 1, ask }))
      .toBe('The number (614) 555-0187 has waited 1 business day for carrier verification. Nothing is missing: if it waits much longer, ask Partner operations to follow up with Updox.');
  });
});
