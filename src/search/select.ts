// Selection: which node to expand next, and with which agent. 'thompson', 'ucb' and 'stack' are
// TreeQuest 0.3.3's multiarm_bandit_thompson, multiarm_bandit_ucb and stack, with the same draws in
// the same order and the same ties (research/treequest.md §4.1–§4.4):
//
//   walk       X := root; loop: r := SELECT_NEXT(X); an agent → expand X with it; a child → X := it.
//              A childless node (the empty root, a leaf) always yields an agent, but its GEN/CONT
//              draws are still made.
//   SELECT_NEXT, thompson | ucb:
//              g := GEN_X draw, c := CONT_X draw (this order); CONT wins only if c > g (tie → GEN).
//              GEN, or X has no children → BEST_AGENT. CONT → draw every child posterior in
//              creation order, take the first maximum.
//   BEST_AGENT one agent: it, with no draw. thompson: per agent in order, a draw from prior (with
//              rewardAveragePriors) + every score the agent produced in the tree; first maximum.
//              ucb: +∞ for an agent with no score, else mean + √2·√(ln N / n_a); first maximum.
//   SELECT_NEXT, stack:
//              a := first max of NODE_ACTION draws of X's per-agent posteriors (drawn even for one
//              agent); g, c := GEN_{X,a}, CONT_{X,a} draws; GEN or no child of X made by a → a;
//              CONT → the first max of the CHILD draws over X's children made by a.
//
// 'agent-first' is the P2 §4.1 order (agent, then node), which TreeQuest does not have:
//   1. a := BEST_AGENT (thompson draws over the tree-wide agent posteriors), once per step, first.
//   2. X := root; loop: X childless → expand X with a (no draws). Else g := draw of GEN_{X,a}, the
//      agent–node pair posterior (the scores of the children a itself made directly under X); c :=
//      draw of the shared CONT_X; c > g → X := the first max of the CHILD draws over all of X's
//      children (any agent's), else expand X with a.
//   Back-propagation is the thompson one, except that GEN is kept per agent (tree.ts). So agent a
//   widens where a's own refinements of X did well and descends where the subtree did well; agents
//   refine each other's nodes freely. P2's "Beta prior per agent–node pair" is GEN_{X,a}; the
//   dist is whatever `dist` says.
//
// selectBatch (TreeQuest ≥ 0.2 ask_batch): k selections from one state before any score is known, each
// a full walk above with the rng carried from one to the next; a parent is always a registered node,
// and k = 1 is selectNode exactly. inFlight 'ignore' (default) is TreeQuest's: the in-flight ones do
// not change the later walks, so a pair may come twice (two children of one node by one agent).
// 'virtual-loss' (a departure; parallel MCTS's virtual loss, Chaslot et al. 2008): each later walk
// sees the earlier picks as pending scores of 0 (tree.ts registerPending), so it widens elsewhere, or
// with another agent, unless the statistics still favour the same pair.
import type { ResolvedSearchConfig } from './config';
import { posteriorParams, type Draw, type Obs, type Prior, type Sampler } from './posterior';
import type { Rng } from './rng';
import { registerPending, ROOT, statsOf, type NodeStats, type SearchState } from './tree';

export interface Selection {
  /** The node to expand: −1 for the root, else a node id. */
  parent: number;
  /** Index into config.agents. */
  agent: number;
}

type Next = { agent: number; child?: undefined } | { child: number; agent?: undefined };

class Drawer {
  constructor(
    private readonly sampler: Sampler,
    private readonly rng: Rng,
  ) {}

  draw(prior: Prior, obs: Obs, role: Draw['role'], ids: Pick<Draw, 'node' | 'child' | 'agent'>): number {
    const draw: Draw = { role, ...ids, params: posteriorParams(prior, obs), nObs: obs.n };
    const value = this.sampler(draw, this.rng);
    if (Number.isNaN(value)) throw new RangeError(`sampler returned NaN for ${JSON.stringify(draw)}`);
    return value;
  }
}

/** Index of the first maximum (Python's max / TreeQuest's strict '>' scan). */
function firstMax(n: number, valueOf: (i: number) => number): number {
  let best = -1;
  let bestValue = 0;
  for (let i = 0; i < n; i++) {
    const v = valueOf(i);
    if (best === -1 || v > bestValue) {
      best = i;
      bestValue = v;
    }
  }
  return best;
}

