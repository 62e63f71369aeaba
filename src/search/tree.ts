// The search state (a plain JSON object) and `register`, which adds a scored node and updates every
// statistic, exactly as TreeQuest 0.3.3's `tell` + `_backpropagate` (research/treequest.md §4.5).
//
// For a new node v with score s, made by agent a under parent u:
//   U1  v becomes u's next child (index j);  U2  u.child[j] starts with the observation s
//   U3  the tree-wide list of a's scores gets s
//   U4  u.GEN (per-agent GEN_a in stack/agent-first) observes w·s, w = 1 unless T+ depthGamma is set;
//       stack: u's agent posterior for a observes s
//   U5  for each edge p → c on the path from u up to the root: p.child[index(c)] and p.CONT (stack:
//       CONT of agent(c)) observe s; stack: p's agent posterior for agent(c) observes s
//
// A pending node (`registerPending`, for selectBatch's 'virtual-loss'): U3–U5 with score 0, no node
// (no U1, U2): the statistics count an expansion in flight as a failure until its score comes, and a
// pending node can never be chosen as a parent. Register real scores on the state without it.
//
// Purity: `registerNode` returns a new state and never modifies its input; the two share the parts
// that did not change, so treat states as immutable values. Ids are counters: the root is −1 and
// node i is the i-th node created (TreeQuest's expand_idx).
//
// Departures from TreeQuest (no effect on any draw or decision):
//  1. Every node's statistics exist from its creation (TreeQuest creates them lazily at the first
//     visit; fresh statistics equal the prior either way).
//  2. The tree-wide scores of an agent are kept as sufficient statistics (posterior.ts, departure 1).
//  3. The per-node agent posteriors (TreeQuest's action_probas) are kept only for 'stack', the one
//     strategy that reads them.
import type { ResolvedSearchConfig } from './config';
import { depthWeight } from './depthGuided';
import { NO_OBS, observe, type Obs } from './posterior';

export interface NodeStats {
  /** Child node ids in creation order. */
  children: number[];
  /** Parallel to children: the child's own score plus every score later created in its subtree. */
  childObs: Obs[];
  /** GEN: one shared posterior, or one per agent (stack, agent-first). */
  gen: Obs[];
  /** CONT: one shared posterior, or one per agent (stack). Sees scores two or more levels below. */
  cont: Obs[];
  /** stack only: per agent, every score of a node this node's subtree got through that agent's child. */
  agentObs: Obs[];
}

export interface SearchNode {
  /** −1 for a child of the root. */
  parent: number;
  agent: number;
  score: number;
  /** The root's children have depth 1. */
  depth: number;
  /** Position in the parent's children. */
  childIndex: number;
  stats: NodeStats;
}

export interface SearchState {
  root: NodeStats;
  /** Node i = the i-th node created. */
  nodes: SearchNode[];
  /** Per agent: every score that agent produced anywhere in the tree (TreeQuest's all_rewards_store). */
  agentTotals: Obs[];
  /** T+: expansionsAtDepth[d] = nodes created so far under parents of depth d. */
  expansionsAtDepth: number[];
}

/** The tree as `mars2 search-sim` lists it: node i in creation order. */
export interface TreeArrays {
  parent: number[];
  agent: number[];
  score: number[];
}

export const ROOT = -1;

function perAgentGen(config: ResolvedSearchConfig): boolean {
  return config.agentSelection === 'stack' || config.agentSelection === 'agent-first';
}

export function emptyStats(config: ResolvedSearchConfig): NodeStats {
  const agents = config.agents.length;
  return {
    children: [],
    childObs: [],
    gen: Array.from({ length: perAgentGen(config) ? agents : 1 }, () => NO_OBS),
    cont: Array.from({ length: config.agentSelection === 'stack' ? agents : 1 }, () => NO_OBS),
    agentObs: config.agentSelection === 'stack' ? Array.from({ length: agents }, () => NO_OBS) : [],
  };
}

export function initState(config: ResolvedSearchConfig): SearchState {
  return {
    root: emptyStats(config),
    nodes: [],
    agentTotals: config.agents.map(() => NO_OBS),
    expansionsAtDepth: [],
  };
}

export function statsOf(state: SearchState, id: number): NodeStats {
  return id === ROOT ? state.root : state.nodes[id].stats;
}

