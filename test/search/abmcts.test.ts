// Per-variant details the shared suite cannot state: which draws each strategy makes and in what
// order, tie rules, UCB's order of untried agents, reward-average priors, T+ depth weighting, and
// config validation.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AbMctsA } from '../../src/search/abmcts';
import type { SearchConfig } from '../../src/search/config';
import type { Draw, Sampler } from '../../src/search/posterior';
import { Rng } from '../../src/search/rng';
import { registerPending, ROOT } from '../../src/search/tree';

/** A sampler that logs each draw and answers with `value(draw)`. */
function scripted(value: (d: Draw) => number) {
  const log: Draw[] = [];
  const sampler: Sampler = (d) => {
    log.push(d);
    return value(d);
  };
  return { log, sampler };
}

const brief = (d: Draw) => [d.role, d.node, d.child, d.agent].filter((x) => x !== undefined).join(' ');
const rng = Rng.seeded('abmcts');

describe('draws made for the first node', () => {
  const cases: Array<[string, SearchConfig, string[]]> = [
    ['thompson, one agent: GEN and CONT at the empty root, no agent draw', { agents: ['A'] }, ['GEN -1', 'CONT -1']],
    [
      'thompson, two agents: then one ACTION draw per agent in order',
      { agents: ['A', 'B'] },
      ['GEN -1', 'CONT -1', 'ACTION 0', 'ACTION 1'],
    ],
    ['ucb: no agent draws', { agents: ['A', 'B'], agentSelection: 'ucb' }, ['GEN -1', 'CONT -1']],
    [
      'stack, one agent: NODE_ACTION is drawn anyway, then GEN/CONT of that agent',
      { agents: ['A'], agentSelection: 'stack' },
      ['NODE_ACTION -1 0', 'GEN -1 0', 'CONT -1 0'],
    ],
    [
      'agent-first: the agent draws only (no GEN/CONT at a childless node)',
      { agents: ['A', 'B'], agentSelection: 'agent-first' },
      ['ACTION 0', 'ACTION 1'],
    ],
  ];
  for (const [name, config, want] of cases) {
    test(name, () => {
      const search = new AbMctsA(config);
      const { log, sampler } = scripted(() => 0.5);
      search.select(search.init(), rng, sampler);
      assert.deepEqual(log.map(brief), want);
    });
  }
});

describe('tie rules (TreeQuest: strict >, first wins)', () => {
  test('GEN = CONT → GEN; equal agents → the first; always the root, agent 0', () => {
    const search = new AbMctsA({ agents: ['A', 'B'] });
    let state = search.init();
    const { sampler } = scripted(() => 0.25);
    for (let i = 0; i < 5; i++) {
      const sel = search.select(state, rng, sampler);
      assert.deepEqual(sel, { parent: ROOT, agent: 0 });
      state = search.register(state, sel.parent, sel.agent, 1);
    }
  });

  test('CONT wins; equal children → the oldest child, then its leaf is expanded', () => {
    const search = new AbMctsA({ agents: ['A'] });
    let state = search.init();
    for (let i = 0; i < 3; i++) state = search.register(state, ROOT, 0, 0.5);
    const { log, sampler } = scripted((d) => (d.role === 'CONT' ? 1 : 0));
    assert.deepEqual(search.select(state, rng, sampler), { parent: 0, agent: 0 });
    assert.deepEqual(log.map(brief), ['GEN -1', 'CONT -1', 'CHILD -1 0', 'CHILD -1 1', 'CHILD -1 2', 'GEN 0', 'CONT 0']);
  });

  test('stack descends only into children made by the chosen agent', () => {
    const search = new AbMctsA({ agents: ['A', 'B'], agentSelection: 'stack' });
    let state = search.init();
    state = search.register(state, ROOT, 0, 0.5); // node 0 by A
    state = search.register(state, ROOT, 1, 0.5); // node 1 by B
    const { log, sampler } = scripted((d) => (d.role === 'CONT' ? 1 : d.role === 'NODE_ACTION' ? d.agent! : 0));
    assert.deepEqual(search.select(state, rng, sampler), { parent: 1, agent: 1 });
    assert.deepEqual(log.slice(0, 5).map(brief), ['NODE_ACTION -1 0', 'NODE_ACTION -1 1', 'GEN -1 1', 'CONT -1 1', 'CHILD -1 1']);
  });
});

