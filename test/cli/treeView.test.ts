// drawTree: exact drawings of small trees (live, finished, evaluation), the Pass@1(MCTS) best-node rule
// against src/rl/metrics, and malformed trees rejected with the node named.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { NodeSummary, VerdictSummary } from '../../src/contracts';
import { treeAdvantages, type TreeNodeReward } from '../../src/rl/advantage';
import { treeMetrics } from '../../src/rl/metrics';
import { bestNode, checkNodes, toEvalNodes } from '../../src/rl/nodes';
import { drawTree } from '../../src/cli/treeView';
import { rng } from '../rl/helpers';

const ref = (c: string) => `sha256:${c.repeat(64)}` as const;

function node(
  nodeId: number,
  parentId: number | null,
  agent: string,
  tests: VerdictSummary,
  extra: Partial<NodeSummary> = {},
): NodeSummary {
  return {
    treeId: 'r1/3/cc-1520_A',
    nodeId,
    parentId,
    depth: 1,
    agent,
    policyVersion: 0,
    score: tests.verdict === 'AC' ? 1 : 0,
    responseTokens: 100 + 37 * nodeId,
    truncated: false,
    publicTests: tests,
    refs: { generation: ref('a'), publicTests: ref('b') },
    ...extra,
  };
}

/** Fills depth from the parent chain (nodes given in creation order). */
function withDepths(nodes: NodeSummary[]): NodeSummary[] {
  const depth = new Map<number, number>();
  return nodes.map((n) => {
    const d = n.parentId === null ? 1 : depth.get(n.parentId)! + 1;
    depth.set(n.nodeId, d);
    return { ...n, depth: d };
  });
}

const WA = (passed: number, total = 3): VerdictSummary => ({ verdict: 'WA', passed, total });
const AC: VerdictSummary = { verdict: 'AC', passed: 3, total: 3 };

const tree = withDepths([
  node(0, null, 'qwen', WA(1)),
  node(1, null, 'areal', { verdict: 'TLE', passed: 0, total: 3 }, { truncated: true, responseTokens: 1024 }),
  node(2, 0, 'areal', { verdict: 'RE', passed: 0, total: 3 }),
  node(3, 2, 'qwen', AC),
  node(4, 0, 'areal', WA(2)),
  node(5, 1, 'qwen', AC),
]);

describe('drawTree', () => {
  test('a finished training tree: connectors, aligned columns, the earliest best node marked', () => {
    assert.equal(
      drawTree(tree),
      [
        'tree r1/3/cc-1520_A · 6 nodes · best #3',
        'root',
        '├─ #0        qwen   0.00  WA 1/3    100 tok',
        '│  ├─ #2     areal  0.00  RE 0/3    174 tok',
        '│  │  └─ #3  qwen   1.00  AC 3/3    211 tok      ← best',
        '│  └─ #4     areal  0.00  WA 2/3    248 tok',
        '└─ #1        areal  0.00  TLE 0/3  1024 tok cut',
        '   └─ #5     qwen   1.00  AC 3/3    285 tok',
        '',
      ].join('\n'),
    );
  });

  test('a live tree drawn from nodes in any order, with a title; all-zero scores mark the first node', () => {
    const live = [tree[2], tree[0], tree[1]];
    assert.equal(
      drawTree(live, { title: 'live' }),
      [
        'tree live · 3 nodes · best #0',
        'root',
        '├─ #0     qwen   0.00  WA 1/3    100 tok      ← best',
        '│  └─ #2  areal  0.00  RE 0/3    174 tok',
        '└─ #1     areal  0.00  TLE 0/3  1024 tok cut',
        '',
      ].join('\n'),
    );
  });

  test('an evaluation tree shows its private verdicts; a fractional score keeps two decimals', () => {
    const evalTree = withDepths([
      node(0, null, 'a', WA(2, 4), { score: 0.5, privateTests: { verdict: 'WA', passed: 7, total: 10 } }),
      node(1, 0, 'a', { verdict: 'AC', passed: 4, total: 4 }, { score: 1, privateTests: { verdict: 'AC', passed: 10, total: 10 } }),
    ]);
    assert.equal(
      drawTree(evalTree),
      [
        'tree r1/3/cc-1520_A · 2 nodes · best #1',
        'root',
        '└─ #0     a  0.50  WA 2/4  private WA 7/10   100 tok',
        '   └─ #1  a  1.00  AC 4/4  private AC 10/10  137 tok  ← best',
        '',
      ].join('\n'),
    );
  });

  test('an empty (just started) tree', () => {
    assert.equal(drawTree([], { title: 't' }), 'tree t · no nodes yet\nroot\n');
  });

  test('malformed trees are rejected, naming the node', () => {
    assert.throws(() => drawTree([tree[0], { ...tree[0] }]), /node 0 appears twice/);
    assert.throws(() => drawTree([tree[0], tree[3]]), /node 3 names parent 2, which is not an earlier node of this tree/);
    assert.throws(() => drawTree([tree[0], { ...tree[2], depth: 3 }]), /node 2 has depth 3; its parent chain gives 2/);
    assert.throws(() => drawTree([tree[0], { ...tree[1], treeId: 'other' }]), /belongs to another tree/);
  });
});

test('bestNode agrees with treeMetrics Pass@1(MCTS) (earliest on ties) on random trees', () => {
  const next = rng(7);
  for (let trial = 0; trial < 200; trial++) {
    const n = 1 + Math.floor(next() * 10);
    const nodes = withDepths(
      Array.from({ length: n }, (_, i) => {
        const score = [0, 0.5, 1][Math.floor(next() * 3)];
        const passedPrivate = next() < 0.5;
        return node(i, i === 0 || next() < 0.3 ? null : Math.floor(next() * i), 'a', WA(0), {
          score,
          privateTests: { verdict: passedPrivate ? 'AC' : 'WA', passed: passedPrivate ? 2 : 1, total: 2 },
        });
      }),
    );
    checkNodes(nodes);
    const best = bestNode(nodes)!;
    assert.equal(best.privateTests!.verdict === 'AC' ? 1 : 0, treeMetrics(toEvalNodes(nodes)).pass1Mcts);
    assert.ok(nodes.every((m) => m.score < best.score || (m.score === best.score && m.nodeId >= best.nodeId)));
  }
});

test('a NodeSummary is a TreeNodeReward: summaries go to treeAdvantages as they are', () => {
  const rewards: readonly TreeNodeReward[] = tree;
  const advantages = treeAdvantages(rewards);
  assert.deepEqual(advantages.map((a) => Math.sign(a.advantage)), [-1, -1, -1, 1, -1, 1]);
});

test('a problem without public tests (HumanEval) draws its public verdict as -', () => {
  const { publicTests: _p, ...bare } = node(0, null, 'qwen', WA(0), { privateTests: AC, score: 0 });
  const { publicTests: _r, ...refs } = bare.refs;
  assert.match(drawTree([{ ...bare, refs }]), /#0  qwen  0\.00  -  private AC 3\/3  100 tok  ← best\n$/);
});
