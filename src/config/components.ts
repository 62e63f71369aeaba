// Each component's own config, cut from a resolved RunConfig (STYLE 13: validated once at the edge,
// then passed down explicitly). Pure; workflow code may import it.
import type { AgentSpec, EvaluationAgent, EvaluationInput, GroupModels, ProblemRef, RlHyper, SearchTreeInput, StoredProblems } from '../contracts';
import type { AdamWConfig, ScheduleConfig } from '../models/train/optim';
import { defaultAdvantageConfig, type AdvantageConfig } from '../rl/advantage';
import type { BufferConfig } from '../rl/buffers';
import { defaultPolicyLossConfig, type PolicyLossConfig } from '../rl/loss';
import type { SearchConfig } from '../search/config';
import type { EvaluationConfig, RunConfig } from './schema';
import { Rng } from '../search/rng';

/**
 * The AB-MCTS-A config (`new AbMctsA(...)`) for a tree of `agents` (default: all, the joint tree).
 * An agent-mode evaluation tree passes one name; per-agent reward-average priors follow their agents.
 */
export function treeSearchConfig(c: RunConfig, agents: readonly string[] = c.agents.map((a) => a.name)): SearchConfig {
  const unknown = agents.filter((n) => !c.agents.some((a) => a.name === n));
  if (agents.length === 0 || unknown.length > 0) {
    throw new Error(`treeSearchConfig: expected names of this run's agents, found ${JSON.stringify(agents)}`);
  }
  const { dist, prior, agentSelection, rewardAveragePriors, depthGamma, inFlight } = c.search;
  const priors =
    rewardAveragePriors === undefined || typeof rewardAveragePriors === 'number'
      ? rewardAveragePriors
      : Object.fromEntries(Object.entries(rewardAveragePriors).filter(([name]) => agents.includes(name)));
  return { agents: [...agents], dist, prior, agentSelection, rewardAveragePriors: priors, depthGamma, inFlight };
}

/** Shaping, overlong penalty (over rollout.maxNewTokens) and the group-norm constants. */
export function advantageConfig(c: RunConfig): AdvantageConfig {
  const { shaping, overlong, groups } = c.rewards;
  return {
    ...defaultAdvantageConfig,
    groupBy: groups ?? 'tree', // configs of runs started before the field existed
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
export function scheduleConfig(c: RunConfig, totalSteps: number, owner?: string): ScheduleConfig {
  const { schedule } = c.optimization;
  const lr = agentLr(c, owner);
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

/**
 * The `evaluation` workflow's input for this run's agents with the given weights (v0: the config's
 * model directory) on held-out `problems`: the run's tree prompts and search settings, the
 * evaluation's budget, modes and sampling, the run's seed.
 */
export function evaluationInput(
  c: RunConfig,
  ev: EvaluationConfig,
  problems: StoredProblems,
  models: GroupModels,
  runId?: string,
): EvaluationInput {
  const { agents: _names, ...search } = treeSearchConfig(c);
  return {
    ...(runId !== undefined && { runId }),
    problems,
    agents: runAgents(c, models),
    budget: ev.budget,
    seed: c.seed,
    mode: ev.modes.length > 1 ? 'both' : ev.modes[0],
    treeMode: c.search.feedback === 'tplus' ? 'tplus' : 'training',
    search,
    includeProblem: c.search.includeProblem,
    expandAs: c.search.expandAs,
    parallel: c.search.parallel,
    sampling: { temperature: ev.temperature, topP: ev.topP },
    maxNewTokens: c.rollout.maxNewTokens,
  };
}

/** The run's agents with their weight group's weights (v0: the config's model directory). */
export function runAgents(c: RunConfig, models: GroupModels): EvaluationAgent[] {
  const owners = new Map(weightGroups(c).flatMap((g) => g.agents.map((a) => [a, g.owner] as const)));
  return c.agents.map((a) => {
    const m = models[owners.get(a.name)!] ?? { version: 0, dir: '' };
    return { name: a.name, model: { dir: m.version > 0 ? m.dir : a.model, version: m.version }, systemPrompt: a.systemPrompt, thinking: a.thinking };
  });
}

/** How a tree's expand activity sees an agent: its weights' directory and policy version, its prompts. */
export function agentSpec(a: EvaluationAgent): AgentSpec {
  return {
    name: a.name,
    model: a.model.dir,
    policyVersion: a.model.version,
    ...(a.systemPrompt !== undefined && { systemPrompt: a.systemPrompt }),
    ...(a.thinking !== undefined && { thinking: a.thinking }),
    ...(a.weights && { weights: a.weights }),
  };
}

/** The learning rate of `owner`'s weights: its agent's `lr` when set, else optimization.lr. */
export function agentLr(c: RunConfig, owner?: string): number {
  return c.agents.find((a) => a.name === owner)?.lr ?? c.optimization.lr; // lr absent in configs of older runs
}

/**
 * The trainStep settings of `owner`'s weight group in a run planned for `iterations` iterations (the
 * schedule's total steps): the run's, with the agent's own lr when it has one.
 */
export function rlHyper(c: RunConfig, iterations: number, owner?: string): RlHyper {
  const sched = scheduleConfig(c, iterations, owner);
  const o = c.optimization;
  const { lr: _lr, ...adamw } = adamWConfig(c);
  return {
    lr: sched.lr,
    minLr: sched.minLr,
    warmupSteps: sched.warmupSteps,
    totalSteps: sched.totalSteps,
    maxGradNorm: o.maxGradNorm,
    adamw,
    ...(o.microBatchSize === null ? { microBatchTokens: o.microBatchTokens } : { microBatchSize: o.microBatchSize }),
    loss: o.loss,
    policy: policyLossConfig(c),
  };
}

/**
 * Training tree `k` of iteration `i` (DESIGN §5 seeds: Rng.seeded(seed, 'tree', i, k)): every node scored
 * by rewards.tests and run on both test sets (for the hack rate); the 'grpo' set-up's group of
 * rollout.samplesPerProblem i.i.d. samples is a tree with strategy 'iid'.
 */
export function trainingTreeInput(c: RunConfig, problem: ProblemRef, agents: AgentSpec[], i: number, k: number, runId: string): SearchTreeInput {
  const { agents: _names, ...search } = treeSearchConfig(c);
  const grpo = c.setup === 'grpo';
  return {
    problem,
    agents,
    budget: (grpo ? c.rollout.samplesPerProblem : c.search.budget) ?? 1,
    ...(grpo && { strategy: 'iid' as const }),
    seed: Rng.seeded(c.seed, 'tree', i, k).uint32(),
    mode: c.search.feedback === 'tplus' ? 'tplus' : 'training',
    search,
    includeProblem: c.search.includeProblem,
    expandAs: c.search.expandAs,
    parallel: c.search.parallel,
    sampling: { temperature: c.rollout.temperature, topP: c.rollout.topP },
    maxNewTokens: c.rollout.maxNewTokens,
    privateTests: true,
    reward: c.rewards.tests,
    runId,
  };
}
