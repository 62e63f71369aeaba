// Evaluation metrics and the unbiased pass@k estimator (src/rl/metrics.ts): worked examples by hand,
// tie rules, per-agent views, and pass@k against exact big-integer binomials.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluationSummary, hackCounts, hackFigures, headlineHack, meanMetrics, passAtK, treeMetrics, type EvalNode, type TestTally } from '../../src/rl/metrics';
import { assertClose } from './helpers';

const node = (agent: string, publicScore: number, privateScore: number): EvalNode => ({ agent, publicScore, privateScore });
/** Hack figures of nodes without test tallies: nothing checked. */
const none = { hacked: 0, checked: 0, rate: null };

describe('tree metrics', () => {
  test('worked example', () => {
    const tree = [node('a', 0, 0), node('b', 1, 0), node('a', 1, 1), node('b', 0.5, 1)];
    // Pass@1: first node → 0. Pass@1(MCTS): best public 1 at nodes 1 and 2, earliest is 1 → private 0.
    // Pass@N: some node passes privately → 1. avg_pass1: nodes 1, 2 pass all public → mean(0, 1) = 0.5.
    assert.deepEqual(treeMetrics(tree), { pass1: 0, pass1Mcts: 0, passN: 1, avgPass1: 0.5, hack: none });
    // MARTI's lexsort picks the latest of the tied nodes: node 2 → private 1
    assert.equal(treeMetrics(tree, { tieBreak: 'latest', publicPassScore: 1 }).pass1Mcts, 1);
  });

  test('avg_pass1 falls back to Pass@1(MCTS) when no node passed all public tests', () => {
    const tree = [node('a', 0.2, 0), node('a', 0.8, 1), node('a', 0.8, 0)];
    assert.deepEqual(treeMetrics(tree), { pass1: 0, pass1Mcts: 1, passN: 1, avgPass1: 1, hack: none });
  });

  test('a single-node tree: all four agree (MARTI eval_max_num_nodes = 1)', () => {
    assert.deepEqual(treeMetrics([node('a', 1, 1)]), { pass1: 1, pass1Mcts: 1, passN: 1, avgPass1: 1, hack: none });
    assert.deepEqual(treeMetrics([node('a', 0, 0)]), { pass1: 0, pass1Mcts: 0, passN: 0, avgPass1: 0, hack: none });
  });

  test('an empty tree is an error', () => {
    assert.throws(() => treeMetrics([]), /at least one node/);
  });
});

describe('per agent and per system', () => {
  test('system uses all nodes; each agent only its own, skipping trees it has no node in', () => {
    const trees = [
      [node('a', 0, 0), node('b', 1, 1)],
      [node('a', 1, 1), node('a', 1, 0)],
      [node('b', 0, 0)],
    ];
    const { system, agents } = evaluationSummary(trees);
    // per tree (pass1, pass1Mcts, passN, avgPass1): [0, 1, 1, 1], [1, 1, 1, 0.5], [0, 0, 0, 0]
    assert.equal(system.trees, 3);
    assertClose(system.pass1, 1 / 3);
    assertClose(system.pass1Mcts, 2 / 3);
    assertClose(system.passN, 2 / 3);
    assertClose(system.avgPass1, 0.5);
    assert.deepEqual([...agents.keys()], ['a', 'b']);
    // a: trees 1 and 2 → [0, 0, 0, 0] and [1, 1, 1, 0.5]
    assert.deepEqual(agents.get('a'), { trees: 2, pass1: 0.5, pass1Mcts: 0.5, passN: 0.5, avgPass1: 0.25, hack: none });
    // b: trees 1 and 3 → [1, 1, 1, 1] and [0, 0, 0, 0]
    assert.deepEqual(agents.get('b'), { trees: 2, pass1: 0.5, pass1Mcts: 0.5, passN: 0.5, avgPass1: 0.5, hack: none });
  });

  test('mean over no trees is zero with a count of zero', () => {
    assert.deepEqual(meanMetrics([]), { trees: 0, pass1: 0, pass1Mcts: 0, passN: 0, avgPass1: 0, hack: none });
  });
});

/** C(n − c, k)/C(n, k) exactly, as a float, from big integers. */
function exactMiss(n: number, c: number, k: number): number {
  const choose = (a: number, b: number): bigint => {
    if (b < 0 || b > a) return 0n;
    let r = 1n;
    for (let i = 1; i <= b; i++) r = (r * BigInt(a - b + i)) / BigInt(i);
    return r;
  };
  const num = choose(n - c, k);
  const den = choose(n, k);
  const scale = 10n ** 30n;
  return Number((num * scale) / den) / 1e30;
}

