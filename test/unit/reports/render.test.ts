import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { describeAction, describeFindings } from '../../../src/reports/describe';
import { escapeHtml } from '../../../src/reports/format';
import { niceScale, renderChart, STATUS_STYLE } from '../../../src/reports/render-chart';
import { CsvBuilder, csvLine } from '../../../src/reports/render-csv';
import { renderHtml } from '../../../src/reports/render-html';
import { renderText } from '../../../src/reports/render-text';
import { sampleReport } from '../../../src/reports/sample-model';

describe('CSV', () => {
  it.each([
    ['=HYPERLINK("http://x","y")', `"'=HYPERLINK(""http://x"",""y"")"`],
    ['+1 614 555 0100', "'+1 614 555 0100"],
    ['-2', "'-2"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['a,b', '"a,b"'],
    ['line\nbreak', '"line\nbreak"'],
    ['plain', 'plain'],
    [null, ''],
  ])('writes %j as %s', (value, cell) => {
    expect(csvLine([value])).toBe(`${cell}\r\n`);
  });

  it('starts with a BOM and the header', () => {
    const b = new CsvBuilder(['a', 'b']);
    b.add(csvLine([1, 2]));
    expect(b.text()).toBe('\uFEFFa,b\r\n1,2\r\n');
    expect(b.rows).toBe(1);
  });
});

describe('HTML and text parts', () => {
  it('escapes every character that could open markup or an attribute', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&\``)).toBe('&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&#96;');
  });

  it('shows hostile data as text in the HTML and keeps it on one line in the text part', () => {
    const built = sampleReport();
    built.model.actions.items[0]!.practiceName = '<script>alert(1)</script>';
    built.model.actions.items[0]!.detail = 'line one\r\nFAKE: injected';
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

  it('caps the lists with a pointer to the CSV', () => {
    const built = sampleReport();
    built.model.actions.total = 40;
    built.model.changes.verified.total = 12;
    const html = renderHtml(built.model, { csv: built.csv });
    expect(html).toContain('and 34 more — see actions.csv');
    expect(html).toContain('and 10 more — see changes.csv');
    expect(renderText(built.model)).toContain('and 34 more — see actions.csv');
    expect(html).not.toContain('cid:'); // no chart asked for
  });

  it('says so when nothing needs action, and shows a failed previous delivery', () => {
    const built = sampleReport();
    built.model.actions = { items: [], total: 0 };
    built.model.previousFailure = { period: '2026-11-23', error: 'SMTP 451 <try later>' };
    const html = renderHtml(built.model, { csv: built.csv });
    expect(html).toContain('Nothing needs your action');
    expect(html).toContain('could not be delivered: SMTP 451 &lt;try later&gt;');
  });
});

describe('chart', () => {
  it('draws a PNG at twice the logical size with a bar colour per status', () => {
    const { model } = sampleReport();
    const png = PNG.sync.read(renderChart(model.chart));
    expect([png.width, png.height]).toEqual([1280, 520]);
    const seen = new Set<string>();
    for (let i = 0; i < png.data.length; i += 4) seen.add(`#${[0, 1, 2].map((c) => png.data[i + c]!.toString(16).padStart(2, '0')).join('')}`);
    for (const s of STATUS_STYLE.filter((x) => model.chart.series[x.status])) expect(seen.has(s.color)).toBe(true);
    expect(seen.has('#5c6bc0')).toBe(false); // no "unknown" numbers, no such bar
  });

  it('draws an empty chart when there is nothing to show', () => {
    const png = PNG.sync.read(renderChart({ days: ['2026-11-24'], series: {} }, { scale: 1 }));
    expect([png.width, png.height]).toEqual([640, 260]);
  });

  it.each([[0, 4, 1], [3, 3, 1], [7, 8, 2], [43, 60, 20], [1234, 1500, 500]])('scales a maximum of %i to %i in steps of %i', (max, top, step) => {
    expect(niceScale(max)).toEqual({ top, step });
  });
});

describe('what to fix', () => {
  it('names missing fields first and otherwise uses the finding messages', () => {
    expect(describeFindings([
      { code: 'MISSING_FIELD', field: 'city', severity: 'error' },
      { code: 'MISSING_FIELD', field: 'postal', severity: 'error' },
      { code: 'INVALID_STATE', field: 'state', severity: 'error', message: 'state "XX" is not a USPS state or territory code' },
      { code: 'WEBSITE_FALLBACK', severity: 'warning', message: 'ignored while there are errors' },
    ])).toBe('missing: city, postal code; state "XX" is not a USPS state or territory code');
    expect(describeFindings(null)).toBe('');
  });

  it('quotes the vendor for a failed save and counts days for an overdue number', () => {
    const now = new Date('2026-11-24T12:00:00Z');
    expect(describeAction({ reason: 'SAVE_FAILED', code: 4060, message: 'Postal code is invalid', findings: [], since: null, now }))
      .toBe('Updox 4060: Postal code is invalid');
    expect(describeAction({ reason: 'NUMBER_OVERDUE', code: null, message: null, findings: [], since: new Date('2026-11-19T11:00:00Z'), now }))
      .toBe('pending for 5 day(s)');
  });
});
