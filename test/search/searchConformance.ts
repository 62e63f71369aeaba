// The conformance suite every search variant runs (STYLE 5): purity, determinism, JSON round trips,
// the bookkeeping invariants of research/treequest.md §4.5, input checks, and that the agent bandit
// prefers an agent that always passes. Variants are listed in variants.test.ts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AbMctsA } from '../../src/search/abmcts';
import type { SearchConfig } from '../../src/search/config';
import { Rng } from '../../src/search/rng';
import { registerPending, ROOT, statsOf, type SearchState } from '../../src/search/tree';

type Scorer = (parent: number, agent: number, env: Rng) => number;

/** Mixed bernoulli/fractional scores that depend on the agent and on the parent. */
const mixedScores: Scorer = (parent, agent, env) => {
  const u = env.uniform();
  if (agent % 2 === 0) return u < (parent === ROOT ? 0.3 : 0.6) ? 1 : 0;
  return Math.round(u * 100) / 100;
};

export function grow(search: AbMctsA, steps: number, seed: number, scorer = mixedScores, start?: SearchState) {
  const rng = Rng.seeded(seed, 'search');
  const env = Rng.seeded(seed, 'env');
  let state = start ?? search.init();
  for (let i = 0; i < steps; i++) {
    const { parent, agent } = search.select(state, rng);
    state = search.register(state, parent, agent, scorer(parent, agent, env));
  }
  return { state, rng, env };
}

function subtree(state: SearchState, id: number): number[] {
  const out = [id];
  for (const c of state.nodes[id].stats.children) out.push(...subtree(state, c));
  return out;
}

function descendants(state: SearchState, id: number): number[] {
  return statsOf(state, id).children.flatMap((c) => subtree(state, c));
}

const sumN = (os: Array<{ n: number }>) => os.reduce((s, o) => s + o.n, 0);
const near = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));

