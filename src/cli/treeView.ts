// `mars2 tree ID`: a search tree as text, one line per node in depth-first creation order, indented
// with box-drawing connectors, then aligned columns: agent, score, public verdict (`AC 3/3`, `WA 1/3`,
// `-` when the problem has no public tests), private verdict when the tree ran them, output tokens (`cut` when generation hit the token
// limit), and `← best` on the node Pass@1(MCTS) picks (nodes.ts). Works on a partial (live) tree too.
//
//   tree r1/it3/cc-1520_A · 5 nodes · best #3
//   root
//   ├─ #0  qwen   0.00  WA 1/3  412 tok
//   │  ├─ #2  areal  0.00  RE 0/3  380 tok
//   │  │  └─ #3  qwen   1.00  AC 3/3  291 tok  ← best
//   …
import type { NodeSummary, VerdictSummary } from '../contracts';
import { bestNode, checkNodes } from '../rl/nodes';

export interface DrawOptions {
  /** The first line's name for the tree (default: the nodes' treeId). */
  title?: string;
}

const verdict = (v: VerdictSummary | undefined) => (v ? `${v.verdict} ${v.passed}/${v.total}` : '-');

export function drawTree(nodes: readonly NodeSummary[], options: DrawOptions = {}): string {
  const sorted = checkNodes(nodes);
  const title = options.title ?? sorted[0]?.treeId ?? 'tree';
  if (sorted.length === 0) return `tree ${title} · no nodes yet\nroot\n`;
  const best = bestNode(sorted)!;

  const children = new Map<number | null, NodeSummary[]>();
  for (const node of sorted) {
    const list = children.get(node.parentId) ?? [];
    list.push(node);
    children.set(node.parentId, list);
  }
  // Depth-first, children in creation order; the prefix carries the ancestors' vertical lines.
  const rows: Array<{ head: string; node: NodeSummary }> = [];
  const walk = (parent: number | null, prefix: string) => {
    const list = children.get(parent) ?? [];
    list.forEach((node, i) => {
      const last = i === list.length - 1;
      rows.push({ head: `${prefix}${last ? '└─' : '├─'} #${node.nodeId}`, node });
      walk(node.nodeId, `${prefix}${last ? '   ' : '│  '}`);
    });
  };
  walk(null, '');

  const hasPrivate = sorted.some((n) => n.privateTests);
  const width = (f: (n: NodeSummary) => string) => Math.max(...sorted.map((n) => f(n).length));
  const headW = Math.max(...rows.map((r) => r.head.length));
  const agentW = width((n) => n.agent);
  const pubW = width((n) => verdict(n.publicTests));
  const privW = hasPrivate ? width((n) => verdict(n.privateTests)) : 0;
  const tokW = width((n) => String(n.responseTokens));
  const anyCut = sorted.some((n) => n.truncated);

  const lines = [`tree ${title} · ${sorted.length} node${sorted.length === 1 ? '' : 's'} · best #${best.nodeId}`, 'root'];
  for (const { head, node } of rows) {
    const cols = [head.padEnd(headW), node.agent.padEnd(agentW), node.score.toFixed(2), verdict(node.publicTests).padEnd(pubW)];
    if (hasPrivate) cols.push(`private ${verdict(node.privateTests).padEnd(privW)}`);
    cols.push(`${String(node.responseTokens).padStart(tokW)} tok${anyCut ? (node.truncated ? ' cut' : '    ') : ''}`);
    if (node === best) cols.push('← best');
    lines.push(cols.join('  ').trimEnd());
  }
  return `${lines.join('\n')}\n`;
}
