// Each component's own config, cut from a resolved RunConfig (STYLE 13: validated once at the edge,
// then passed down explicitly). Pure; workflow code may import it.
import type { AdamWConfig, ScheduleConfig } from '../models/train/optim';
import { defaultAdvantageConfig, type AdvantageConfig } from '../rl/advantage';
import type { BufferConfig } from '../rl/buffers';
import { defaultPolicyLossConfig, type PolicyLossConfig } from '../rl/loss';
import type { SearchConfig } from '../search/config';
import type { Ref } from '../store';
import type { EvaluationInput } from '../workflows/evaluation';
import type { EvaluationConfig, RunConfig } from './configSchema';

/**
 * The AB-MCTS-A config (`new AbMctsA(...)`) for a tree of `agents` (default: all, the joint tree).
 * An agent-mode evaluation tree passes one name; per-agent reward-average priors follow their agents.
 */
export function treeSearchConfig(c: RunConfig, agents: readonly string[] = c.agents.map((a) => a.name)): SearchConfig {
  const unknown = agents.filter((n) => !c.agents.some((a) => a.name === n));
  if (agents.length === 0 || unknown.length > 0) {
    throw new Error(`treeSearchConfig: expected names of this run's agents, found ${JSON.stringify(agents)}`);
  }
  const { dist, prior, agentSelection, rewardAveragePriors, depthGamma } = c.search;
  const priors =
    rewardAveragePriors === undefined || typeof rewardAveragePriors === 'number'
      ? rewardAveragePriors
      : Object.fromEntries(Object.entries(rewardAveragePriors).filter(([name]) => agents.includes(name)));
  return { agents: [...agents], dist, prior, agentSelection, rewardAveragePriors: priors, depthGamma };
}

/** Shaping, overlong penalty (over rollout.maxNewTokens) and the group-norm constants. */
export function advantageConfig(c: RunConfig): AdvantageConfig {
  const { shaping, overlong } = c.rewards;
  return {
    ...defaultAdvantageConfig,
    shaping: shaping && { ...shaping },
    overlong: overlong && { maxResponseTokens: c.rollout.maxNewTokens, ...overlong },
  };
}

/** Per-agent buffers: an agent trains once it holds max(problemsPerIteration, trainBatchSize) samples. */
export function bufferConfig(c: RunConfig): BufferConfig {
  return {
    rolloutBatchSize: c.rollout.problemsPerIteration,
    trainBatchSize: c.optimization.trainBatchSize,
    remainder: c.optimization.bufferRemainder,
  };
}

export function policyLossConfig(c: RunConfig): PolicyLossConfig {
  const o = c.optimization;
  return { ...defaultPolicyLossConfig, clipLow: o.clipLow, clipHigh: o.clipHigh, tis: o.tis && { ...o.tis }, klCoef: o.klCoef };
}

export function adamWConfig(c: RunConfig): AdamWConfig {
  return { lr: c.optimization.lr, ...c.optimization.adamw };
}

/** The learning-rate schedule of a model that will take `totalSteps` optimizer steps. */
export function scheduleConfig(c: RunConfig, totalSteps: number): ScheduleConfig {
  const { lr, schedule } = c.optimization;
  return {
    lr,
    minLr: schedule.kind === 'constant' ? lr : lr * schedule.minLrRatio,
    warmupSteps: Math.ceil(totalSteps * schedule.warmupRatio),
    totalSteps,
  };
}

/** One set of trained weights: who owns it (its checkpoint name), its directory, the agents using it. */
export interface WeightGroup {
  owner: string;
  model: string;
  agents: string[];
  trainable: boolean;
}

/** One group per agent, or a single group for all roles when weights are shared. */
export function weightGroups(c: RunConfig): WeightGroup[] {
  if (c.sharedWeights) {
    const first = c.agents[0];
    return [{ owner: first.name, model: first.model, agents: c.agents.map((a) => a.name), trainable: first.trainable }];
  }
  return c.agents.map((a) => ({ owner: a.name, model: a.model, agents: [a.name], trainable: a.trainable }));
}

/** Iterations the run will make over a training set of `trainProblems` problems. */
export function plannedIterations(c: RunConfig, trainProblems: number): number {
  const used = Math.min(trainProblems, c.datasets.train.limit ?? Infinity);
  const byEpisodes = Math.ceil((c.stop.episodes * used) / c.rollout.problemsPerIteration);
  return Math.min(byEpisodes, c.stop.maxIterations ?? Infinity);
}

/** Each weight group's (owner agent's) policy version and checkpoint directory ('' for v0). */
export type GroupModels = Record<string, { version: number; dir: string }>;

/**
 * The `evaluation` workflow's input for this run's agents with the given weights (v0: the config's
 * model directory) on held-out `problems`: the run's tree prompts and search settings, the
 * evaluation's budget, modes and sampling, the run's seed.
 */
export function evaluationInput(
  c: RunConfig,
  ev: EvaluationConfig,
  problems: { index: Ref; count: number },
  models: GroupModels,
  runId?: string,
): EvaluationInput {
  const owners = new Map(weightGroups(c).flatMap((g) => g.agents.map((a) => [a, g.owner] as const)));
  const { agents: _names, ...search } = treeSearchConfig(c);
  return {
    ...(runId !== undefined && { runId }),
    problems,
    agents: c.agents.map((a) => {
      const m = models[owners.get(a.name)!] ?? { version: 0, dir: '' };
      return { name: a.name, model: { dir: m.version > 0 ? m.dir : a.model, version: m.version }, systemPrompt: a.systemPrompt, thinking: a.thinking };
    }),
    budget: ev.budget,
    seed: c.seed,
    mode: ev.modes.length > 1 ? 'both' : ev.modes[0],
    treeMode: c.search.feedback === 'tplus' ? 'tplus' : 'training',
    search,
    includeProblem: c.search.includeProblem,
    expandAs: c.search.expandAs,
    sampling: { temperature: ev.temperature, topP: ev.topP },
    maxNewTokens: c.rollout.maxNewTokens,
  };
}
