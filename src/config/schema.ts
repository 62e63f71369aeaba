// The run config of `mars2 train --config F` (DESIGN §4–§6): one schema for every
// agent set-up of the papers' comparisons (research/papers.md §3.1, §4.4, §5):
//
//   heterogeneous  ≥ 2 agents, each its own model directory and weights (Heter-MARS²)
//   homogeneous    ≥ 2 roles sharing one set of weights, each with its own system prompt (Homo-MARS²;
//                  MARTI --shared_agents: every slot reuses agents[0]'s weights)
//   single         1 agent, tree-search RL (RS², the README's "Homo-MARS²" single-model curves)
//   grpo           1 agent, vanilla GRPO: i.i.d. samples per problem as the group instead of a tree
//
// Pure (zod and the pure search/rl modules only), so workflow code can import the types and helpers
// without pulling in node:fs; the file loader is config.ts. Unknown keys are errors at every level.
// Paths are kept as written; loadRunConfig makes them absolute (relative to the config file).
//
// Defaults are MARTI-v2's shipped MARS² values (papers.md §2.5, §2.9, §2.10, §6.3), taken from the
// component that owns them where one exists (src/search, src/rl); the others are noted where defined.
// Choices where MARTI has no value:
//  1. Homogeneous role prompts are required and must differ: MARTI ships none (papers.md §2.11, §8.3),
//     and without them shared-weight agents are indistinguishable.
//  2. The GRPO baseline's group size defaults to the tree budget, so both spend the same samples per
//     problem (MARTI's baseline scripts were not released).
//  3. Evaluation every 4 iterations (MARTI eval_steps 1–4) and only when an eval set is given.
//  4. Micro-batches default to a padded-token budget, rows sorted by length, instead of MARTI's one
//     sample per micro-batch: gradients add up over micro-batches, so only the speed differs.
// rewards.tests defaults to 'all', as MARTI trains (papers.md §2.6: every test of a training problem
// drives its search and reward). Departure: refinement prompts here show public results only, where
// MARTI's training feedback covers all the tests.
import { z } from 'zod';
import { defaultAdvantageConfig } from '../rl/advantage';
import { defaultBufferConfig } from '../rl/buffers';
import { defaultPolicyLossConfig } from '../rl/loss';
import { defaultOverlongConfig } from '../rl/shaping';
import { searchConfigSchema } from '../search/config';
import { DATASET_FORMATS } from '../data/formats/types';
import { ConfigError, configIssues } from './issues';
import { REWARD_TESTS } from '../rl/nodes';
import { NAME } from '../store/names';
import { defaultMicroBatchTokens } from '../models/train/plan';

export const SETUPS = ['heterogeneous', 'homogeneous', 'single', 'grpo'] as const;
export type Setup = (typeof SETUPS)[number];

/** MARTI workflow_args.max_num_nodes (both shipped scripts). */
export const DEFAULT_TREE_BUDGET = 8;

const name = (what: string) =>
  z
    .string()
    .max(64)
    .regex(NAME, `expected a ${what} of letters, digits, '.', '_' or '-' (starting with a letter or digit)`);
const posInt = z.number().int().min(1);
const unit = z.number().min(0).max(1);
const positive = z.number().positive().finite();

const datasetSchema = z.strictObject({
  /** A dataset file (JSONL / JSON / .gz) in one of the formats src/data reads. */
  path: z.string().min(1),
  format: z.enum(['auto', ...DATASET_FORMATS]).default('auto'),
  /** Use only the first N problems (null = all). */
  limit: posInt.nullable().default(null),
});

