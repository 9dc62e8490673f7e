/**
 * The chart of number statuses over time as SVG: one stacked bar per day (numbers in each status at
 * the end of that day), y-axis ticks, day labels and a legend under the plot so the plot keeps the
 * full width on a phone. Sized in logical pixels for a 560 px column and drawn with type large
 * enough to read when a phone shows it at half that. render-chart.ts rasterises it with a real
 * font. Pure: model data in, SVG text out.
 */
import type { ChartSeries } from './types';

/** Stacking order (bottom → top) and colours; shared with the HTML legend. */
export const STATUS_STYLE: readonly { status: string; label: string; color: string }[] = [
  { status: 'verified', label: 'Verified', color: '#2e7d32' },
  { status: 'pending', label: 'Pending', color: '#f2a900' },
  { status: 'not_started', label: 'Not started', color: '#9e9e9e' },
  { status: 'update_required', label: 'Update required', color: '#ef6c00' },
  { status: 'rejected', label: 'Rejected', color: '#c62828' },
  { status: 'unknown', label: 'Unknown', color: '#5c6bc0' },
];

/** Logical size of the chart (CSS pixels); the PNG is drawn at a multiple of it. */
export const CHART_WIDTH = 560;
export const CHART_HEIGHT = 300;
/** The font family the SVG names; render-chart.ts loads that font. */
export const CHART_FONT = 'DejaVu Sans';

/** Round a maximum up to 1, 2 or 5 × 10^n, and return 4–5 tick steps. */
export function niceScale(max: number): { top: number; step: number } {
  if (max <= 0) return { top: 4, step: 1 };
  const raw = max / 4;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const stepInt = Math.max(1, Math.round(step));
  return { top: Math.ceil(max / stepInt) * stepInt, step: stepInt };
}

const xml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** '2026-11-24' → 'Nov 24'. */
export const dayLabel = (day: string) => `${MONTHS[Number(day.slice(5, 7)) - 1] ?? day.slice(5, 7)} ${Number(day.slice(8, 10))}`;

const totalsOf = (chart: ChartSeries) => chart.days.map((_, i) => STATUS_STYLE.reduce((n, s) => n + (chart.series[s.status]?.[i] ?? 0), 0));

/** What the chart shows, in words: the alt text of the image. */
export function chartAltText(chart: ChartSeries): string {
  const totals = totalsOf(chart);
  const first = chart.days[0];
  const last = chart.days.at(-1);
  if (!first || !last || !totals.some((t) => t > 0)) return 'Chart of SMS numbers by verification status: no numbers recorded yet.';
  const i = chart.days.length - 1;
  const parts = STATUS_STYLE.filter((s) => (chart.series[s.status]?.[i] ?? 0) > 0).map((s) => `${chart.series[s.status]![i]} ${s.label.toLowerCase()}`);
  return `Stacked bar chart of SMS numbers by verification status per day, ${first} to ${last}. `
    + `At the end of ${last}: ${parts.join(', ') || 'none'} (${totals[i]} in all).`;
}

export function chartSvg(chart: ChartSeries, opts: { title?: string } = {}): string {
  const W = CHART_WIDTH, H = CHART_HEIGHT;
  const title = opts.title ?? 'SMS numbers by status, end of day';
  const present = STATUS_STYLE.filter((s) => chart.series[s.status]?.some((n) => n > 0));
  const totals = totalsOf(chart);
  const { top: yTop, step } = niceScale(Math.max(0, ...totals));
  const left = 50, right = W - 22, top = 48, bottom = H - 84;
  const plotW = right - left, plotH = bottom - top;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="${CHART_FONT}">`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="10" y="27" font-size="21" font-weight="bold" fill="#1b2a41">${xml(title)}</text>`,
  ];
  for (let v = 0; v <= yTop; v += step) {
    const y = bottom - (v / yTop) * plotH;
    out.push(`<line x1="${left}" x2="${right}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" stroke="${v === 0 ? '#888888' : '#e3e3e3'}" stroke-width="1"/>`,
      `<text x="${left - 8}" y="${(y + 6).toFixed(1)}" font-size="17" text-anchor="end" fill="#333333">${v}</text>`);
  }
  const n = Math.max(1, chart.days.length);
  const slot = plotW / n;
  const barW = Math.max(2, Math.min(36, slot * 0.7));
  const labelEvery = Math.max(1, Math.ceil(66 / slot));
  chart.days.forEach((day, i) => {
    const x = left + i * slot + (slot - barW) / 2;
    let y = bottom;
    for (const s of STATUS_STYLE) {
      const v = chart.series[s.status]?.[i] ?? 0;
      if (!v) continue;
      const h = (v / yTop) * plotH;
      out.push(`<rect x="${x.toFixed(1)}" y="${(y - h).toFixed(1)}" width="${barW.toFixed(1)}" height="${h.toFixed(1)}" fill="${s.color}"/>`);
      y -= h;
    }
    if ((n - 1 - i) % labelEvery === 0) {
      out.push(`<text x="${(left + i * slot + slot / 2).toFixed(1)}" y="${bottom + 24}" font-size="17" text-anchor="middle" fill="#333333">${xml(dayLabel(day))}</text>`);
    }
  });
  if (!totals.some((t) => t > 0)) {
    out.push(`<text x="${left + plotW / 2}" y="${top + plotH / 2}" font-size="19" text-anchor="middle" fill="#777777">No numbers recorded yet</text>`);
  }
  // Legend under the plot, wrapping to a second row when needed.
  const legend = present.length ? present : STATUS_STYLE.slice(0, 2);
  let lx = 10, ly = bottom + 54;
  for (const s of legend) {
    const w = 24 + s.label.length * 10 + 16;
    if (lx + w > W - 10 && lx > 10) {
      lx = 10;
      ly += 26;
    }
    out.push(`<rect x="${lx}" y="${ly - 13}" width="16" height="16" fill="${s.color}"/>`,
      `<text x="${lx + 22}" y="${ly}" font-size="18" fill="#333333">${xml(s.label)}</text>`);
    lx += w;
  }
  out.push('</svg>');
  return out.join('');
}
