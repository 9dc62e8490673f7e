/**
 * Makes the committed screenshots of the sample report (sample-model.ts): renders the email's HTML,
 * with the chart inlined as a data: URL in place of its Content-ID, and screenshots it in headless
 * Chromium at a desktop and a phone width: docs/report-sample.png (1280 px, README's picture) and
 * docs/report-sample-390.png. Usage: `npx tsx src/reports/sample.ts [outDir] [--html out.html]`.
 * Needs Chromium (Debian: `apt-get install chromium`; CHROMIUM_PATH overrides /usr/bin/chromium).
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { renderChart } from './render-chart';
import { renderHtml } from './render-html';
import { sampleReport } from './sample-model';
import type { BuiltReport } from './model';

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** The screenshot widths: a phone (390 CSS px) and a desktop mail client (1280). */
export const SCREENSHOT_WIDTHS = [390, 1280] as const;

/** A report's HTML with the chart as a data: URL (a browser cannot resolve cid:). */
export function browserHtml(built: BuiltReport = sampleReport()): string {
  const html = renderHtml(built.model, { chartCid: 'chart', csv: built.csv });
  return html.replace('src="cid:chart"', `src="data:image/png;base64,${renderChart(built.model.chart).toString('base64')}"`);
}

/** Screenshots HTML at a width (the whole page); returns the PNG. */
export async function screenshotHtml(html: string, opts: { width?: number; fullPage?: boolean } = {}): Promise<Buffer> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: opts.width ?? 1280, height: 900 }, deviceScaleFactor: 1 });
    await page.setContent(html, { waitUntil: 'load' });
    return await page.screenshot({ fullPage: opts.fullPage ?? true, type: 'png' });
  } finally {
    await browser.close();
  }
}

export const screenshotFile = (dir: string, width: number) => path.join(dir, width === 1280 ? 'report-sample.png' : `report-sample-${width}.png`);

async function main(argv: string[]): Promise<void> {
  const htmlAt = argv.indexOf('--html');
  const htmlOut = htmlAt >= 0 ? argv[htmlAt + 1] : undefined;
  const dir = path.resolve(argv.find((a, i) => !a.startsWith('--') && (htmlAt < 0 || i !== htmlAt + 1)) ?? 'docs');
  const html = browserHtml();
  if (htmlOut) await writeFile(htmlOut, html);
  for (const width of SCREENSHOT_WIDTHS) {
    const file = screenshotFile(dir, width);
    await writeFile(file, await screenshotHtml(html, { width }));
    process.stdout.write(`wrote ${file}\n`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main(process.argv.slice(2));
