// A small SVG line-chart generator (no dependency) for benchmark reports: log-log axes with ticks at
// powers of a base per axis, one polyline with point markers per series, optional horizontal
// guides (e.g. a memory limit), a legend, and several charts side by side in one file.

/** One line of a chart; points with a non-positive coordinate cannot be drawn on log axes and are left out. */
export interface Series {
  name: string;
  points: readonly (readonly [x: number, y: number])[];
  /** A CSS colour; default: the palette colour of the series' index. */
  color?: string;
  dashed?: boolean;
}

export interface Axis {
  label: string;
  /** Ticks sit at the powers of this base (default 10). */
  base?: number;
  /** Tick label text (default: the value as is). */
  format?: (value: number) => string;
}

export interface LineChart {
  title: string;
  x: Axis;
  y: Axis;
  series: readonly Series[];
  /** Horizontal lines across the plot, e.g. { y: 2 ** 31, label: '2 GiB' }. */
  guides?: readonly { y: number; label: string }[];
}

const palette = ['#1f77b4', '#ff7f0e', '#d62728', '#2ca02c', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];
const size = { width: 560, height: 380, left: 72, right: 16, top: 32, bottom: 48, legendRow: 16 };

/**
 * `text` with the five XML special characters escaped.
 * @example escapeXml('a < b & "c"') // 'a &lt; b &amp; &quot;c&quot;'
 */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

const round = (value: number) => Math.round(value * 100) / 100;

/** The log-scale range of `values`: from the power of `base` at or below the least to the one at or above the greatest. */
function logRange(values: readonly number[], base: number): { low: number; high: number } {
  const logs = values.map((v) => Math.log(v) / Math.log(base));
  let low = Math.floor(Math.min(...logs) + 1e-9);
  let high = Math.ceil(Math.max(...logs) - 1e-9);
  if (low === high) {
    low -= 1;
    high += 1;
  }
  return { low, high };
}

/** The exponents of the ticks of a range: every power, or every k-th one so that at most 8 remain. */
function tickExponents({ low, high }: { low: number; high: number }): number[] {
  const every = Math.ceil((high - low) / 8);
  const ticks: number[] = [];
  for (let e = low; e <= high; e += every) ticks.push(e);
  return ticks;
}

