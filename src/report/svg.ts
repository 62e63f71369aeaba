// A small SVG line plot for the run report: title, legend, axes with "nice" ticks (1-2-5 steps),
// grid lines, several series. A missing point (null, undefined, NaN, ±Infinity) breaks its line into
// segments; a lone point (a segment of one) is drawn as a dot, so a single-point series still shows.
// Every attribute is inline, so the SVG also stands on its own outside the page. Pure.

export interface Series {
  name: string;
  /** [x, y]; y missing or non-finite = a gap. */
  points: ReadonlyArray<readonly [number, number | null | undefined]>;
  color: string;
  dashed?: boolean;
}

export interface PlotOptions {
  title: string;
  series: readonly Series[];
  xLabel?: string;
  yLabel?: string;
  /** Values the x axis always covers (e.g. the whole run, so that plots line up). */
  xInclude?: readonly number[];
  /** Values the y axis always covers (e.g. [0, 1] for a rate, [0] for a throughput); data can widen it. */
  yInclude?: readonly number[];
  /** Only integer x ticks (iterations). Default true. */
  integerX?: boolean;
  width?: number;
  height?: number;
}

/** Okabe–Ito colours (colour-blind safe), for agents; aggregates use INK and MUTED. */
export const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9'] as const;
export const INK = '#222222';
export const MUTED = '#8a8a8a';
const GRID = '#e6e6e6';
const AXIS = '#555555';
const FONT = 'system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif';

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Ticks at multiples of a 1-2-5 step covering [min, max], about `target` of them. */
export function niceTicks(min: number, max: number, target = 5, integer = false): number[] {
  if (!(max > min)) throw new Error(`niceTicks: expected min < max, found ${min}, ${max}`);
  const raw = (max - min) / target;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  let step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw)!;
  if (integer) step = Math.max(1, Math.round(step));
  const first = Math.floor(min / step + 1e-9);
  const last = Math.ceil(max / step - 1e-9);
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  const ticks: number[] = [];
  for (let k = first; k <= last; k++) ticks.push(Number((k * step).toFixed(decimals + 1)));
  return ticks;
}

/**
 * Labels for one axis's ticks, all with the same form: the decimals the step needs; k/M when the
 * ticks are large; exponents when every tick is tiny (below 1e−3).
 */
export function formatTicks(ticks: readonly number[]): string[] {
  const step = ticks.length > 1 ? Math.abs(ticks[1] - ticks[0]) : 1;
  const maxAbs = Math.max(...ticks.map(Math.abs));
  return ticks.map((value) => {
    const abs = Math.abs(value);
    if (value === 0) return maxAbs < 1e-3 || step >= 1 ? '0' : (0).toFixed(-digitsOf(step));
    if (abs >= 1e6) return `${trim((value / 1e6).toFixed(Math.max(0, 6 - digitsOf(step))))}M`;
    if (abs >= 1e4) return `${trim((value / 1e3).toFixed(Math.max(0, 3 - digitsOf(step))))}k`;
    if (maxAbs < 1e-3) return value.toExponential(Math.max(0, digitsOf(value) - digitsOf(step))).replace(/\.?0+e/, 'e');
    return value.toFixed(Math.max(0, -digitsOf(step)));
  });
}

const digitsOf = (x: number) => Math.floor(Math.log10(Math.abs(x)) + 1e-9);
const trim = (s: string) => (s.includes('.') ? s.replace(/\.?0+$/, '') : s);
const px = (v: number) => Number(v.toFixed(1));
const textWidth = (text: string, fontPx: number) => text.length * fontPx * 0.6;

const finiteY = (p: readonly [number, number | null | undefined]): p is readonly [number, number] =>
  typeof p[1] === 'number' && Number.isFinite(p[1]) && Number.isFinite(p[0]);