export function depthOf(state: SearchState, id: number): number {
  return id === ROOT ? 0 : state.nodes[id].depth;
}

export function treeArrays(state: SearchState): TreeArrays {
  return {
    parent: state.nodes.map((n) => n.parent),
    agent: state.nodes.map((n) => n.agent),
    score: state.nodes.map((n) => n.score),
  };
}

function checkRegister(config: ResolvedSearchConfig, state: SearchState, parent: number, agent: number, score: number) {
  if (!Number.isInteger(parent) || parent < ROOT || parent >= state.nodes.length) {
    throw new RangeError(
      `register: parent must be −1 (the root) or an existing node id 0..${state.nodes.length - 1}, got ${parent}`,
    );
  }
  if (!Number.isInteger(agent) || agent < 0 || agent >= config.agents.length) {
    throw new RangeError(`register: agent must be an index 0..${config.agents.length - 1}, got ${agent}`);
  }
  if (!(score >= 0 && score <= 1)) {
    throw new RangeError(`register: score must lie in [0, 1] (TreeQuest's rule), got ${score}`);
  }
}

/** Adds node (parent, agent, score) and back-propagates; returns the new state (input untouched). */
export function registerNode(
  config: ResolvedSearchConfig,
  state: SearchState,
  parent: number,
  agent: number,
  score: number,
): SearchState {
  return register(config, state, parent, agent, score, false);
}

/** Counts an expansion of `parent` by `agent` in flight as a score of 0, without a node (see above). */
export function registerPending(config: ResolvedSearchConfig, state: SearchState, parent: number, agent: number): SearchState {
  return register(config, state, parent, agent, 0, true);
}

function register(
  config: ResolvedSearchConfig,
  state: SearchState,
  parent: number,
  agent: number,
  score: number,
  pending: boolean,
): SearchState {
  checkRegister(config, state, parent, agent, score);
  const stack = config.agentSelection === 'stack';
  const nodes = state.nodes.slice();
  let root = state.root;
  const copyStats = (id: number): NodeStats => {
    const s = id === ROOT ? root : nodes[id].stats;
    const copy: NodeStats = {
      children: s.children.slice(),
      childObs: s.childObs.slice(),
      gen: s.gen.slice(),
      cont: s.cont.slice(),
      agentObs: s.agentObs.slice(),
    };
    if (id === ROOT) root = copy;
    else nodes[id] = { ...nodes[id], stats: copy };
    return copy;
  };

  const parentDepth = depthOf(state, parent);
  const expansionsBefore = state.expansionsAtDepth[parentDepth] ?? 0;
  const w = config.depthGamma ? depthWeight(config.depthGamma, parentDepth, expansionsBefore) : 1;

  // U1, U2, U4
  const u = copyStats(parent);
  const id = nodes.length;
  const childIndex = u.children.length;
  if (!pending) {
    u.children.push(id);
    u.childObs.push(observe(NO_OBS, score));
  }
  const g = perAgentGen(config) ? agent : 0;
  u.gen[g] = observe(u.gen[g], w * score);
  if (stack) u.agentObs[agent] = observe(u.agentObs[agent], score);

  // U5
  let cur = parent;
  while (cur !== ROOT) {
    const node = nodes[cur];
    const p = copyStats(node.parent);
    p.childObs[node.childIndex] = observe(p.childObs[node.childIndex], score);
    const c = stack ? node.agent : 0;
    p.cont[c] = observe(p.cont[c], score);
    if (stack) p.agentObs[node.agent] = observe(p.agentObs[node.agent], score);
    cur = node.parent;
  }

  if (!pending) nodes.push({ parent, agent, score, depth: parentDepth + 1, childIndex, stats: emptyStats(config) });
  // U3
  const agentTotals = state.agentTotals.slice();
  agentTotals[agent] = observe(agentTotals[agent], score);
  const expansionsAtDepth = state.expansionsAtDepth.slice();
  for (let d = expansionsAtDepth.length; d <= parentDepth; d++) expansionsAtDepth[d] = 0;
  expansionsAtDepth[parentDepth] = expansionsBefore + 1;

  return { root, nodes, agentTotals, expansionsAtDepth };
}
