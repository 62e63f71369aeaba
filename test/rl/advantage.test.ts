// Tree-group advantages (src/rl/advantage.ts): algebraic properties (sum to zero, shift invariance,
// grouping by tree id rather than order), a worked example, and the edge cases.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  defaultAdvantageConfig,
  groupNormalize,
  splitByAgent,
  treeAdvantages,
  type AdvantageConfig,
  type TreeNodeReward,
} from '../../src/rl/advantage';
import { assertAllClose, assertClose, rng } from './helpers';

const full: AdvantageConfig = {
  ...defaultAdvantageConfig,
  shaping: { gamma: 0.5, lambda: 0.5 },
  overlong: { maxResponseTokens: 100, bufferTokens: 20, penaltyFactor: 1 },
};

/** A random tree of `size` nodes: node i hangs under the root or under an earlier node. */
function randomTree(u: () => number, treeId: string, size: number, binary: boolean): TreeNodeReward[] {
  return Array.from({ length: size }, (_, i) => ({
    treeId,
    nodeId: i,
    parentId: i === 0 || u() < 0.3 ? null : Math.floor(u() * i),
    agent: u() < 0.5 ? 'qwen' : 'areal',
    score: binary ? (u() < 0.5 ? 1 : 0) : u(),
    responseTokens: Math.floor(u() * 110),
  }));
}