const agentSchema = z.strictObject({
  name: name('name'),
  /** HF model directory. Required, except for agents[1..] when weights are shared (they use agents[0]'s). */
  model: z.string().min(1).optional(),
  /** A short label shown in trees and reports ("solver", "debugger"). */
  role: z.string().min(1).nullable().default(null),
  /** A system message before every prompt of this agent (MARTI: none). */
  systemPrompt: z.string().min(1).nullable().default(null),
  /** False: the agent searches but is never updated (MARTI is_tuning). */
  trainable: z.boolean().default(true),
  /** This agent's learning rate (its weights' owner only); null: optimization.lr. Agents of different
   * sizes want different rates: a larger model moves further per step at the same rate. */
  lr: positive.nullable().default(null),
  /** Chat template enable_thinking (MARTI default_agent.is_reasoning_model: false). */
  thinking: z.boolean().default(false),
});

// The search's own fields, defaults and checks (src/search/config.ts) plus what the run adds.
const { agents: _agents, ...searchShape } = searchConfigSchema.shape;
const searchSchema = z.strictObject({
  ...searchShape,
  /** Nodes per training tree (MARTI max_num_nodes); not used by 'grpo'. */
  budget: posInt.nullable().optional(),
  /** Refinement prompts: 'marti' (parent code + pass/fail, training-compatible) | 'tplus' (rich feedback). */
  feedback: z.enum(['marti', 'tplus']).default('marti'),
  /** Repeat the problem statement in refinement prompts (false = MARTI's exact text, papers.md §6.5.5). */
  includeProblem: z.boolean().default(true),
  /** How a tree runs each node's expand (src/workflows/searchTree): 'activity' (a durable activity per
   * node; right when a node takes seconds) | 'local' (a local activity: no server round trip per node,
   * for sub-second nodes of tiny models; a worker crash redoes the unrecorded nodes) | 'batch' (one
   * activity per batch of `parallel` nodes: one durable step per batch, a retry redoes no finished step).
   * Default: 'batch' when `parallel` > 1 (a GRPO group, a wide tree), else 'activity'. */
  expandAs: z.enum(['activity', 'local', 'batch']).optional(),
  /** Expands a tree runs at once (TreeQuest's ask_batch size): each batch of this many nodes is
   * selected before any of its scores is known, so their generations share engine batches; 1 is
   * sequential AB-MCTS-A; trees default to min(4, budget / 2) (defaultTreeParallel). Larger widens the
   * trees (TreeQuest suggests ≤ 5); the last batch may be smaller; same seed, same tree. `inFlight` (above, src/search/config.ts) says what a
   * batch's later selections know of its earlier ones: 'ignore' (TreeQuest's) or 'virtual-loss'. A GRPO
   * group's samples are independent: setup 'grpo' runs them all at once unless this says otherwise. */
  parallel: posInt.optional(),
});

const rolloutSchema = z.strictObject({
  /** Problems (trees) per iteration: MARTI rollout_batch_size, also the per-agent buffer threshold input. */
  problemsPerIteration: posInt.default(defaultBufferConfig.rolloutBatchSize),
  /** 'grpo' only: i.i.d. samples per problem (the group). Tree set-ups use search.budget. */
  samplesPerProblem: posInt.optional(),
  temperature: z.number().min(0).finite().default(1.0),
  topP: z.number().gt(0).max(1).default(1.0),
  /** generate_max_len. */
  maxNewTokens: posInt.default(defaultOverlongConfig.maxResponseTokens),
  /** prompt_max_len: longer prompts are cut from the left. */
  promptMaxTokens: posInt.default(4096),
});

