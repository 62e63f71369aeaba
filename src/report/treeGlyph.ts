// A search tree as a small SVG glyph for the report: the root on top, each node one level further
// down per depth, leaves spread left to right in creation order and parents centred over their
// children (a simple tidy layout). A node is filled with its agent's colour when it passed every public
// test, half-filled for a partial score, hollow when it failed. Pure.
import type { TreeShape } from './metrics';
import { escapeXml, MUTED } from './svg';

export interface GlyphLayout {
  /** Per node, in [0, 1] across the glyph. */
  x: number[];
  /** Per node: its depth (root children 1). */
  depth: number[];
  maxDepth: number;
}

export function layoutTree(parents: readonly number[]): GlyphLayout {
  const n = parents.length;
  const children: number[][] = Array.from({ length: n + 1 }, () => []); // index n = the root
  parents.forEach((p, i) => children[p < 0 ? n : p].push(i));
  const depth = new Array<number>(n).fill(0);
  const slot = new Array<number>(n + 1).fill(0);
  let leaves = 0;
  const place = (v: number, d: number): number => {
    if (v < n) depth[v] = d;
    const kids = children[v];
    if (kids.length === 0) return (slot[v] = leaves++);
    const xs = kids.map((k) => place(k, d + 1));
    return (slot[v] = (xs[0] + xs[xs.length - 1]) / 2);
  };
  place(n, 0);
  const span = Math.max(1, leaves - 1);
  return {
    x: slot.slice(0, n).map((s) => (leaves === 1 ? 0.5 : s / span)),
    depth,
    maxDepth: Math.max(0, ...depth),
  };
}

export function treeGlyph(tree: TreeShape, colorOf: (agent: string) => string, width = 132, height = 96): string {
  const { x, depth, maxDepth } = layoutTree(tree.parents);
  const pad = 10;
  const labelH = 16;
  const levelH = maxDepth === 0 ? 0 : (height - labelH - 2 * pad) / maxDepth;
  const gx = (v: number) => Number((pad + v * (width - 2 * pad)).toFixed(1));
  const gy = (d: number) => Number((pad + d * levelH).toFixed(1));
  const rootX = gx(0.5);
  const edges = tree.parents.map((p, i) => {
    const [px, py] = p < 0 ? [rootX, gy(0)] : [gx(x[p]), gy(depth[p])];
    return `<line x1="${px}" y1="${py}" x2="${gx(x[i])}" y2="${gy(depth[i])}" />`;
  });
  const nodes = tree.parents.map((_, i) => {
    const color = colorOf(tree.agents[i]);
    const s = tree.scores[i];
    const fill = s >= 1 ? color : s > 0 ? color : '#ffffff';
    const opacity = s > 0 && s < 1 ? ' fill-opacity="0.45"' : '';
    return `<circle cx="${gx(x[i])}" cy="${gy(depth[i])}" r="4.2" fill="${fill}"${opacity} stroke="${color}" stroke-width="1.6"><title>#${i} ${escapeXml(tree.agents[i])} score ${s}</title></circle>`;
  });
  const label = tree.problemId.length > 20 ? `${tree.problemId.slice(0, 19)}…` : tree.problemId;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="glyph" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="tree of ${escapeXml(tree.problemId)}">`,
    `<title>${escapeXml(tree.problemId)}: ${tree.parents.length} nodes, depth ${maxDepth}</title>`,
    `<g stroke="#b5b5b5" stroke-width="1.2">${edges.join('')}</g>`,
    `<circle cx="${rootX}" cy="${gy(0)}" r="2.5" fill="${MUTED}" />`,
    nodes.join(''),
    `<text x="${width / 2}" y="${height - 4}" font-size="10.5" text-anchor="middle" fill="#555555">${escapeXml(label)}</text>`,
    '</svg>',
  ].join('\n');
}