function randomTrees(seed: number, count: number, binary = true): TreeNodeReward[] {
  const u = rng(seed);
  return Array.from({ length: count }, (_, k) => randomTree(u, `problem-${k}`, 2 + Math.floor(u() * 15), binary)).flat();
}

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const u = rng(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(u() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

const key = (n: { treeId: string; nodeId: number }) => `${n.treeId}/${n.nodeId}`;

describe('properties', () => {
  for (const [name, config] of [
    ['raw rewards', defaultAdvantageConfig],
    ['shaping + overlong', full],
  ] as const) {
    test(`${name}: the advantages of every tree sum to zero`, () => {
      for (const binary of [true, false]) {
        const out = treeAdvantages(randomTrees(1, 40, binary), config);
        const sums = new Map<string, number>();
        for (const a of out) sums.set(a.treeId, (sums.get(a.treeId) ?? 0) + a.advantage);
        assert.equal(sums.size, 40);
        for (const [treeId, sum] of sums) assertClose(sum, 0, 1e-12, 0, `sum over ${treeId}`);
      }
    });

    test(`${name}: shifting every reward of a tree by a constant changes nothing`, () => {
      const nodes = randomTrees(2, 30, false);
      const base = treeAdvantages(nodes, config);
      for (const c of [-3, 0.25, 7]) {
        const shifted = treeAdvantages(nodes.map((n) => ({ ...n, score: n.score + c })), config);
        assertAllClose(shifted.map((a) => a.advantage), base.map((a) => a.advantage), 1e-9, 0, `shift ${c}`);
      }
    });

    test(`${name}: scaling every raw reward by a positive constant changes nothing (up to ε)`, () => {
      const nodes = randomTrees(3, 30, false);
      const base = treeAdvantages(nodes, { ...config, overlong: null });
      const scaled = treeAdvantages(nodes.map((n) => ({ ...n, score: 4 * n.score })), { ...config, overlong: null });
      assertAllClose(scaled.map((a) => a.advantage), base.map((a) => a.advantage), 1e-7);
    });

    test(`${name}: trees are grouped by tree id, never by sample order`, () => {
      const nodes = randomTrees(4, 25);
      const byKey = new Map(treeAdvantages(nodes, config).map((a) => [key(a), a.advantage]));
      const mixed = shuffled(nodes, 5);
      const out = treeAdvantages(mixed, config);
      out.forEach((a, i) => {
        assert.equal(key(a), key(mixed[i]), 'output follows input order');
        assertClose(a.advantage, byKey.get(key(a))!, 1e-12, 0, key(a));
      });
    });
  }

  test('each tree is normalised on its own: adding another tree changes nothing', () => {
    const u = rng(6);
    const a = randomTree(u, 'a', 8, true);
    const b = randomTree(u, 'b', 8, true).map((n) => ({ ...n, score: n.score * 100 }));
    const alone = treeAdvantages(a, full).map((x) => x.advantage);
    const together = treeAdvantages([...b, ...a], full).slice(b.length).map((x) => x.advantage);
    assert.deepEqual(together, alone);
  });
});

describe('worked example', () => {
  test('rewards [1, 0, 0, 1]: mean 0.5, unbiased std √(1/3), Â = ±0.5/(√(1/3) + 1e−9)', () => {
    const expected = 0.5 / (Math.sqrt(1 / 3) + 1e-9); // 0.86602540…
    assertAllClose(groupNormalize([1, 0, 0, 1]), [expected, -expected, -expected, expected], 1e-15);
    assertClose(expected, 0.8660254022844386, 1e-15);
  });

  test('the shaped example tree: raw → shaped → penalised → normalised, then split by agent', () => {
    const nodes: TreeNodeReward[] = [
      { treeId: 't', nodeId: 0, parentId: null, agent: 'a', score: 1, responseTokens: 10 },
      { treeId: 't', nodeId: 1, parentId: null, agent: 'b', score: 0, responseTokens: 10 },
      { treeId: 't', nodeId: 2, parentId: 0, agent: 'a', score: 0, responseTokens: 10 },
      { treeId: 't', nodeId: 3, parentId: 0, agent: 'b', score: 1, responseTokens: 90 },
    ];
    const out = treeAdvantages(nodes, full);
    // shaping (γ = λ = 0.5): [1.5, −0.5, −0.5, 1.25]; overlong at 90 tokens of 100 (buffer 20): −0.5
    assert.deepEqual(out.map((a) => a.shapedReward), [1.5, -0.5, -0.5, 1.25]);
    assert.deepEqual(out.map((a) => a.reward), [1.5, -0.5, -0.5, 0.75]);
    // mean 0.3125; deviations [1.1875, −0.8125, −0.8125, 0.4375]; Σd² = 2.921875; std = √(2.921875/3)
    const std = Math.sqrt(2.921875 / 3);
    assertAllClose(
      out.map((a) => a.advantage),
      [1.1875, -0.8125, -0.8125, 0.4375].map((d) => d / (std + 1e-9)),
      1e-15,
    );
    const split = splitByAgent(out);
    assert.deepEqual([...split.keys()], ['a', 'b']);
    assert.deepEqual(split.get('a')!.map((a) => a.nodeId), [0, 2]);
    assert.deepEqual(split.get('b')!.map((a) => a.nodeId), [1, 3]);
  });
});

describe('edge cases', () => {
  test('all-equal rewards give exactly 0, even where the float mean is not exact', () => {
    assert.deepEqual(groupNormalize([0.1, 0.1, 0.1]), [0, 0, 0]);
    assert.deepEqual(groupNormalize([1, 1, 1, 1, 1, 1, 1, 1]), [0, 0, 0, 0, 0, 0, 0, 0]);
    const nodes = [0, 1, 2].map((i) => ({
      treeId: 't',
      nodeId: i,
      parentId: null,
      agent: 'a',
      score: 0.1,
      responseTokens: 5,
    }));
    assert.deepEqual(treeAdvantages(nodes, full).map((a) => a.advantage), [0, 0, 0]);
  });

  test('a single-node tree gets 0', () => {
    const out = treeAdvantages([{ treeId: 't', nodeId: 0, parentId: null, agent: 'a', score: 1, responseTokens: 1 }], full);
    assert.equal(out[0].advantage, 0);
    assert.deepEqual(groupNormalize([]), []);
  });

  test('the ±clip bound applies to the normalised value', () => {
    // one outlier among n: Â = (n − 1)/√n, which exceeds 10 for n = 121
    const rewards = [1, ...new Array<number>(120).fill(0)];
    assertClose(groupNormalize(rewards, 1e-9, 1e9)[0], 120 / Math.sqrt(121), 1e-6);
    assert.equal(groupNormalize(rewards)[0], 10);
  });

  test('the overlong penalty alone can separate nodes with equal scores', () => {
    const nodes = [10, 95].map((tokens, i) => ({
      treeId: 't',
      nodeId: i,
      parentId: null,
      agent: 'a',
      score: 1,
      responseTokens: tokens,
    }));
    const out = treeAdvantages(nodes, { ...defaultAdvantageConfig, overlong: full.overlong });
    assert.ok(out[0].advantage > 0 && out[1].advantage < 0);
  });

  test('a parent in another tree, or a non-finite score, is an error', () => {
    const a = { treeId: 'a', nodeId: 0, parentId: null, agent: 'x', score: 1, responseTokens: 1 };
    const b = { treeId: 'b', nodeId: 1, parentId: 0, agent: 'x', score: 0, responseTokens: 1 };
    assert.throws(() => treeAdvantages([a, b]), /node 1 names parent 0, which is not a node of this tree/);
    assert.throws(() => treeAdvantages([{ ...a, score: Number.NaN }]), /expected finite numbers/);
  });
});

test("groupBy 'tree-agent': each agent's nodes of a tree are one group (zero mean per agent), shaping still over the whole tree", () => {
  // A strong agent (all pass) and a weak one (1 of 3) in one tree: under 'tree' the weak agent's mean
  // advantage is negative; under 'tree-agent' it is 0 and the strong agent's all-equal nodes get 0.
  const tree: TreeNodeReward[] = [
    { treeId: 't', nodeId: 0, parentId: null, agent: 'strong', score: 1, responseTokens: 10 },
    { treeId: 't', nodeId: 1, parentId: null, agent: 'weak', score: 0, responseTokens: 10 },
    { treeId: 't', nodeId: 2, parentId: 1, agent: 'weak', score: 1, responseTokens: 10 },
    { treeId: 't', nodeId: 3, parentId: null, agent: 'strong', score: 1, responseTokens: 10 },
    { treeId: 't', nodeId: 4, parentId: null, agent: 'weak', score: 0, responseTokens: 10 },
  ];
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const weak = (a: ReturnType<typeof treeAdvantages>) => a.filter((n) => n.agent === 'weak').map((n) => n.advantage);
  assert.ok(mean(weak(treeAdvantages(tree))) < -0.1);
  const byAgent = treeAdvantages(tree, { ...defaultAdvantageConfig, groupBy: 'tree-agent' });
  assertAllClose(weak(byAgent), groupNormalize([0, 1, 0]));
  assert.deepEqual(byAgent.filter((n) => n.agent === 'strong').map((n) => n.advantage), [0, 0]);
  // With shaping on, the rewards are the whole tree's shaped ones, normalised per agent.
  const shaped = treeAdvantages(tree, { ...full, groupBy: 'tree-agent' });
  const whole = treeAdvantages(tree, full);
  assert.deepEqual(shaped.map((n) => n.reward), whole.map((n) => n.reward));
  for (const agent of ['weak', 'strong']) {
    const mine = shaped.filter((n) => n.agent === agent);
    assertAllClose(mine.map((n) => n.advantage), groupNormalize(mine.map((n) => n.reward)));
  }
});
