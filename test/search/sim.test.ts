// The search-sim environment  and the simulation loop.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AbMctsA } from '../../src/search/abmcts';
import { simScore, simSearchConfig, simulate, simulateTree, summarize, type SimConfig } from '../../src/search/sim';

const agent = { name: 'A', p_root: 0.3, p_refine_given_parent_pass: 0.8, p_refine_given_parent_fail: 0.1 };
const base: SimConfig = { seed: 5, steps: 12, trials: 20, dist_type: 'beta', mode: 'bernoulli', agents: [agent] };

describe('environment scores', () => {
  test('bernoulli: 1 if U < p; p from root / parent passed / parent failed', () => {
    assert.equal(simScore(base, agent, null, 0.29), 1);
    assert.equal(simScore(base, agent, null, 0.3), 0);
    assert.equal(simScore(base, agent, 1, 0.79), 1); // parent passed (≥ 1.0) → 0.8
    assert.equal(simScore(base, agent, 0, 0.11), 0); // parent failed → 0.1
  });

  test('fractional: lo + (hi − lo)·U with lo = max(0, 2p − 1), hi = min(1, 2p); threshold 0.5 by default', () => {
    const frac: SimConfig = { ...base, mode: 'fractional' };
    assert.equal(simScore(frac, agent, null, 0.5), 0.3); // p 0.3: [0, 0.6]
    assert.ok(Math.abs(simScore(frac, agent, 0.5, 0.5) - 0.8) < 1e-12); // passed: p 0.8, [0.6, 1]
    assert.equal(simScore(frac, agent, 0.49, 1 - 2 ** -53), 0.2 * (1 - 2 ** -53)); // failed: p 0.1, [0, 0.2]
    assert.equal(simScore({ ...frac, pass_threshold: 0.9 }, agent, 0.8, 0), 0); // 0.8 < 0.9: failed
  });
});

describe('simulate', () => {
  test('trials × steps nodes, parents earlier in creation order, valid agents and scores', () => {
    const c: SimConfig = { ...base, agents: [agent, { ...agent, name: 'B' }] };
    const trees = [...simulate(c)];
    assert.equal(trees.length, 20);
    for (const t of trees) {
      assert.equal(t.parent.length, 12);
      t.parent.forEach((p, i) => assert.ok(p >= -1 && p < i));
      assert.ok(t.agent.every((a) => a === 0 || a === 1));
      assert.ok(t.score.every((s) => s === 0 || s === 1));
    }
  });

  test('deterministic; each tree can be rebuilt alone; the seed matters', () => {
    const a = [...simulate(base)];
    assert.deepEqual([...simulate(base)], a);
    const search = new AbMctsA(simSearchConfig(base));
    assert.deepEqual(simulateTree(search, base, 7), a[7]);
    assert.notDeepEqual([...simulate({ ...base, seed: 6 })], a);
  });

  test('certain agents give certain scores', () => {
    const sure = { name: 'S', p_root: 1, p_refine_given_parent_pass: 1, p_refine_given_parent_fail: 1 };
    const never = { name: 'N', p_root: 0, p_refine_given_parent_pass: 0, p_refine_given_parent_fail: 0 };
    assert.ok([...simulate({ ...base, agents: [sure] })].every((t) => t.score.every((s) => s === 1)));
    assert.ok([...simulate({ ...base, agents: [never] })].every((t) => t.score.every((s) => s === 0)));
  });

  test('strategy names: TreeQuest\'s and ours; TreeQuest prior keys', () => {
    assert.equal(simSearchConfig({ ...base, model_selection_strategy: 'multiarm_bandit_ucb' }).agentSelection, 'ucb');
    assert.equal(simSearchConfig({ ...base, model_selection_strategy: 'agent-first' }).agentSelection, 'agent-first');
    assert.equal(simSearchConfig(base).agentSelection, 'thompson');
    assert.deepEqual(simSearchConfig({ ...base, dist_type: 'gaussian', prior: { tau_square: 0.2, m: 0.1 } }).prior, {
      m: 0.1,
      tauSquare: 0.2,
    });
  });

  test('a bad config is rejected naming the field', () => {
    assert.throws(() => [...simulate({ ...base, agents: [{ ...agent, p_root: 2 }] })], /p_root/);
    assert.throws(() => [...simulate({ ...base, steps: 0 })], /steps/);
  });
});

test('summarize', () => {
  const trees = [
    { parent: [-1, 0, 1], agent: [0, 1, 0], score: [0, 0, 1] },
    { parent: [-1, -1, -1], agent: [1, 1, 1], score: [0, 0, 0] },
  ];
  const c: SimConfig = { ...base, agents: [agent, { ...agent, name: 'B' }] };
  assert.deepEqual(summarize(c, trees), {
    trees: 2,
    solved: 0.5,
    meanBest: 0.5,
    agentShare: [2 / 6, 4 / 6],
    refinements: 2 / 6,
    meanMaxDepth: 2,
  });
});