test('ucb tries each agent once, in order, then follows mean + √2·√(ln N / n)', () => {
  const search = new AbMctsA({ agents: ['A', 'B', 'C'], agentSelection: 'ucb' });
  const { sampler } = scripted((d) => (d.role === 'GEN' ? 1 : 0)); // always widen at the root
  let state = search.init();
  const chosen: number[] = [];
  const scoreOf = [0, 1, 0];
  for (let i = 0; i < 5; i++) {
    const sel = search.select(state, rng, sampler);
    chosen.push(sel.agent);
    state = search.register(state, sel.parent, sel.agent, scoreOf[sel.agent]);
  }
  // After A, B, C once each (N = 3): B has 1 + √2·√(ln 3) > A, C; after B twice, B's bonus still wins.
  assert.deepEqual(chosen, [0, 1, 2, 1, 1]);
});

test('rewardAveragePriors shift only the agent posteriors (gaussian m; beta (r, 1 − r))', () => {
  const g = new AbMctsA({ agents: ['A', 'B'], rewardAveragePriors: { A: 0.7 } });
  const { log, sampler } = scripted(() => 0);
  g.select(g.init(), rng, sampler);
  const params = Object.fromEntries(log.map((d) => [brief(d), d.params]));
  assert.equal((params['GEN -1'] as { m: number }).m, 0);
  assert.equal((params['ACTION 0'] as { m: number }).m, 0.7);
  assert.equal((params['ACTION 1'] as { m: number }).m, 0);

  const b = new AbMctsA({ agents: ['A', 'B'], dist: 'beta', rewardAveragePriors: 0.25 });
  const rec = scripted(() => 0);
  b.select(b.init(), rng, rec.sampler);
  assert.deepEqual(rec.log.map((d) => d.params), [
    { dist: 'beta', a: 0.5, b: 0.5 },
    { dist: 'beta', a: 0.5, b: 0.5 },
    { dist: 'beta', a: 0.25, b: 0.75 },
    { dist: 'beta', a: 0.25, b: 0.75 },
  ]);
});

test('T+ depth weighting: GEN at depth d observes γ(d)^c · score, c = earlier expansions at d', () => {
  const search = new AbMctsA({ agents: ['A'], dist: 'beta', depthGamma: [0.5, 0.8] });
  let state = search.init();
  for (let i = 0; i < 3; i++) state = search.register(state, ROOT, 0, 1);
  assert.equal(state.root.gen[0].sum, 1 + 0.5 + 0.25);
  state = search.register(state, 0, 0, 1); // depth 1, c = 0
  state = search.register(state, 1, 0, 1); // depth 1, c = 1, another parent: c counts per depth
  state = search.register(state, 3, 0, 1); // depth 2, γ = 0.8 (the last value repeats), c = 0
  assert.equal(state.nodes[0].stats.gen[0].sum, 1);
  assert.equal(state.nodes[1].stats.gen[0].sum, 0.8);
  assert.equal(state.nodes[3].stats.gen[0].sum, 1);
  assert.deepEqual(state.expansionsAtDepth, [3, 2, 1]);
  // Children and CONT see the raw score.
  assert.equal(state.root.childObs[0].sum, 3);
  assert.equal(state.root.cont[0].sum, 3);
});