export function searchConformance(label: string, config: SearchConfig): void {
  describe(`search conformance: ${label}`, () => {
    const search = new AbMctsA(config);
    const agents = search.config.agents.length;

    test('the first selection expands the root with a valid agent', () => {
      const sel = search.select(search.init(), Rng.seeded(1));
      assert.equal(sel.parent, ROOT);
      assert.ok(Number.isInteger(sel.agent) && sel.agent >= 0 && sel.agent < agents);
    });

    test('select and register leave their input state unchanged', () => {
      let state = search.init();
      const rng = Rng.seeded(2);
      for (let i = 0; i < 20; i++) {
        const before = JSON.stringify(state);
        const { parent, agent } = search.select(state, rng);
        assert.equal(JSON.stringify(state), before, 'select modified the state');
        const next = search.register(state, parent, agent, (i % 3) / 2);
        assert.equal(JSON.stringify(state), before, 'register modified its input');
        state = next;
      }
    });

    test('the same seeds build the same tree; other seeds build other trees', () => {
      const a = grow(search, 30, 11).state;
      const b = grow(search, 30, 11).state;
      assert.deepEqual(b, a);
      const trees = new Set([11, 12, 13, 14].map((s) => JSON.stringify(search.tree(grow(search, 30, s).state))));
      assert.ok(trees.size > 1, 'four seeds gave one tree');
    });

    test('selectBatch: k = 1 is select; k > 1 is k selects, each on the state with the earlier picks in flight', () => {
      const virtual = search.config.inFlight === 'virtual-loss';
      for (const steps of [0, 1, 5, 17]) {
        const { state, rng } = grow(search, steps, 31);
        const before = JSON.stringify(state);
        const one = rng.clone();
        assert.deepEqual(search.selectBatch(state, rng.clone(), 1), [search.select(state, one)], `k = 1 after ${steps} nodes`);
        const seq = rng.clone();
        // 'ignore' (TreeQuest ask_batch): the unchanged state; 'virtual-loss': earlier picks pending.
        let view = state;
        const expected = Array.from({ length: 6 }, () => {
          const pick = search.select(view, seq);
          if (virtual) view = registerPending(search.config, view, pick.parent, pick.agent);
          return pick;
        });
        const batchRng = rng.clone();
        const batch = search.selectBatch(state, batchRng, 6);
        assert.deepEqual(batch, expected, `k = 6 after ${steps} nodes`);
        assert.deepEqual(batchRng.state(), seq.state(), 'the batch makes the same draws as k selects');
        assert.deepEqual(search.selectBatch(state, rng.clone(), 6), batch, 'same state and Rng, same batch');
        assert.equal(JSON.stringify(state), before, 'selectBatch modified the state');
        for (const { parent } of batch) assert.ok(parent >= ROOT && parent < state.nodes.length, 'a parent is a registered node');
      }
      assert.throws(() => search.selectBatch(search.init(), Rng.seeded(1), 0), /k must be a positive integer .* got 0/);
    });

    test('a batched tree: batches registered in selection order grow exactly the budget, deterministically', () => {
      const wide = (seed: number) => {
        const rng = Rng.seeded(seed, 'search');
        const env = Rng.seeded(seed, 'env');
        let state = search.init();
        for (let first = 0; first < 30; first += 4) {
          for (const { parent, agent } of search.selectBatch(state, rng, Math.min(4, 30 - first))) {
            state = search.register(state, parent, agent, mixedScores(parent, agent, env));
          }
        }
        return state;
      };
      const a = wide(41);
      assert.equal(a.nodes.length, 30);
      assert.deepEqual(wide(41), a);
      const fromRoot = (s: SearchState) => s.nodes.slice(0, 4).every((n) => n.parent === ROOT);
      assert.ok(fromRoot(a), 'the first batch, selected from the empty tree, expands the root four times');
      const picks = new Set(search.selectBatch(a, Rng.seeded(42), 16).map((p) => `${p.parent}/${p.agent}`));
      assert.ok(picks.size > 1, 'a batch on a grown tree follows different Thompson draws, not one pair');
    });

    test('a state and Rng that went through JSON continue exactly as the live ones', () => {
      const half = grow(search, 12, 21);
      const state = JSON.parse(JSON.stringify(half.state)) as SearchState;
      const rng = Rng.fromState(JSON.parse(JSON.stringify(half.rng.state())));
      let live = half.state;
      let copy = state;
      for (let i = 0; i < 12; i++) {
        const s1 = search.select(live, half.rng);
        const s2 = search.select(copy, rng);
        assert.deepEqual(s2, s1);
        const score = half.env.uniform();
        live = search.register(live, s1.parent, s1.agent, score);
        copy = search.register(copy, s2.parent, s2.agent, score);
      }
      assert.deepEqual(copy, live);
    });

    test('statistics match the tree (back-propagation invariants)', () => {
      const { state } = grow(search, 40, 31);
      const tree = search.tree(state);
      assert.equal(tree.parent.length, 40);
      for (let a = 0; a < agents; a++) {
        const mine = tree.agent.flatMap((x, i) => (x === a ? [tree.score[i]] : []));
        assert.equal(state.agentTotals[a].n, mine.length, `agent ${a} count`);
        assert.ok(near(state.agentTotals[a].sum, mine.reduce((s, x) => s + x, 0)), `agent ${a} sum`);
      }
      for (let id = ROOT; id < state.nodes.length; id++) {
        const s = statsOf(state, id);
        const desc = descendants(state, id);
        assert.equal(sumN(s.gen), s.children.length, `node ${id}: GEN sees each direct child once`);
        assert.equal(sumN(s.cont), desc.length - s.children.length, `node ${id}: CONT sees grandchildren and deeper`);
        if (search.config.agentSelection === 'stack') assert.equal(sumN(s.agentObs), desc.length, `node ${id}: agent posteriors`);
        s.children.forEach((c, j) => {
          const sub = subtree(state, c);
          assert.equal(state.nodes[c].parent, id);
          assert.equal(state.nodes[c].childIndex, j);
          assert.equal(state.nodes[c].depth, (id === ROOT ? 0 : state.nodes[id].depth) + 1);
          assert.equal(s.childObs[j].n, sub.length, `node ${id} child ${c}: subtree size`);
          const total = sub.reduce((t, k) => t + state.nodes[k].score, 0);
          assert.ok(near(s.childObs[j].sum, total), `node ${id} child ${c}: subtree score sum`);
        });
        const direct = s.children.reduce((t, c) => t + state.nodes[c].score, 0);
        const genSum = s.gen.reduce((t, o) => t + o.sum, 0);
        if (search.config.depthGamma) assert.ok(genSum <= direct + 1e-9, `node ${id}: weighted GEN ≤ raw`);
        else assert.ok(near(genSum, direct), `node ${id}: GEN sum = children's scores`);
      }
    });

    test('register rejects a bad parent, agent or score, saying what it expected', () => {
      const { state } = grow(search, 3, 41);
      assert.throws(() => search.register(state, 3, 0, 0.5), /existing node id 0\.\.2, got 3/);
      assert.throws(() => search.register(state, -2, 0, 0.5), /parent/);
      assert.throws(() => search.register(state, ROOT, agents, 0.5), /agent must be an index/);
      assert.throws(() => search.register(state, ROOT, 0, 1.5), /\[0, 1\]/);
      assert.throws(() => search.register(state, ROOT, 0, Number.NaN), /\[0, 1\]/);
    });

    if (agents > 1) {
      test('an agent that always passes gets most of the nodes', () => {
        const { state } = grow(search, 60, 51, (_p, agent) => (agent === 0 ? 1 : 0));
        const share = state.agentTotals[0].n / 60;
        assert.ok(share > 0.6, `agent 0 made ${(share * 100).toFixed(0)}% of the nodes`);
      });
    }
  });
}