function bestAgent(config: ResolvedSearchConfig, state: SearchState, d: Drawer): number {
  const n = config.agents.length;
  if (n === 1) return 0;
  if (config.agentSelection === 'ucb') {
    const total = state.agentTotals.reduce((s, o) => s + o.n, 0);
    return firstMax(n, (a) => {
      const o = state.agentTotals[a];
      if (o.n === 0) return Infinity;
      return o.sum / o.n + Math.SQRT2 * Math.sqrt(Math.log(total) / o.n);
    });
  }
  return firstMax(n, (a) => d.draw(config.agentPriors[a], state.agentTotals[a], 'ACTION', { agent: a }));
}

/** CONT beats GEN only if strictly greater; GEN is drawn first. */
function contWins(
  config: ResolvedSearchConfig,
  d: Drawer,
  node: number,
  gen: Obs,
  cont: Obs,
  agent: number | undefined,
): boolean {
  const g = d.draw(config.prior, gen, 'GEN', { node, agent });
  const c = d.draw(config.prior, cont, 'CONT', { node, agent });
  return c > g;
}

function bestChild(config: ResolvedSearchConfig, d: Drawer, node: number, s: NodeStats, among: number[]): number {
  const k = firstMax(among.length, (i) =>
    d.draw(config.prior, s.childObs[among[i]], 'CHILD', { node, child: s.children[among[i]] }),
  );
  return s.children[among[k]];
}

function allIndices(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function selectNext(config: ResolvedSearchConfig, state: SearchState, node: number, d: Drawer): Next {
  const s = statsOf(state, node);
  if (config.agentSelection === 'stack') {
    const a = firstMax(config.agents.length, (i) =>
      d.draw(config.agentPriors[i], s.agentObs[i], 'NODE_ACTION', { node, agent: i }),
    );
    const cont = contWins(config, d, node, s.gen[a], s.cont[a], a);
    const mine = allIndices(s.children.length).filter((j) => state.nodes[s.children[j]].agent === a);
    if (!cont || mine.length === 0) return { agent: a };
    return { child: bestChild(config, d, node, s, mine) };
  }
  const cont = contWins(config, d, node, s.gen[0], s.cont[0], undefined);
  if (!cont || s.children.length === 0) return { agent: bestAgent(config, state, d) };
  return { child: bestChild(config, d, node, s, allIndices(s.children.length)) };
}

function selectAgentFirst(config: ResolvedSearchConfig, state: SearchState, d: Drawer): Selection {
  const agent = bestAgent(config, state, d);
  let node = ROOT;
  for (;;) {
    const s = statsOf(state, node);
    if (s.children.length === 0) return { parent: node, agent };
    if (!contWins(config, d, node, s.gen[agent], s.cont[0], agent)) return { parent: node, agent };
    node = bestChild(config, d, node, s, allIndices(s.children.length));
  }
}

/** Chooses (parent, agent) for the next node. Reads the state, never modifies it. */
export function selectNode(config: ResolvedSearchConfig, state: SearchState, rng: Rng, sampler: Sampler): Selection {
  const d = new Drawer(sampler, rng);
  if (config.agentSelection === 'agent-first') return selectAgentFirst(config, state, d);
  let node = ROOT;
  for (;;) {
    const next = selectNext(config, state, node, d);
    if (next.child === undefined) return { parent: node, agent: next.agent };
    node = next.child;
  }
}

/**
 * k selections from one state, before any of their scores is registered (TreeQuest's ask_batch).
 * Register them in this order: selection i becomes node state.nodes.length + i.
 */
export function selectBatch(config: ResolvedSearchConfig, state: SearchState, rng: Rng, sampler: Sampler, k: number): Selection[] {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`selectBatch: k must be a positive integer (selections in flight), got ${k}`);
  const batch: Selection[] = [];
  let view = state;
  for (let i = 0; i < k; i++) {
    const pick = selectNode(config, view, rng, sampler);
    batch.push(pick);
    if (config.inFlight === 'virtual-loss' && i < k - 1) view = registerPending(config, view, pick.parent, pick.agent);
  }
  return batch;
}
