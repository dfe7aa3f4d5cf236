// The SVG chart generator: a well-formed document (balanced tags, quoted attributes, escaped text)
// holding every series, with points placed on log-log axes and undrawable points left out.
import { describe, expect, it } from 'vitest';
import { chartsSvg, escapeXml, type LineChart } from './plot.js';

/** Throws unless every tag is closed in order, attributes are quoted and no bare '&' or '<' is left in text. */
function assertWellFormed(svg: string): void {
  const body = svg.replace(/^<\?xml[^>]*\?>\s*/, '');
  const stack: string[] = [];
  const tag = /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g;
  let end = 0;
  for (let match = tag.exec(body); match; match = tag.exec(body)) {
    const text = body.slice(end, match.index);
    if (/<|&(?!(amp|lt|gt|quot|apos);)/.test(text)) throw new Error(`unescaped text: ${text}`);
    end = match.index + match[0].length;
    const [, closing, name, , selfClosing] = match;
    if (closing) {
      if (stack.pop() !== name) throw new Error(`</${name}> closes the wrong element`);
    } else if (!selfClosing) {
      stack.push(name);
    }
  }
  if (body.slice(end).trim() !== '' || stack.length > 0) throw new Error(`unclosed: ${stack.join(', ')} or trailing text`);
}

const chart: LineChart = {
  title: 'time <vs> n & more',
  x: { label: 'n', base: 2, format: (v) => `${v / 1024}K` },
  y: { label: 'ms' },
  series: [
    { name: 'fused "forward"', points: [[1024, 10], [2048, 20], [4096, 40]] },
    { name: 'full & friends', points: [[1024, 100], [2048, 0], [4096, 1600]], dashed: true, color: '#d62728' },
    { name: 'reference', points: [[4096, 1000]] },
  ],
  guides: [{ y: 5000, label: 'limit' }],
};

describe('chartsSvg', () => {
  it('writes a well-formed SVG document with one group, polyline and legend entry per series', () => {
    const svg = chartsSvg([chart, { ...chart, title: 'second' }]);
    expect(() => assertWellFormed(svg)).not.toThrow();
    expect(svg).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="1120"/);
    for (const series of chart.series) expect(svg.split(`data-name="${escapeXml(series.name)}"`)).toHaveLength(3);
    expect(svg.match(/<polyline /g)).toHaveLength(4); // the single-point series gets only a marker
    expect(svg).toContain('>time &lt;vs&gt; n &amp; more</text>');
    expect(svg).toContain('stroke-dasharray="6 4"');
    expect(svg).toContain('>limit</text>');
  });

  it('places points on log axes: equal ratios are equal steps, and non-positive values are left out', () => {
    const svg = chartsSvg([chart]);
    const group = (name: string) => svg.split(`data-name="${escapeXml(name)}">`)[1].split('</g>')[0];
    const points = (name: string) => [...group(name).matchAll(/<circle cx="([\d.]+)" cy="([\d.]+)"/g)].map((m) => [Number(m[1]), Number(m[2])]);
    const fused = points('fused "forward"');
    expect(fused).toHaveLength(3);
    expect(fused[1][0] - fused[0][0]).toBeCloseTo(fused[2][0] - fused[1][0], 1);
    expect(fused[0][1] - fused[1][1]).toBeCloseTo(fused[1][1] - fused[2][1], 1);
    expect(fused[1][1]).toBeLessThan(fused[0][1]); // larger values are higher up
    expect(points('full & friends')).toHaveLength(2);
    expect(svg).toContain('>4K</text>');
  });

  it('draws an empty panel when no series has a drawable point', () => {
    const svg = chartsSvg([{ ...chart, series: [{ name: 'none', points: [[0, 1], [1, -1]] }], guides: [] }]);
    expect(() => assertWellFormed(svg)).not.toThrow();
    expect(svg).toContain('>no data</text>');
  });
});

describe('escapeXml', () => {
  it('escapes the five special characters', () => {
    expect(escapeXml(`a<b>&"c'`)).toBe('a&lt;b&gt;&amp;&quot;c&apos;');
  });
});