/** One chart's body at the origin, `width` × `height`, without the <svg> wrapper. */
function chartBody(chart: LineChart, width: number, height: number): string {
  const drawable = chart.series.map((s) => s.points.filter(([x, y]) => x > 0 && y > 0 && Number.isFinite(x) && Number.isFinite(y)));
  const xs = drawable.flat().map(([x]) => x);
  const ys = [...drawable.flat().map(([, y]) => y), ...(chart.guides ?? []).map((g) => g.y)];
  const legendHeight = chart.series.length * size.legendRow;
  const plot = { left: size.left, top: size.top, right: width - size.right, bottom: height - size.bottom - legendHeight };
  const parts: string[] = [`<text x="${width / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(chart.title)}</text>`];
  parts.push(`<rect x="${plot.left}" y="${plot.top}" width="${plot.right - plot.left}" height="${plot.bottom - plot.top}" fill="none" stroke="#444"/>`);
  if (xs.length === 0 || ys.length === 0) {
    parts.push(`<text x="${(plot.left + plot.right) / 2}" y="${(plot.top + plot.bottom) / 2}" text-anchor="middle" font-size="12">no data</text>`);
    return parts.join('\n');
  }
  const xBase = chart.x.base ?? 10;
  const yBase = chart.y.base ?? 10;
  const xRange = logRange(xs, xBase);
  const yRange = logRange(ys, yBase);
  const px = (x: number) => round(plot.left + ((Math.log(x) / Math.log(xBase) - xRange.low) / (xRange.high - xRange.low)) * (plot.right - plot.left));
  const py = (y: number) => round(plot.bottom - ((Math.log(y) / Math.log(yBase) - yRange.low) / (yRange.high - yRange.low)) * (plot.bottom - plot.top));
  const xFormat = chart.x.format ?? String;
  const yFormat = chart.y.format ?? String;
  for (const e of tickExponents(xRange)) {
    const x = px(xBase ** e);
    parts.push(`<line x1="${x}" y1="${plot.top}" x2="${x}" y2="${plot.bottom}" stroke="#ddd"/>`);
    parts.push(`<text x="${x}" y="${plot.bottom + 16}" text-anchor="middle" font-size="11">${escapeXml(xFormat(xBase ** e))}</text>`);
  }
  for (const e of tickExponents(yRange)) {
    const y = py(yBase ** e);
    parts.push(`<line x1="${plot.left}" y1="${y}" x2="${plot.right}" y2="${y}" stroke="#ddd"/>`);
    parts.push(`<text x="${plot.left - 6}" y="${y + 4}" text-anchor="end" font-size="11">${escapeXml(yFormat(yBase ** e))}</text>`);
  }
  parts.push(`<text x="${(plot.left + plot.right) / 2}" y="${plot.bottom + 34}" text-anchor="middle" font-size="12">${escapeXml(chart.x.label)}</text>`);
  parts.push(`<text x="14" y="${(plot.top + plot.bottom) / 2}" text-anchor="middle" font-size="12" transform="rotate(-90 14 ${(plot.top + plot.bottom) / 2})">${escapeXml(chart.y.label)}</text>`);
  for (const guide of chart.guides ?? []) {
    const y = py(guide.y);
    parts.push(`<line x1="${plot.left}" y1="${y}" x2="${plot.right}" y2="${y}" stroke="#000" stroke-dasharray="2 3"/>`);
    parts.push(`<text x="${plot.right - 4}" y="${y - 4}" text-anchor="end" font-size="11">${escapeXml(guide.label)}</text>`);
  }
  chart.series.forEach((series, index) => {
    const color = series.color ?? palette[index % palette.length];
    const dash = series.dashed ? ' stroke-dasharray="6 4"' : '';
    const points = drawable[index].map(([x, y]) => [px(x), py(y)] as const);
    parts.push(`<g class="series" data-name="${escapeXml(series.name)}">`);
    if (points.length > 1) parts.push(`<polyline fill="none" stroke="${escapeXml(color)}" stroke-width="2"${dash} points="${points.map(([x, y]) => `${x},${y}`).join(' ')}"/>`);
    for (const [x, y] of points) parts.push(`<circle cx="${x}" cy="${y}" r="3" fill="${escapeXml(color)}"/>`);
    parts.push('</g>');
    const legendY = height - legendHeight + index * size.legendRow + 4;
    parts.push(`<line x1="${plot.left}" y1="${legendY}" x2="${plot.left + 24}" y2="${legendY}" stroke="${escapeXml(color)}" stroke-width="2"${dash}/>`);
    parts.push(`<text x="${plot.left + 30}" y="${legendY + 4}" font-size="11">${escapeXml(series.name)}</text>`);
  });
  return parts.join('\n');
}

/**
 * Charts side by side (`columns` per row) in one standalone SVG document.
 * @example writeFileSync('time.svg', chartsSvg([{ title: 'time', x: { label: 'n', base: 2 }, y: { label: 'ms' }, series }]))
 */
export function chartsSvg(charts: readonly LineChart[], columns = 2): string {
  const perRow = Math.max(1, Math.min(columns, charts.length));
  const heights = charts.map((c) => size.height + c.series.length * size.legendRow);
  const rows = Math.ceil(charts.length / perRow);
  const rowHeights = Array.from({ length: rows }, (_, r) => Math.max(0, ...heights.slice(r * perRow, (r + 1) * perRow)));
  const width = perRow * size.width;
  const height = rowHeights.reduce((a, b) => a + b, 0);
  const panels = charts.map((chart, i) => {
    const row = Math.floor(i / perRow);
    const top = rowHeights.slice(0, row).reduce((a, b) => a + b, 0);
    return `<g transform="translate(${(i % perRow) * size.width} ${top})">\n${chartBody(chart, size.width, rowHeights[row])}\n</g>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    ...panels,
    '</svg>',
    '',
  ].join('\n');
}
