/**
 * The HTML part as a mail client would show it, in headless Chromium (Debian's package): at a phone
 * width (390 px, and the narrowest, 320) and a desktop width (1280) the layout reflows with nothing
 * cut off or scrolling sideways, the tiles, every practice and the chart are on screen, the text is
 * large enough to read, and a hostile practice name shows as text. The screenshots are written to
 * a temporary folder (their paths are printed); the committed ones in docs/ come from
 * `npx tsx src/reports/sample.ts`.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHART_WIDTH } from '../../../src/reports/chart-svg';
import { MAX_WIDTH } from '../../../src/reports/render-html';
import { browserHtml, CHROMIUM_ARGS, screenshotFile } from '../../../src/reports/sample';
import { sampleReport } from '../../../src/reports/sample-model';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = mkdtempSync(path.join(tmpdir(), 'report-shots-'));
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});
afterAll(async () => browser?.close());

const HOSTILE = 'Evil <script>document.title="pwned"</script><img src=x onerror="document.title=\'pwned\'">';
function hostileHtml(): string {
  const built = sampleReport();
  built.model.practices.items[0]!.practiceName = HOSTILE;
  return browserHtml(built);
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

interface Box { x: number; y: number; width: number; height: number }
const boxes = (page: Page, selector: string) => page.locator(selector).evaluateAll((els) => els.map((el) => {
  const r = el.getBoundingClientRect();
  return { x: r.x, y: r.y, width: r.width, height: r.height };
})) as Promise<Box[]>;

async function open(width: number): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height: 800 }, deviceScaleFactor: 1 });
  await page.setContent(hostileHtml(), { waitUntil: 'load' });
  return page;
}

describe('report HTML in headless Chromium', () => {
  it.each([320, 390, 1280])('reflows at %i px: nothing cut off, nothing scrolls sideways', async (width) => {
    const page = await open(width);
    try {
      const scroll = await page.evaluate<{ w: number; client: number }>('({ w: document.documentElement.scrollWidth, client: document.documentElement.clientWidth })');
      expect(scroll.w).toBeLessThanOrEqual(scroll.client);
      const inside = (b: Box) => b.x >= 0 && b.x + b.width <= width + 0.5;
      const practices = await boxes(page, '.practice');
      expect(practices).toHaveLength(6);
      for (const b of practices) expect(inside(b)).toBe(true);
      const tiles = await boxes(page, '.tile');
      expect(tiles).toHaveLength(5);
      for (const b of tiles) expect(inside(b)).toBe(true);
      // Narrow: the tiles wrap onto several rows; wide: one row, the column capped at MAX_WIDTH.
      const rows = new Set(tiles.map((b) => Math.round(b.y))).size;
      if (width < 500) expect(rows).toBeGreaterThan(1);
      else expect(rows).toBe(1);
      const column = (await boxes(page, 'body > table > tbody > tr > td > table'))[0]!;
      expect(column.width).toBeLessThanOrEqual(Math.min(width, MAX_WIDTH + 2));
      const chart = (await boxes(page, '#chart img'))[0]!;
      expect(inside(chart)).toBe(true);
      expect(chart.width).toBe(Math.min(width - 2 * 6 - 2 - 2 * 20, CHART_WIDTH));
      // Body text stays readable: no font below 12 px anywhere.
      const smallest = await page.evaluate<number>(`Math.min(...[...document.querySelectorAll('div,span,p,li,td,a,strong')]
        .filter((el) => [...el.childNodes].some((n) => n.nodeType === 3 && (n.textContent ?? '').trim()))
        .map((el) => parseFloat(getComputedStyle(el).fontSize)))`);
      expect(smallest).toBeGreaterThanOrEqual(12);
      const shot = await page.screenshot({ fullPage: true });
      const file = screenshotFile(SHOTS, width);
      writeFileSync(file, shot);
      process.stdout.write(`screenshot ${file}\n`);
      const png = PNG.sync.read(shot);
      expect(png.width).toBe(width);
      expect(png.height).toBeGreaterThan(800);
      expect(pixelVariance(png)).toBeGreaterThan(200);
    } finally {
      await page.close();
    }
  });

  it('shows hostile data as text, runs no script, and decodes the chart', async () => {
    const page = await open(390);
    try {
      const first = await page.locator('.practice').first().innerText();
      expect(first).toContain('Evil <script>document.title="pwned"</script><img src=x');
      expect(await page.title()).not.toBe('pwned');
      expect(await page.locator('script').count()).toBe(0);
      const img = page.locator('#chart img');
      expect(await img.evaluate((el) => (el as unknown as { naturalWidth: number }).naturalWidth)).toBe(2 * CHART_WIDTH);
      expect(await img.getAttribute('alt')).toMatch(/^Stacked bar chart of SMS numbers by verification status per day/);
      expect(await page.locator('.practice a').first().getAttribute('href')).toBe('https://partner.example/updox/practices/tp-1042');
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
