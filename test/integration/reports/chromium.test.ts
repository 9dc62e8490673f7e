/**
 * The HTML part as a mail client would show it: rendered in headless Chromium (Debian's package),
 * screenshotted, checked for not being blank and for a visible action table, with a hostile
 * practice name shown as text rather than run.
 */
import { existsSync } from 'node:fs';
import { PNG } from 'pngjs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderChart } from '../../../src/reports/render-chart';
import { renderHtml } from '../../../src/reports/render-html';
import { CHROMIUM_ARGS } from '../../../src/reports/sample';
import { sampleReport } from '../../../src/reports/sample-model';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});
afterAll(async () => browser?.close());

function hostileHtml(): string {
  const built = sampleReport();
  built.model.actions.items[0]!.practiceName = 'Evil <script>document.title="pwned"</script><img src=x onerror="document.title=\'pwned\'">';
  const html = renderHtml(built.model, { chartCid: 'chart', csv: built.csv });
  return html.replace('src="cid:chart"', `src="data:image/png;base64,${renderChart(built.model.chart).toString('base64')}"`);
}

/** Mean per-channel variance over a sample of pixels: ~0 for a blank page. */
function pixelVariance(png: PNG): number {
  let n = 0, sum = 0, sumSq = 0;
  for (let i = 0; i < png.data.length; i += 4 * 13) {
    for (let c = 0; c < 3; c++) {
      const v = png.data[i + c]!;
      sum += v; sumSq += v * v; n++;
    }
  }
  const mean = sum / n;
  return sumSq / n - mean * mean;
}

describe('report HTML in headless Chromium', () => {
  it('renders a non-blank page with the action table visible and hostile data shown as text', async () => {
    const page = await browser.newPage({ viewport: { width: 800, height: 900 } });
    try {
      await page.setContent(hostileHtml(), { waitUntil: 'load' });
      const table = page.locator('#actions');
      expect(await table.isVisible()).toBe(true);
      expect(await table.locator('tr').count()).toBe(1 + 6);
      const firstCell = await table.locator('tr').nth(1).locator('td').first().innerText();
      expect(firstCell).toContain('Evil <script>document.title="pwned"</script><img src=x');
      expect(await page.title()).not.toBe('pwned');
      expect(await page.locator('script').count()).toBe(0);
      // The chart image decoded and laid out at its size.
      const img = page.locator('img').first();
      expect(await img.evaluate((el) => (el as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThanOrEqual(640);
      const shot = PNG.sync.read(await page.screenshot({ fullPage: true }));
      expect(shot.height).toBeGreaterThan(900);
      expect(pixelVariance(shot)).toBeGreaterThan(200);
      const blank = PNG.sync.read(await (async () => {
        await page.setContent('<html><body style="background:#fff"></body></html>');
        return page.screenshot();
      })());
      expect(pixelVariance(blank)).toBeLessThan(1);
    } finally {
      await page.close();
    }
  });
});
