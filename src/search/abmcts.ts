// AB-MCTS-A (Adaptive Branching MCTS with node Aggregation) as TreeQuest 0.3.3 implements it, over a
// plain JSON state, for use inside Temporal workflows (STYLE 4, DESIGN §6.2):
//
//   const search = new AbMctsA({ agents: ['qwen', 'areal'], dist: 'beta' });
//   let state = search.init();
//   const { parent, agent } = search.select(state, rng);      // reads state, advances rng
//   … generate with agents[agent] from node `parent` (−1 = the root), score it in [0, 1] …
//   state = search.register(state, parent, agent, score);     // returns a new state
//
//   const batch = search.selectBatch(state, rng, k);          // k picks before any score (ask_batch)
//   … expand them at once, then register each, in batch order …
//
// One select + one register is TreeQuest's `step` (ask + tell). The draw order, tie rules and
// back-propagation are TreeQuest's exactly (select.ts, tree.ts); test/search/traceReplay.test.ts
// replays 26 trees of TreeQuest's recorded draws (thompson, ucb, stack, default and other priors). Determinism: given the same config, state and Rng state,
// select makes the same choice, and the state survives JSON.stringify/parse unchanged.
//
// Departures: none in the decisions by default. Like TreeQuest's ask_batch, the selects of a batch see
// the same statistics; config inFlight 'virtual-loss' (not TreeQuest's) counts the earlier picks of a
// batch as pending zeros (select.ts). select.ts, tree.ts and posterior.ts list the details that cannot
// change a decision.
import { resolveSearchConfig, type ResolvedSearchConfig, type SearchConfig } from './config';
import { thompsonSampler, type Sampler } from './posterior';
import type { Rng } from './rng';
import { selectBatch, selectNode, type Selection } from './select';
import { initState, registerNode, treeArrays, type SearchState, type TreeArrays } from './tree';

export class AbMctsA {
  readonly config: ResolvedSearchConfig;

  /** Validates the config once (throws a ZodError that names the field). */
  constructor(config: SearchConfig) {
    this.config = resolveSearchConfig(config);
  }

  init(): SearchState {
    return initState(this.config);
  }

  /**
   * The next (parent, agent). `sampler` turns each posterior draw into a number; the default draws
   * from the posterior with `rng`. Tests inject recorded draws.
   */
  select(state: SearchState, rng: Rng, sampler: Sampler = thompsonSampler): Selection {
    return selectNode(this.config, state, rng, sampler);
  }

  /**
   * k selections from `state` before any of their scores is known (TreeQuest's ask_batch): the same
   * draws as k calls of `select` on an unchanged state. Register them in this order (node ids
   * state.nodes.length, +1, …). k = 1 is `[select(state, rng, sampler)]`.
   */
  selectBatch(state: SearchState, rng: Rng, k: number, sampler: Sampler = thompsonSampler): Selection[] {
    return selectBatch(this.config, state, rng, sampler, k);
  }

  /** Adds the scored node and updates every statistic. Returns a new state; `state` is unchanged. */
  register(state: SearchState, parent: number, agent: number, score: number): SearchState {
    return registerNode(this.config, state, parent, agent, score);
  }

  /** The tree as parallel arrays, node i in creation order (parent −1 = a child of the root). */
  tree(state: SearchState): TreeArrays {
    return treeArrays(state);
  }
}
