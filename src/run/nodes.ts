// Reading a tree of NodeSummary: checks that it is one well-formed tree, the best node by the
// Pass@1(MCTS) rule, and the EvalNode form the metrics take. Pure.
import type { EvalNode } from '../rl/metrics';
import type { NodeSummary } from './types';

/**
 * The nodes sorted by creation (nodeId), after checking that they form one tree: one treeId, unique
 * ids, every parent an earlier node of the same tree, depth = parent's depth + 1. Throws otherwise.
 */
export function checkNodes(nodes: readonly NodeSummary[]): NodeSummary[] {
  const sorted = [...nodes].sort((a, b) => a.nodeId - b.nodeId);
  const byId = new Map<number, NodeSummary>();
  for (const node of sorted) {
    const where = `tree ${node.treeId}: node ${node.nodeId}`;
    if (node.treeId !== sorted[0].treeId) {
      throw new Error(`${where} belongs to another tree than node ${sorted[0].nodeId} (${sorted[0].treeId}); expected the nodes of one tree`);
    }
    if (byId.has(node.nodeId)) throw new Error(`${where} appears twice; node ids must be unique within a tree`);
    const parent = node.parentId === null ? null : byId.get(node.parentId);
    if (parent === undefined) {
      throw new Error(`${where} names parent ${node.parentId}, which is not an earlier node of this tree`);
    }
    const depth = parent === null ? 1 : parent.depth + 1;
    if (node.depth !== depth) throw new Error(`${where} has depth ${node.depth}; its parent chain gives ${depth}`);
    byId.set(node.nodeId, node);
  }
  return sorted;
}

/**
 * The node Pass@1(MCTS) picks (research/papers.md §2.12, §7): the highest public score, the earliest
 * node on ties, as src/rl/metrics.ts `treeMetrics` with tieBreak 'earliest'. Undefined for no nodes.
 */
export function bestNode(nodes: readonly NodeSummary[]): NodeSummary | undefined {
  let best: NodeSummary | undefined;
  for (const node of [...nodes].sort((a, b) => a.nodeId - b.nodeId)) {
    if (best === undefined || node.score > best.score) best = node;
  }
  return best;
}

/** The tree in creation order as src/rl/metrics.ts reads it; every node needs its private tests. */
export function toEvalNodes(nodes: readonly NodeSummary[]): EvalNode[] {
  return [...nodes]
    .sort((a, b) => a.nodeId - b.nodeId)
    .map((node) => {
      const p = node.privateTests;
      if (!p) {
        throw new Error(`tree ${node.treeId}: node ${node.nodeId} has no private-test result; only evaluation trees can be scored`);
      }
      return { agent: node.agent, publicScore: node.score, privateScore: p.total > 0 && p.passed === p.total ? 1 : 0 };
    });
}
