/**
 * The chart as a PNG for the email: the SVG of chart-svg.ts rasterised by resvg (@resvg/resvg-js)
 * at `scale`× its logical size, for sharp display on high-DPI screens. The text is set in DejaVu
 * Sans loaded from the dejavu-fonts-ttf package, never from the system: a fresh Debian machine
 * or a container may have no fonts at all, and the chart must look the same everywhere.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as ResvgJs from '@resvg/resvg-js';
import { lazyRequire } from '../roster/lazy';
import { CHART_FONT, CHART_WIDTH, chartSvg } from './chart-svg';
import type { ChartSeries } from './types';

const require = createRequire(import.meta.url);
// The native renderer loads on the first chart (a preview without a chart never needs it).
const resvgLib = lazyRequire<typeof ResvgJs>('@resvg/resvg-js');

/** The bundled font files (regular and bold). */
export function chartFontFiles(): string[] {
  const dir = path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
  return [path.join(dir, 'DejaVuSans.ttf'), path.join(dir, 'DejaVuSans-Bold.ttf')];
}

export function renderChart(chart: ChartSeries, opts: { scale?: number; title?: string } = {}): Buffer {
  const scale = Math.max(1, Math.round(opts.scale ?? 2));
  const svg = chartSvg(chart, opts.title === undefined ? {} : { title: opts.title });
  const resvg = new (resvgLib().Resvg)(svg, {
    fitTo: { mode: 'width', value: CHART_WIDTH * scale },
    font: { loadSystemFonts: false, fontFiles: chartFontFiles(), defaultFontFamily: CHART_FONT, sansSerifFamily: CHART_FONT },
    background: '#ffffff',
  });
  return resvg.render().asPng();
}
