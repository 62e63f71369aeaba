// The synthetic scoring environment of `mars2 search-sim` : it runs the search against
// agents whose pass probabilities are known, to check the search itself (and to compare with
// TreeQuest run on the same config).
//
// A node made by agent a gets p = p_root under the root, else p_refine_given_parent_pass if its
// parent passed (score ≥ pass_threshold; default 1.0 bernoulli, 0.5 fractional), else
// p_refine_given_parent_fail. The environment draws one U ~ U[0, 1) per step from its own Rng:
//   bernoulli   score = 1 if U < p else 0
//   fractional  score = lo + (hi − lo)·U, lo = max(0, 2p − 1), hi = min(1, 2p)   (mean p)
// Trial t uses Rng.seeded(seed, t, 'search') for the search and Rng.seeded(seed, t, 'env') for the
// environment, so any one tree can be rebuilt alone.
//
// The config keys are TreeQuest's / the research twin's (snake_case); model_selection_strategy takes
// TreeQuest's names or ours. Pure: no I/O; the CLI reads and writes files.
import { z } from 'zod';
import { AbMctsA } from './abmcts';
import type { AgentSelection, SearchConfig } from './config';
import { Rng } from './rng';
import type { TreeArrays } from './tree';

const probability = z.number().min(0).max(1);

export const simConfigSchema = z.strictObject({
  seed: z.number().int().nonnegative(),
  steps: z.number().int().positive(),
  trials: z.number().int().positive(),
  dist_type: z.enum(['gaussian', 'beta']),
  model_selection_strategy: z
    .enum(['multiarm_bandit_thompson', 'multiarm_bandit_ucb', 'stack', 'thompson', 'ucb', 'agent-first'])
    .optional(),
  prior: z
    .union([
      z.strictObject({
        m: z.number().optional(),
        kappa: z.number().positive().optional(),
        nu: z.number().positive().optional(),
        tau_square: z.number().positive().optional(),
      }),
      z.strictObject({ a: z.number().positive().optional(), b: z.number().positive().optional() }),
    ])
    .optional(),
  reward_average_priors: z.union([z.number(), z.record(z.string(), z.number())]).optional(),
  depth_gamma: z.array(z.number().gt(0).lte(1)).min(1).optional(),
  mode: z.enum(['bernoulli', 'fractional']),
  pass_threshold: z.number().optional(),
  agents: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        p_root: probability,
        p_refine_given_parent_pass: probability,
        p_refine_given_parent_fail: probability,
      }),
    )
    .min(1),
});

export type SimConfig = z.infer<typeof simConfigSchema>;
export type SimAgent = SimConfig['agents'][number];

const STRATEGIES: Record<NonNullable<SimConfig['model_selection_strategy']>, AgentSelection> = {
  multiarm_bandit_thompson: 'thompson',
  multiarm_bandit_ucb: 'ucb',
  stack: 'stack',
  thompson: 'thompson',
  ucb: 'ucb',
  'agent-first': 'agent-first',
};

/** The search config a sim config describes. */
export function simSearchConfig(c: SimConfig): SearchConfig {
  return dropUndefined({
    agents: c.agents.map((a) => a.name),
    dist: c.dist_type,
    agentSelection: STRATEGIES[c.model_selection_strategy ?? 'multiarm_bandit_thompson'],
    prior: simPrior(c.prior),
    rewardAveragePriors: c.reward_average_priors,
    depthGamma: c.depth_gamma,
  }) as SearchConfig;
}

/** TreeQuest's prior dict → ours (tau_square → tauSquare); a beta {a, b} passes through. */
function simPrior(p: SimConfig['prior']): SearchConfig['prior'] {
  if (p === undefined || 'a' in p || 'b' in p) return p;
  const g = p as { m?: number; kappa?: number; nu?: number; tau_square?: number };
  return dropUndefined({ m: g.m, kappa: g.kappa, nu: g.nu, tauSquare: g.tau_square });
}

function dropUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function passThreshold(c: SimConfig): number {
  return c.pass_threshold ?? (c.mode === 'bernoulli' ? 1 : 0.5);
}

/** The environment's score for a node of `agent` whose parent scored `parentScore` (null = root). */
export function simScore(c: SimConfig, agent: SimAgent, parentScore: number | null, u: number): number {
  const p =
    parentScore === null
      ? agent.p_root
      : parentScore >= passThreshold(c)
        ? agent.p_refine_given_parent_pass
        : agent.p_refine_given_parent_fail;
  if (c.mode === 'bernoulli') return u < p ? 1 : 0;
  const lo = Math.max(0, 2 * p - 1);
  const hi = Math.min(1, 2 * p);
  return lo + (hi - lo) * u;
}

/** One tree: `steps` select → score → register rounds. */
export function simulateTree(search: AbMctsA, c: SimConfig, trial: number): TreeArrays {
  const rng = Rng.seeded(c.seed, trial, 'search');
  const env = Rng.seeded(c.seed, trial, 'env');
  let state = search.init();
  for (let step = 0; step < c.steps; step++) {
    const { parent, agent } = search.select(state, rng);
    const parentScore = parent === -1 ? null : state.nodes[parent].score;
    const score = simScore(c, c.agents[agent], parentScore, env.uniform());
    state = search.register(state, parent, agent, score);
  }
  return search.tree(state);
}

/** Every tree of the config, trial 0 first. Validates the config (ZodError names the field). */
export function* simulate(config: SimConfig): Generator<TreeArrays> {
  const c = simConfigSchema.parse(config);
  const search = new AbMctsA(simSearchConfig(c));
  for (let trial = 0; trial < c.trials; trial++) yield simulateTree(search, c, trial);
}

export interface SimSummary {
  trees: number;
  /** Share of trees with a node scoring ≥ pass_threshold. */
  solved: number;
  /** Mean over trees of the best score. */
  meanBest: number;
  /** Per agent (config order): share of all nodes it made. */
  agentShare: number[];
  /** Share of nodes that refine another node (parent ≠ root). */
  refinements: number;
  /** Mean over trees of the deepest node's depth (root children = 1). */
  meanMaxDepth: number;
}

export function summarize(c: SimConfig, trees: readonly TreeArrays[]): SimSummary {
  const threshold = passThreshold(c);
  const perAgent = c.agents.map(() => 0);
  let nodes = 0;
  let solved = 0;
  let best = 0;
  let refinements = 0;
  let maxDepth = 0;
  for (const t of trees) {
    const depth: number[] = [];
    let top = 0;
    t.parent.forEach((p, i) => {
      depth[i] = p === -1 ? 1 : depth[p] + 1;
      if (p !== -1) refinements++;
      perAgent[t.agent[i]]++;
      top = Math.max(top, t.score[i]);
    });
    nodes += t.parent.length;
    if (top >= threshold) solved++;
    best += top;
    maxDepth += Math.max(0, ...depth);
  }
  const n = Math.max(trees.length, 1);
  return {
    trees: trees.length,
    solved: solved / n,
    meanBest: best / n,
    agentShare: perAgent.map((k) => k / Math.max(nodes, 1)),
    refinements: refinements / Math.max(nodes, 1),
    meanMaxDepth: maxDepth / n,
  };
}