describe('config validation names the field', () => {
  const bad: Array<[string, unknown, RegExp]> = [
    ['unknown key', { agents: ['A'], distType: 'beta' }, /distType/],
    ['no agents', { agents: [] }, /agents/],
    ['duplicate agents', { agents: ['A', 'A'] }, /unique/],
    ['prior field of the other dist', { agents: ['A'], dist: 'beta', prior: { m: 0 } }, /'m' is not a beta prior field/],
    ['non-positive kappa', { agents: ['A'], prior: { kappa: 0 } }, /kappa/],
    ['beta reward prior outside (0, 1)', { agents: ['A'], dist: 'beta', rewardAveragePriors: 1 }, /\(0, 1\)/],
    ['reward prior for an unknown agent', { agents: ['A'], rewardAveragePriors: { B: 0.5 } }, /no agent named 'B'/],
    ['gamma above 1', { agents: ['A'], depthGamma: [1.2] }, /depthGamma/],
    ['unknown strategy', { agents: ['A'], agentSelection: 'greedy' }, /agentSelection/],
  ];
  for (const [name, config, message] of bad) {
    test(name, () => {
      assert.throws(() => new AbMctsA(config as SearchConfig), message);
    });
  }

  test('a partial prior is completed from the defaults', () => {
    assert.deepEqual(new AbMctsA({ agents: ['A'], prior: { tauSquare: 0.2 } }).config.prior, {
      dist: 'gaussian',
      m: 0,
      kappa: 1,
      nu: 1,
      tauSquare: 0.2,
    });
  });
});

describe("selectBatch's in-flight modes", () => {
  /** A tree of 12 nodes where node 0 (agent 0, root child) scores 1 and every other node 0. */
  const grown = (search: AbMctsA, seed: number) => {
    const r = Rng.seeded(seed, 'grow');
    let state = search.init();
    for (let i = 0; i < 12; i++) {
      const { parent, agent } = search.select(state, r);
      state = search.register(state, parent, agent, i === 0 || parent === 0 ? 1 : 0);
    }
    return state;
  };
  const distinct = (inFlight: 'ignore' | 'virtual-loss') => {
    const search = new AbMctsA({ agents: ['A', 'B'], inFlight });
    let total = 0;
    for (let seed = 0; seed < 40; seed++) {
      const batch = search.selectBatch(grown(search, seed), Rng.seeded(seed, 'batch'), 8);
      total += new Set(batch.map((p) => `${p.parent}/${p.agent}`)).size;
    }
    return total / 40;
  };

  test('virtual loss spreads a batch over more (parent, agent) pairs than TreeQuest’s ask_batch', () => {
    const ignore = distinct('ignore');
    const loss = distinct('virtual-loss');
    assert.ok(loss > ignore, `mean distinct pairs in a batch of 8: virtual loss ${loss}, ignore ${ignore}`);
  });

  test('a pending expansion counts as a 0 on its path and adds no node; its input is unchanged', () => {
    const search = new AbMctsA({ agents: ['A', 'B'], inFlight: 'virtual-loss' });
    let state = search.register(search.init(), ROOT, 0, 1);
    state = search.register(state, 0, 1, 1);
    const before = JSON.stringify(state);
    const pending = registerPending(search.config, state, 0, 1);
    assert.equal(JSON.stringify(state), before);
    assert.equal(pending.nodes.length, 2, 'no node: a pending expansion is never a parent');
    assert.deepEqual(pending.nodes[0].stats.children, [1]);
    assert.deepEqual(pending.nodes[0].stats.gen[0], { n: 2, sum: 1, m2: 0.5 }, 'GEN at the parent saw 1, then the pending 0');
    assert.deepEqual(pending.root.childObs[0], { n: 3, sum: 2, m2: 2 / 3 }, 'the root’s child posterior of node 0 saw 1, 1, 0');
    assert.deepEqual(pending.agentTotals[1], { n: 2, sum: 1, m2: 0.5 }, 'agent B’s posterior saw 1, then the pending 0');
  });

  test("k = 1 is select in both modes; inFlight defaults to 'ignore'", () => {
    assert.equal(new AbMctsA({ agents: ['A'] }).config.inFlight, 'ignore');
    for (const inFlight of ['ignore', 'virtual-loss'] as const) {
      const search = new AbMctsA({ agents: ['A', 'B'], inFlight });
      const state = grown(search, 3);
      assert.deepEqual(search.selectBatch(state, Rng.seeded(9), 1), [search.select(state, Rng.seeded(9))]);
    }
  });
});