const rewardsSchema = z.strictObject({
  /**
   * Which tests a training node's reward counts (1 iff all of them pass): 'all' (default: public and
   * private), 'public' (only the tests prompts may show) or 'private' (only the held-out ones). Every
   * training node runs both sets whatever this says, for the hack rate; refinement prompts show public
   * results only. 'all' is the default (MARTI's training reward, and a reward that counts only the shown
   * tests pays for fitting them: MBPP's shown assert can be passed by a lookup). A problem without the
   * counted tests (HumanEval has no public ones) fails the run, naming the problem.
   */
  tests: z.enum(REWARD_TESTS).default('all'),
  /**
   * The advantage's normalisation group (src/rl/advantage.ts): 'tree' (MARS²: every node of a tree, all
   * agents together) or 'tree-agent' (each agent's nodes of a tree on their own; not in the papers).
   */
  groups: z.enum(['tree', 'tree-agent']).default('tree'),
  /** Tree-consistent shaping (papers.md §2.8): null = off, as MARTI ships it (inert). */
  shaping: z
    .strictObject({ gamma: z.number().finite().default(0.5), lambda: unit.default(0.5) }) // MARTI reward_alloc alpha/beta
    .nullable()
    .default(defaultAdvantageConfig.shaping),
  /** DAPO overlong penalty over the last bufferTokens of rollout.maxNewTokens; null = off. */
  overlong: z
    .strictObject({
      bufferTokens: posInt.default(defaultOverlongConfig.bufferTokens),
      penaltyFactor: z.number().min(0).finite().default(defaultOverlongConfig.penaltyFactor),
    })
    .nullable()
    .prefault({}),
});

const optimizationSchema = z.strictObject({
  /** Policy loss: 'gspo' (MARTI policy_loss_type) | 'grpo' (token-level PPO clip). */
  loss: z.enum(['gspo', 'grpo']).default('gspo'),
  lr: positive.default(1e-6),
  /** OpenRLHF cosine_with_min_lr: warm-up over ⌈warmupRatio·steps⌉, then cosine to minLrRatio·lr. */
  schedule: z
    .strictObject({
      kind: z.enum(['cosine', 'constant']).default('cosine'),
      warmupRatio: z.number().min(0).lt(1).default(0.03),
      minLrRatio: unit.default(0.1),
    })
    .prefault({}),
  clipLow: z.number().min(0).lt(1).default(defaultPolicyLossConfig.clipLow),
  clipHigh: z.number().min(0).finite().default(defaultPolicyLossConfig.clipHigh),
  /** Truncated importance sampling against the rollout log-probs; null = off. */
  tis: z
    .strictObject({
      threshold: positive.default(defaultPolicyLossConfig.tis!.threshold),
      vetoBelow: z.number().min(0).finite().default(defaultPolicyLossConfig.tis!.vetoBelow),
    })
    .nullable()
    .prefault({}),
  /** k3 KL coefficient (init_kl_coef); 0 drops the term. */
  klCoef: z.number().min(0).finite().default(defaultPolicyLossConfig.klCoef),
  /** Global gradient-norm clip (OpenRLHF max_norm). */
  maxGradNorm: positive.default(1.0),
  /** Samples per optimizer step (MARTI train_batch_size, multi-agent script). */
  trainBatchSize: posInt.default(defaultBufferConfig.trainBatchSize),
  /**
   * Samples per forward/backward; trainBatchSize must be a multiple (MARTI requires 1). null: micro-
   * batches from microBatchTokens instead (the same gradient up to rounding; choice 4 above).
   */
  microBatchSize: posInt.nullable().default(null),
  /** Padded tokens per forward/backward when microBatchSize is null (src/models/train/plan.ts). */
  microBatchTokens: posInt.default(defaultMicroBatchTokens),
  /** Passes over each update's samples (MARTI max_epochs). */
  epochs: posInt.default(1),
  /**
   * Leave samples whose advantage is 0 out of the buffers (their group's rewards were all equal), so each
   * update is trainBatchSize samples with a signal; off: MARTI's, every sample counts (with klCoef > 0
   * the left-out samples would still have carried the KL term).
   */
  skipZeroAdvantage: z.boolean().default(false),
  /** Buffer samples beyond the last whole multiple of the threshold: MARTI drops them. */
  bufferRemainder: z.enum(['drop', 'keep']).default(defaultBufferConfig.remainder),
  /** OpenRLHF's AdamW: adam_betas (0.9, 0.95), l2 0, DeepSpeed's eps 1e-8. */
  adamw: z
    .strictObject({
      beta1: z.number().min(0).lt(1).default(0.9),
      beta2: z.number().min(0).lt(1).default(0.95),
      eps: positive.default(1e-8),
      weightDecay: z.number().min(0).finite().default(0),
    })
    .prefault({}),
});

