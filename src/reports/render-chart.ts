/**
 * The chart of number statuses over time: one stacked bar per day (numbers in each status at the
 * end of that day), y-axis ticks, day labels and a legend, drawn pixel by pixel with pngjs and
 * embedded in the email by Content-ID. Drawn at `scale`× for sharp display on high-DPI screens.
 * Pure: model data in, PNG bytes out.
 */
import { PNG } from 'pngjs';
import { ADVANCE, GLYPH_HEIGHT, glyph, textWidth } from './bitmap-font';
import type { ChartSeries } from './types';

type Rgb = readonly [number, number, number];

/** Stacking order (bottom → top) and colours; shared with the HTML legend. */
export const STATUS_STYLE: readonly { status: string; label: string; color: string }[] = [
  { status: 'verified', label: 'Verified', color: '#2e7d32' },
  { status: 'pending', label: 'Pending', color: '#f2a900' },
  { status: 'not_started', label: 'Not started', color: '#9e9e9e' },
  { status: 'update_required', label: 'Update required', color: '#ef6c00' },
  { status: 'rejected', label: 'Rejected', color: '#c62828' },
  { status: 'unknown', label: 'Unknown', color: '#5c6bc0' },
];

/** Logical size of the chart (CSS pixels); the PNG is `scale` times larger. */
export const CHART_WIDTH = 640;
export const CHART_HEIGHT = 260;

const hex = (c: string): Rgb => [parseInt(c.slice(1, 3), 16), parseInt(c.slice(3, 5), 16), parseInt(c.slice(5, 7), 16)];
const INK = hex('#333333');
const GRID = hex('#e3e3e3');
const AXIS = hex('#888888');

/** Round a maximum up to 1, 2 or 5 × 10^n, and return 4–5 tick steps. */
export function niceScale(max: number): { top: number; step: number } {
  if (max <= 0) return { top: 4, step: 1 };
  const raw = max / 4;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const stepInt = Math.max(1, Math.round(step));
  return { top: Math.ceil(max / stepInt) * stepInt, step: stepInt };
}

export function renderChart(chart: ChartSeries, opts: { scale?: number; title?: string } = {}): Buffer {
  const S = Math.max(1, Math.round(opts.scale ?? 2));
  const png = new PNG({ width: CHART_WIDTH * S, height: CHART_HEIGHT * S });
  png.data.fill(255);
  const fill = (x: number, y: number, w: number, h: number, c: Rgb) => {
    const x0 = Math.max(0, Math.round(x * S)), y0 = Math.max(0, Math.round(y * S));
    const x1 = Math.min(png.width, Math.round((x + w) * S)), y1 = Math.min(png.height, Math.round((y + h) * S));
    for (let yy = y0; yy < y1; yy++) {
      for (let xx = x0; xx < x1; xx++) {
        const i = (yy * png.width + xx) * 4;
        png.data[i] = c[0]; png.data[i + 1] = c[1]; png.data[i + 2] = c[2]; png.data[i + 3] = 255;
      }
    }
  };
  // Text at font scale `k` (font pixels of k logical pixels; k may be fractional at S = 2).
  const text = (s: string, x: number, y: number, c: Rgb, k = 1) => {
    [...s].forEach((ch, i) => {
      for (const [gx, gy] of glyph(ch)) fill(x + (i * ADVANCE + gx) * k, y + gy * k, k, k, c);
    });
  };

  const title = opts.title ?? 'SMS numbers by status, end of day';
  text(title, 16, 12, INK, 1.5);

  const left = 48, top = 40, legendW = 150, right = CHART_WIDTH - legendW, bottom = CHART_HEIGHT - 32;
  const plotW = right - left, plotH = bottom - top;
  const present = STATUS_STYLE.filter((s) => chart.series[s.status]?.some((n) => n > 0));
  const totals = chart.days.map((_, i) => STATUS_STYLE.reduce((n, s) => n + (chart.series[s.status]?.[i] ?? 0), 0));
  const { top: yTop, step } = niceScale(Math.max(0, ...totals));

  // Grid and y ticks.
  for (let v = 0; v <= yTop; v += step) {
    const y = bottom - (v / yTop) * plotH;
    fill(left, y, plotW, 0.5, v === 0 ? AXIS : GRID);
    const label = String(v);
    text(label, left - 6 - textWidth(label), y - GLYPH_HEIGHT / 2, INK);
  }
  fill(left, top, 0.5, plotH, AXIS);

  // Bars.
  const n = Math.max(1, chart.days.length);
  const slot = plotW / n;
  const barW = Math.max(2, Math.min(36, slot * 0.7));
  const labelEvery = Math.max(1, Math.ceil((textWidth('00-00') + 6) / slot));
  chart.days.forEach((day, i) => {
    const x = left + i * slot + (slot - barW) / 2;
    let y = bottom;
    for (const s of STATUS_STYLE) {
      const v = chart.series[s.status]?.[i] ?? 0;
      if (!v) continue;
      const h = (v / yTop) * plotH;
      fill(x, y - h, barW, h, hex(s.color));
      y -= h;
    }
    if ((n - 1 - i) % labelEvery === 0) {
      const label = day.slice(5); // MM-DD
      text(label, left + i * slot + slot / 2 - textWidth(label) / 2, bottom + 8, INK);
    }
  });
  if (!totals.some((t) => t > 0)) text('No numbers recorded yet', left + plotW / 2 - textWidth('No numbers recorded yet') / 2, top + plotH / 2 - 4, AXIS);

  // Legend.
  const legend = present.length ? present : STATUS_STYLE.slice(0, 2);
  legend.forEach((s, i) => {
    const y = top + 4 + i * 20;
    fill(right + 20, y, 12, 12, hex(s.color));
    text(s.label, right + 38, y + 2.5, INK);
  });
  return PNG.sync.write(png);
}