describe('hack rate', () => {
  const t = (passed: number, total: number): TestTally => ({ passed, total });

  test('hacked: every public test passed and some private test did not, of the nodes that ran both', () => {
    const nodes = [
      { publicTests: t(2, 2), privateTests: t(1, 3) }, // hacked
      { publicTests: t(2, 2), privateTests: t(3, 3) }, // honest pass
      { publicTests: t(1, 2), privateTests: t(0, 3) }, // fails what it saw: not a hack
      { publicTests: t(1, 1), privateTests: t(0, 1) }, // hacked
      { publicTests: t(1, 1) }, // no private result: not checked
      { privateTests: t(0, 1) }, // no public tests (HumanEval): not checked
      { publicTests: t(0, 0), privateTests: t(0, 1) }, // no public test ran: not checked
      {},
    ];
    assert.deepEqual(hackCounts(nodes), { hacked: 2, checked: 4 });
    assert.deepEqual(hackFigures([hackCounts(nodes)]), { hacked: 2, checked: 4, rate: 0.5 });
  });

  test('pooled over trees, not a mean of their rates; null when nothing was checked', () => {
    assert.deepEqual(hackFigures([{ hacked: 1, checked: 1 }, { hacked: 0, checked: 3 }]), { hacked: 1, checked: 4, rate: 0.25 });
    assert.deepEqual(hackFigures([]), { hacked: 0, checked: 0, rate: null });
    assert.deepEqual(hackFigures([{ hacked: 0, checked: 0 }]), { hacked: 0, checked: 0, rate: null });
  });

  test('bounds: 0 ≤ hacked ≤ checked ≤ nodes; all public failing gives 0; passing public and failing private everywhere gives 1', () => {
    let seed = 5;
    const next = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let trial = 0; trial < 200; trial++) {
      const nodes = Array.from({ length: 1 + Math.floor(next() * 8) }, () => {
        const total = Math.floor(next() * 3);
        return { publicTests: t(Math.floor(next() * (total + 1)), total), privateTests: t(Math.floor(next() * 3), 2) };
      });
      const c = hackCounts(nodes);
      assert.ok(c.hacked >= 0 && c.hacked <= c.checked && c.checked <= nodes.length);
      assert.equal(hackCounts(nodes.map((n) => ({ ...n, publicTests: t(0, 1) }))).hacked, 0);
      assert.deepEqual(hackCounts(nodes.map(() => ({ publicTests: t(1, 1), privateTests: t(0, 1) }))), { hacked: nodes.length, checked: nodes.length });
    }
  });

  test('evaluation figures: per tree, pooled per agent and per system; the headline follows the headline Pass@1', () => {
    const n = (agent: string, pub: TestTally, priv: TestTally): EvalNode => ({
      agent,
      publicScore: pub.passed === pub.total ? 1 : 0,
      privateScore: priv.passed === priv.total ? 1 : 0,
      publicTests: pub,
      privateTests: priv,
    });
    const trees = [
      [n('a', t(1, 1), t(0, 2)), n('b', t(1, 1), t(2, 2))],
      [n('a', t(0, 1), t(0, 2)), n('a', t(1, 1), t(1, 2)), n('b', t(1, 1), t(0, 2))],
    ];
    assert.deepEqual(treeMetrics(trees[0]).hack, { hacked: 1, checked: 2, rate: 0.5 });
    const { system, agents } = evaluationSummary(trees);
    assert.deepEqual(system.hack, { hacked: 3, checked: 5, rate: 0.6 });
    assert.deepEqual(agents.get('a')!.hack, { hacked: 2, checked: 3, rate: 2 / 3 });
    assert.deepEqual(agents.get('b')!.hack, { hacked: 1, checked: 2, rate: 0.5 });
    const summaries = Object.fromEntries(agents);
    assert.deepEqual(headlineHack({ agent: summaries }), { hacked: 3, checked: 5, rate: 0.6 });
    assert.deepEqual(headlineHack({ agent: summaries, system: { system: { ...system, hack: { hacked: 0, checked: 1, rate: 0 } } } }), { hacked: 0, checked: 1, rate: 0 });
    assert.equal(headlineHack({}), null);
  });
});

describe('pass@k', () => {
  test('worked example: n = 5, c = 2, k = 2 → 1 − C(3,2)/C(5,2) = 0.7', () => {
    // product form: 1 − (1 − 2/4)(1 − 2/5) = 1 − 0.5·0.6
    assertClose(passAtK(5, 2, 2), 0.7, 1e-15);
  });

  test('pass@1 = c/n; c = 0 → 0; n − c < k → 1', () => {
    assertClose(passAtK(10, 3, 1), 0.3, 1e-15);
    assert.equal(passAtK(10, 0, 5), 0);
    assert.equal(passAtK(10, 8, 3), 1);
    assert.equal(passAtK(1, 1, 1), 1);
  });

  test('matches exact binomials, including large n where the binomials overflow float64', () => {
    for (const [n, c, k] of [
      [20, 5, 10],
      [200, 17, 50],
      [1000, 10, 100],
      [2000, 3, 1000],
      [5000, 250, 64],
    ]) {
      assertClose(passAtK(n, c, k), 1 - exactMiss(n, c, k), 1e-12, 0, `pass@${k} n=${n} c=${c}`);
    }
  });

  test('non-integer or out-of-range arguments are errors', () => {
    assert.throws(() => passAtK(5, 6, 1), /0 <= c <= n/);
    assert.throws(() => passAtK(5, 1, 6), /1 <= k <= n/);
    assert.throws(() => passAtK(5, 1.5, 1), /integers/);
  });
});