export const EVAL_MODES = ['agent', 'system'] as const;

const evaluationSchema = z.strictObject({
  everyIterations: posInt.default(4),
  /** Also evaluate before the first iteration (the base models' point on the curves). */
  atStart: z.boolean().default(true),
  /** Held-out problems per evaluation (null = the whole eval set). */
  problems: posInt.nullable().default(null),
  /** Nodes per evaluation tree (MARTI eval_max_num_nodes: 1, plain Pass@1). */
  budget: posInt.default(1),
  /** 'agent': one tree per agent; 'system': one joint tree (MARTI evaluate_mcts_methods: agent). */
  modes: z
    .array(z.enum(EVAL_MODES))
    .min(1)
    .refine((m) => new Set(m).size === m.length, 'modes must not repeat')
    .default(['agent']),
  temperature: z.number().min(0).finite().default(1.0),
  topP: z.number().gt(0).max(1).default(1.0),
});

const stopSchema = z.strictObject({
  /** Passes over the training set (MARTI num_episodes). */
  episodes: posInt.default(2),
  /** Stop after this many iterations even if episodes remain (null = no cap). */
  maxIterations: posInt.nullable().default(null),
  /** Stop once an evaluation's system Pass@1(MCTS) reaches this (null = never). */
  targetPass1: z.number().gt(0).max(1).nullable().default(null),
});

const baseSchema = z.strictObject({
  /** Free text, kept with the run. */
  description: z.string().optional(),
  /** The training workflow's id and the run's folder name. */
  runId: name('run id'),
  seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
  setup: z.enum(SETUPS),
  datasets: z.strictObject({ train: datasetSchema, eval: datasetSchema.nullable().default(null) }),
  agents: z.array(agentSchema).min(1),
  /** Follows from `setup` (true only for 'homogeneous'); may be written out for clarity. */
  sharedWeights: z.boolean().optional(),
  search: searchSchema.prefault({}),
  rollout: rolloutSchema.prefault({}),
  rewards: rewardsSchema.prefault({}),
  optimization: optimizationSchema.prefault({}),
  /** Omitted: on (with defaults) when datasets.eval is given; null: off. */
  evaluation: evaluationSchema.nullable().optional(),
  stop: stopSchema.prefault({}),
});

type Base = z.output<typeof baseSchema>;
type Ctx = z.RefinementCtx;

function issue(ctx: Ctx, path: PropertyKey[], message: string): void {
  ctx.addIssue({ code: 'custom', path, message });
}

