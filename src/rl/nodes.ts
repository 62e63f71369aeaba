// Scoring and reading a tree's nodes (the NodeSummary of src/contracts, read structurally): a node's score
// from its test results, checks that the nodes are one well-formed tree, the best node by the
// Pass@1(MCTS) rule, and the EvalNode form the metrics take. Pure.
import type { EvalNode } from './metrics';


/** Which tests a training node's reward counts (the run config's rewards.tests). */
export const REWARD_TESTS = ['public', 'private', 'all'] as const;
export type RewardTests = (typeof REWARD_TESTS)[number];

/** What is read of a test set's result. */
export interface TestTally {
  passed: number;
  total: number;
}

/** What is read of a node. */
export interface ScoredNode {
  treeId: string;
  nodeId: number;
  parentId: number | null;
  depth: number;
  agent: string;
  score: number;
  publicTests?: TestTally;
  privateTests?: TestTally;
}

const allPassed = (v: TestTally) => v.total > 0 && v.passed === v.total;

/**
 * A node's score, 1 iff every counted test passed (MARTI's binary reward), else 0. `reward` is a training
 * tree's rewards.tests: 'public' or 'private' counts that set, 'all' both (a set the problem lacks is not
 * counted). Without `reward` (evaluation and solve trees) the public tests decide, the only ones
 * test-time search may use; a problem without public tests (HumanEval) then scores 0: no evidence.
 * Throws when `reward` counts no test result at all (the expand activity refuses such a problem first).
 */
export function nodeScore(reward: RewardTests | undefined, publicTests?: TestTally, privateTests?: TestTally): number {
  if (reward === undefined) return publicTests && allPassed(publicTests) ? 1 : 0;
  const counted = (reward === 'public' ? [publicTests] : reward === 'private' ? [privateTests] : [publicTests, privateTests]).filter(
    (v): v is TestTally => v !== undefined,
  );
  if (counted.length === 0) throw new Error(`nodeScore: reward '${reward}' counts the ${reward} tests, and the node has no result for them`);
  return counted.every(allPassed) ? 1 : 0;
}

/**
 * The nodes sorted by creation (nodeId), after checking that they form one tree: one treeId, unique
 * ids, every parent an earlier node of the same tree, depth = parent's depth + 1. Throws otherwise.
 */
export function checkNodes<N extends ScoredNode>(nodes: readonly N[]): N[] {
  const sorted = [...nodes].sort((a, b) => a.nodeId - b.nodeId);
  const byId = new Map<number, N>();
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
export function bestNode<N extends ScoredNode>(nodes: readonly N[]): N | undefined {
  let best: N | undefined;
  for (const node of [...nodes].sort((a, b) => a.nodeId - b.nodeId)) {
    if (best === undefined || node.score > best.score) best = node;
  }
  return best;
}

/**
 * An evaluation tree in creation order as src/rl/metrics.ts reads it: each node's score (the public
 * tests, in evaluation trees) and private result, with both tallies for the hack rate. A node without a
 * private result (its problem has no private tests) scores 0 there: it cannot be shown correct.
 */
export function toEvalNodes(nodes: readonly ScoredNode[]): EvalNode[] {
  return [...nodes]
    .sort((a, b) => a.nodeId - b.nodeId)
    .map((node) => ({
      agent: node.agent,
      publicScore: node.score,
      privateScore: node.privateTests && allPassed(node.privateTests) ? 1 : 0,
      ...(node.publicTests && { publicTests: tally(node.publicTests) }),
      ...(node.privateTests && { privateTests: tally(node.privateTests) }),
    }));
}

const tally = (v: TestTally) => ({ passed: v.passed, total: v.total });
