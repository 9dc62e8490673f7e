/**
 * Regenerates docs/report-sample.png: renders the sample report (sample-model.ts) as the email's
 * HTML, with the chart inlined as a data: URL in place of its Content-ID, and screenshots it in
 * headless Chromium. Usage: `npx tsx src/reports/sample.ts [out.png] [--html out.html]`.
 * Needs Chromium (Debian: `apt-get install chromium`; CHROMIUM_PATH overrides /usr/bin/chromium).
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { renderChart } from './render-chart';
import { renderHtml } from './render-html';
import { sampleReport } from './sample-model';

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** The sample report's HTML with the chart as a data: URL (a browser cannot resolve cid:). */
export function sampleHtml(): string {
  const built = sampleReport();
  const html = renderHtml(built.model, { chartCid: 'chart', csv: built.csv });
  return html.replace('src="cid:chart"', `src="data:image/png;base64,${renderChart(built.model.chart).toString('base64')}"`);
}

/** Screenshots HTML at a mail-client-like width; returns the PNG. */
export async function screenshotHtml(html: string, opts: { width?: number; fullPage?: boolean } = {}): Promise<Buffer> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: opts.width ?? 800, height: 900 }, deviceScaleFactor: 1 });
    await page.setContent(html, { waitUntil: 'load' });
    return await page.screenshot({ fullPage: opts.fullPage ?? true, type: 'png' });
  } finally {
    await browser.close();
  }
}

async function main(argv: string[]): Promise<void> {
  const htmlAt = argv.indexOf('--html');
  const htmlOut = htmlAt >= 0 ? argv[htmlAt + 1] : undefined;
  const out = path.resolve(argv.find((a, i) => !a.startsWith('--') && (htmlAt < 0 || i !== htmlAt + 1)) ?? 'docs/report-sample.png');
  const html = sampleHtml();
  if (htmlOut) await writeFile(htmlOut, html);
  await writeFile(out, await screenshotHtml(html));
  process.stdout.write(`wrote ${out}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main(process.argv.slice(2));