/** The checks that read more than one field. */
function crossCheck(c: Base, ctx: Ctx): void {
  const multi = c.setup === 'heterogeneous' || c.setup === 'homogeneous';
  const n = c.agents.length;
  if (n === 0) return; // reported by the schema; the cross-field checks follow once agents are given
  if (multi && n < 2) {
    issue(ctx, ['agents'], `a '${c.setup}' set-up needs at least 2 agents, found ${n}; for one agent use setup 'single' or 'grpo'`);
  }
  if (!multi && n !== 1) {
    issue(ctx, ['agents'], `a '${c.setup}' set-up has exactly 1 agent, found ${n}; for several use 'heterogeneous' or 'homogeneous'`);
  }
  const seen = new Map<string, number>();
  c.agents.forEach((a, i) => {
    const first = seen.get(a.name);
    if (first !== undefined) issue(ctx, ['agents', i, 'name'], `'${a.name}' is already the name of agents[${first}]; agent names must be unique`);
    else seen.set(a.name, i);
  });

  const shared = c.setup === 'homogeneous';
  if (c.sharedWeights !== undefined && c.sharedWeights !== shared) {
    issue(
      ctx,
      ['sharedWeights'],
      shared
        ? `a 'homogeneous' set-up shares one set of weights; remove sharedWeights or use setup 'heterogeneous'`
        : `only a 'homogeneous' set-up shares weights, this one is '${c.setup}'; remove sharedWeights or use setup 'homogeneous'`,
    );
  }
  const first = c.agents[0];
  c.agents.forEach((a, i) => {
    if (a.model === undefined && (!shared || i === 0)) {
      const why = shared
        ? 'agents[0] holds the weights every role shares; set it to an HF model directory'
        : `each agent of a '${c.setup}' set-up has its own weights; set it to an HF model directory`;
      issue(ctx, ['agents', i, 'model'], `required: ${why}`);
    }
    if (shared && i > 0 && a.model !== undefined && a.model !== first.model) {
      issue(ctx, ['agents', i, 'model'], `roles of a 'homogeneous' set-up use agents[0]'s weights ('${first.model}'), found '${a.model}'; remove it, or use setup 'heterogeneous'`);
    }
    if (shared && i > 0 && a.trainable !== first.trainable) {
      issue(ctx, ['agents', i, 'trainable'], `roles that share weights are trained together; expected ${first.trainable} as agents[0], found ${a.trainable}`);
    }
  });
  if (shared) {
    const prompts = new Map<string, number>();
    c.agents.forEach((a, i) => {
      if (a.systemPrompt === null) {
        issue(ctx, ['agents', i, 'systemPrompt'], `required: roles that share weights differ only by their system prompt; give each role its own`);
      } else if (prompts.has(a.systemPrompt)) {
        issue(ctx, ['agents', i, 'systemPrompt'], `same text as agents[${prompts.get(a.systemPrompt)}].systemPrompt; each role needs its own prompt`);
      } else prompts.set(a.systemPrompt, i);
    });
  }
  if (!c.agents.some((a) => a.trainable)) {
    issue(ctx, ['agents'], 'no agent is trainable; set trainable: true on at least one (or evaluate with `mars2 eval`)');
  }

  if (c.setup === 'grpo') {
    if (c.search.budget !== undefined && c.search.budget !== null) {
      issue(ctx, ['search', 'budget'], `setup 'grpo' grows no training tree; its group is rollout.samplesPerProblem i.i.d. samples. Remove search.budget`);
    }
    if (c.rollout.samplesPerProblem !== undefined && c.rollout.samplesPerProblem < 2) {
      issue(ctx, ['rollout', 'samplesPerProblem'], `the GRPO baseline normalises over the samples of a problem, so it needs at least 2, found ${c.rollout.samplesPerProblem}`);
    }
  } else {
    if (c.search.budget === null) issue(ctx, ['search', 'budget'], `expected a positive integer (nodes per tree), found null`);
    if (c.rollout.samplesPerProblem !== undefined && c.rollout.samplesPerProblem !== 1) {
      issue(ctx, ['rollout', 'samplesPerProblem'], `a '${c.setup}' set-up's group is its tree; set search.budget (nodes per tree) instead, or use setup 'grpo'`);
    }
  }
  searchCheck(c, ctx);

  const overlong = c.rewards.overlong;
  if (overlong && overlong.bufferTokens > c.rollout.maxNewTokens) {
    issue(ctx, ['rewards', 'overlong', 'bufferTokens'], `${overlong.bufferTokens} exceeds rollout.maxNewTokens (${c.rollout.maxNewTokens}); set it to at most ${c.rollout.maxNewTokens}, or rewards.overlong: null`);
  }
  const o = c.optimization;
  if (o.microBatchSize !== null && o.trainBatchSize % o.microBatchSize !== 0) {
    issue(ctx, ['optimization', 'microBatchSize'], `trainBatchSize (${o.trainBatchSize}) must be a whole multiple of microBatchSize (${o.microBatchSize})`);
  }
  if (c.evaluation && c.datasets.eval === null) {
    issue(ctx, ['evaluation'], 'evaluation needs held-out problems: set datasets.eval, or evaluation: null');
  }
  const evaluating = c.evaluation === undefined ? c.datasets.eval !== null : c.evaluation !== null;
  if (c.stop.targetPass1 !== null && !evaluating) {
    issue(ctx, ['stop', 'targetPass1'], 'stopping on Pass@1 needs evaluations: set datasets.eval (and keep evaluation on)');
  }
}