/** The segments of consecutive finite points. */
export function segments(points: Series['points']): Array<Array<readonly [number, number]>> {
  const out: Array<Array<readonly [number, number]>> = [];
  let current: Array<readonly [number, number]> = [];
  for (const p of points) {
    if (finiteY(p)) current.push(p);
    else if (current.length > 0) {
      out.push(current);
      current = [];
    }
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** [min, max] of the values and `fixed`; a single value is padded (an x value ≥ 0 not below 0). */
function extent(values: number[], fixed: readonly number[] = [], isX = false): [number, number] {
  let lo = Math.min(...values, ...fixed);
  let hi = Math.max(...values, ...fixed);
  if (!Number.isFinite(lo)) [lo, hi] = [0, 1];
  if (lo === hi && isX) return [lo >= 0 ? Math.max(0, lo - 1) : lo - 1, hi + 1];
  if (lo === hi) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    [lo, hi] = [lo - pad, hi + pad];
  }
  return [lo, hi];
}

export function linePlot(o: PlotOptions): string {
  const W = o.width ?? 560;
  const H = o.height ?? 300;
  const integerX = o.integerX ?? true;
  const finite = o.series.flatMap((s) => s.points.filter(finiteY));
  const [x0, x1] = extent(finite.map((p) => p[0]), o.xInclude, true);
  const xt = niceTicks(integerX && x1 - x0 < 2 ? Math.floor(x0) : x0, integerX && x1 - x0 < 2 ? Math.ceil(x1) : x1, 6, integerX);
  const yt = niceTicks(...extent(finite.map((p) => p[1]), o.yInclude), 5);
  const xLabels = formatTicks(xt);
  const yLabels = formatTicks(yt);

  // Legend rows under the title, wrapped to the width.
  const legend: string[] = [];
  let lx = 12;
  let row = 0;
  for (const s of o.series) {
    const w = 22 + textWidth(s.name, 12) + 14;
    if (lx + w > W - 8 && lx > 12) {
      row++;
      lx = 12;
    }
    const ly = 40 + row * 17;
    legend.push(
      `<line x1="${lx}" y1="${ly - 4}" x2="${lx + 16}" y2="${ly - 4}" stroke="${s.color}" stroke-width="2.5"${s.dashed ? ' stroke-dasharray="5 3"' : ''} />` +
        `<text x="${lx + 21}" y="${ly}" font-size="12" fill="${INK}">${escapeXml(s.name)}</text>`,
    );
    lx += w;
  }
  const top = 40 + (o.series.length > 0 ? row * 17 + 14 : 0);
  const left = 12 + (o.yLabel ? 16 : 0) + Math.max(...yLabels.map((l) => textWidth(l, 11))) + 8;
  const bottom = H - (o.xLabel ? 40 : 24);
  const right = W - 14;
  const sx = (x: number) => left + ((x - xt[0]) / (xt[xt.length - 1] - xt[0])) * (right - left);
  const sy = (y: number) => bottom - ((y - yt[0]) / (yt[yt.length - 1] - yt[0])) * (bottom - top);

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${escapeXml(o.title)}" font-family="${FONT}">`,
    `<title>${escapeXml(o.title)}</title>`,
    `<text x="12" y="20" font-size="14" font-weight="600" fill="${INK}">${escapeXml(o.title)}</text>`,
    `<g class="legend">${legend.join('')}</g>`,
    `<g class="grid" stroke="${GRID}" stroke-width="1">`,
    ...yt.map((v) => `<line x1="${px(left)}" y1="${px(sy(v))}" x2="${px(right)}" y2="${px(sy(v))}" />`),
    `</g>`,
    `<g class="axes" stroke="${AXIS}" stroke-width="1">`,
    `<line x1="${px(left)}" y1="${px(bottom)}" x2="${px(right)}" y2="${px(bottom)}" />`,
    `<line x1="${px(left)}" y1="${px(top)}" x2="${px(left)}" y2="${px(bottom)}" />`,
    ...xt.map((v) => `<line x1="${px(sx(v))}" y1="${px(bottom)}" x2="${px(sx(v))}" y2="${px(bottom + 4)}" />`),
    `</g>`,
    `<g class="ticks" font-size="11" fill="${AXIS}">`,
    ...yt.map((v, i) => `<text class="ytick" x="${px(left - 6)}" y="${px(sy(v) + 4)}" text-anchor="end" data-y="${px(sy(v))}">${yLabels[i]}</text>`),
    ...xt.map((v, i) => `<text class="xtick" x="${px(sx(v))}" y="${px(bottom + 16)}" text-anchor="middle">${xLabels[i]}</text>`),
    `</g>`,
  ];
  if (o.xLabel) parts.push(`<text x="${px((left + right) / 2)}" y="${H - 8}" font-size="12" text-anchor="middle" fill="${AXIS}">${escapeXml(o.xLabel)}</text>`);
  if (o.yLabel) {
    const cy = px((top + bottom) / 2);
    parts.push(`<text x="16" y="${cy}" font-size="12" text-anchor="middle" fill="${AXIS}" transform="rotate(-90 16 ${cy})">${escapeXml(o.yLabel)}</text>`);
  }
  if (finite.length === 0) {
    parts.push(`<text x="${px((left + right) / 2)}" y="${px((top + bottom) / 2)}" font-size="13" text-anchor="middle" fill="${MUTED}">no data yet</text>`);
  }
  for (const s of o.series) {
    const segs = segments(s.points);
    const dots = segs.reduce((n, seg) => n + seg.length, 0) <= 40;
    const body = segs.map((seg) => {
      const line =
        seg.length > 1
          ? `<polyline points="${seg.map(([x, y]) => `${px(sx(x))},${px(sy(y))}`).join(' ')}" fill="none" stroke="${s.color}" stroke-width="2" stroke-linejoin="round"${s.dashed ? ' stroke-dasharray="5 3"' : ''} />`
          : '';
      const marks = dots || seg.length === 1 ? seg.map(([x, y]) => `<circle cx="${px(sx(x))}" cy="${px(sy(y))}" r="2.8" fill="${s.color}" />`).join('') : '';
      return line + marks;
    });
    parts.push(`<g class="series" data-series="${escapeXml(s.name)}">${body.join('')}</g>`);
  }
  parts.push('</svg>');
  return parts.join('\n');
}