/** The search's own validation (prior fields, reward-average priors per agent, γ range). */
function searchCheck(c: Base, ctx: Ctx): void {
  const { budget: _b, feedback: _f, includeProblem: _i, expandAs: _e, parallel: _p, ...search } = c.search;
  const parsed = searchConfigSchema.safeParse({ ...search, agents: c.agents.map((a) => a.name) });
  if (parsed.success) return;
  for (const i of parsed.error.issues) {
    if (i.path[0] !== 'agents') issue(ctx, ['search', ...i.path], i.message);
  }
}

/** The evaluation settings a config gets when it names datasets.eval and says nothing else. */
export function defaultEvaluationConfig(): z.output<typeof evaluationSchema> {
  return evaluationSchema.parse({});
}

/**
 * A training tree's default `parallel`: 4 (bench/rl-loop.ts, two agents, budget 8: 12.0 s per iteration
 * at k = 1, 8.6 at 2, 7.5 at 4), at most half the budget, so every tree still selects in two rounds or
 * more (k = 1 is sequential AB-MCTS-A).
 */
export function defaultTreeParallel(budget: number): number {
  return Math.max(1, Math.min(4, Math.floor(budget / 2)));
}

/** Fills what follows from other fields, so that the result validates again unchanged. */
function complete(c: Base) {
  const tree = c.setup !== 'grpo';
  const group = c.rollout.samplesPerProblem ?? DEFAULT_TREE_BUDGET;
  const budget = c.search.budget ?? DEFAULT_TREE_BUDGET;
  const parallel = c.search.parallel ?? (tree ? defaultTreeParallel(budget) : group);
  const evalDefaults = defaultEvaluationConfig();
  return {
    ...c,
    sharedWeights: c.setup === 'homogeneous',
    agents: c.agents.map((a) => ({ ...a, model: a.model ?? c.agents[0].model! })),
    search: { ...c.search, budget: tree ? budget : null, parallel, expandAs: c.search.expandAs ?? (parallel > 1 ? 'batch' : 'activity') },
    rollout: { ...c.rollout, samplesPerProblem: tree ? 1 : group },
    evaluation: c.evaluation === undefined ? (c.datasets.eval ? evalDefaults : null) : c.evaluation,
  };
}

export const runConfigSchema = baseSchema.superRefine(crossCheck).transform(complete);

/** What a config file may hold (most fields optional). */
export type RunConfigInput = z.input<typeof runConfigSchema>;
/** The resolved run config: every default filled in; `runConfigSchema` accepts it again unchanged. */
export type RunConfig = z.output<typeof runConfigSchema>;
export type AgentConfig = RunConfig['agents'][number];
export type DatasetConfig = RunConfig['datasets']['train'];
export type EvaluationConfig = NonNullable<RunConfig['evaluation']>;
export type EvalMode = (typeof EVAL_MODES)[number];

/**
 * Validates a parsed config document and fills its defaults. Throws a ConfigError whose lines read
 * `<source>: <field path>: <what was expected, what was found>`.
 */
export function parseRunConfig(raw: unknown, source = 'run config'): RunConfig {
  const parsed = runConfigSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) throw new ConfigError(source, configIssues(parsed.error, runConfigSchema));
  return parsed.data;
}
