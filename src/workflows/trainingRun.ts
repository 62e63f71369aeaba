// A MARS² training run as a durable process (DESIGN §4, §5; research/temporal.md §1.3). One workflow
// execution is one iteration, then continue-as-new with a small state:
//   seeded batch of problems → one child searchTree per problem (all awaited; every node scored by
//   rewards.tests and run on both test sets, for the hack rate) → treeAdvantages
//   (shaping, overlong penalty, tree-group normalisation) → per-group buffers (addRollout) → trainStep
//   for each group whose buffer fired (v → v+1; the next trees generate with v+1) → appendMetrics
//   → continueAsNew({ iteration + 1, versions + checkpoint dirs, buffers of sample refs }).
// The workflow id is the run id; Mars2RunId, Mars2Kind='train' and Mars2Iteration are upserted; the
// `progress` query answers live.
//
// Seeds (DESIGN §5): the batch of iteration i is positions i·P … i·P+P−1 of the epoch-wise seeded
// permutations of the training set (epoch e shuffled by Rng.seeded(seed, 'epoch', e)), so the "RNG
// state" carried across continue-as-new is just the iteration; tree k of iteration i searches with seed
// Rng.seeded(seed, 'tree', i, k).
//
// Departures / not yet:
//  1. Buffers are per weight group (the owner agent), so shared-weight roles feed one buffer and one
//     checkpoint chain; heterogeneous and single set-ups have one group per agent, as MARTI.
//  2. optimization.epochs is not applied (one optimizer step per update); the schedule's total steps
//     are the planned iterations (an upper bound of each group's updates).
//  3. The 'grpo' set-up (vanilla GRPO) runs its group of rollout.samplesPerProblem i.i.d. samples as a
//     searchTree with strategy 'iid' (every node a child of the root), so one code path, one advantage
//     function (the tree group is GRPO's group) and one metrics shape serve every set-up.
//
// Evaluation (DESIGN §4 step 5): with config.evaluation on, a child `evaluation` (`<run>-eval-start`
// before the first iteration when atStart, then `<run>-eval-it<i>` after iteration i's updates every
// everyIterations iterations and after the last one) runs the held-out problems with the agents' current
// weights; its figures go into that iteration's metrics line (`eval`; the one before training is a line
// of iteration −1), Mars2Pass1 is upserted with the headline Pass@1, and stop.targetPass1 ends the run
// early once the headline reaches it.
import {
  ActivityCancellationType,
  continueAsNew,
  executeChild,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { RetryPolicy } from '@temporalio/common';
import type { Activities } from '../activities';
import type { AgentSpec } from '../activities/records';
import type { TrainStepOutput } from '../activities/trainingRecords';
import type { RlHyper } from '../models/train/trainer';
import type { AgentIterationMetrics, EvalMetrics, IterationMetrics } from '../report/metrics';
import { treeAdvantages } from '../rl/advantage';
import { hackCounts, hackFigures, headlinePass1 } from '../rl/metrics';
import { addRollout, initBuffers, type AgentUpdate, type BufferedSample, type BufferState } from '../rl/buffers';
import { adamWConfig, advantageConfig, bufferConfig, evaluationInput, policyLossConfig, scheduleConfig, treeSearchConfig, weightGroups, type GroupModels } from '../run/components';
import type { RunConfig } from '../run/configSchema';
import type { NodeSummary } from '../run/types';
import { Rng } from '../search/rng';
import type { Ref } from '../store';
import { evaluation, type EvaluationInput } from './evaluation';
import { ITERATION, KIND, PASS_AT_1, RUN_ID } from './searchAttributes';
import { searchTree, type ActivityTimeouts, type SearchTreeInput } from './searchTree';
import { progressQuery, type RunProgress } from './shared';

export interface TrainingRunInput {
  runId: string;
  /** The resolved RunConfig in the store. */
  config: Ref;
  /** The training problems (a stored ProblemIndex) and how many there are. */
  problems: { index: Ref; count: number };
  /** The held-out problems of the periodic evaluations (absent: no evaluation). */
  evalProblems?: { index: Ref; count: number };
  /** Iterations to run (plannedIterations of the config). */
  iterations: number;
  /** Activity timeouts (tests shorten them so crash recovery is quick). */
  timeouts?: { trainStep?: Partial<ActivityTimeouts>; tree?: SearchTreeInput['timeouts'] };
}

/** What continue-as-new carries: scalars and refs only. */
export interface TrainingRunState {
  iteration: number;
  /** Each weight group's (owner's) current policy version and its checkpoint directory ('' for v0). */
  models: GroupModels;
  buffers: BufferState;
  /** The latest evaluation's headline Pass@1 (absent before the first evaluation). */
  pass1?: { iteration: number; value: number };
}

export interface TrainingRunResult {
  runId: string;
  iterations: number;
  versions: Record<string, number>;
  /** The latest evaluation's headline Pass@1, or null if none ran. */
  pass1: { iteration: number; value: number } | null;
  /** Set when stop.targetPass1 ended the run before its planned iterations. */
  stoppedEarly?: 'targetPass1';
}

/** Whether an evaluation follows iteration `i` (0-based) of `iterations`. */
export function evaluatesAfter(i: number, iterations: number, everyIterations: number): boolean {
  return (i + 1) % everyIterations === 0 || i + 1 === iterations;
}

const DEFAULT_TRAIN_TIMEOUTS: ActivityTimeouts = { startToCloseTimeout: '2 hours', heartbeatTimeout: '1 minute' };
const retry: RetryPolicy = { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 };

/** Positions into a training set of `count` problems for iteration `iteration` (epoch-wise shuffles). */
export function batchPositions(seed: number, iteration: number, perIteration: number, count: number): number[] {
  const perms = new Map<number, number[]>();
  const perm = (epoch: number) => {
    let p = perms.get(epoch);
    if (!p) {
      const rng = Rng.seeded(seed, 'epoch', epoch);
      p = Array.from({ length: count }, (_, i) => i);
      for (let i = count - 1; i > 0; i--) {
        const j = Math.floor(rng.uniform() * (i + 1));
        [p[i], p[j]] = [p[j], p[i]];
      }
      perms.set(epoch, p);
    }
    return p;
  };
  return Array.from({ length: perIteration }, (_, k) => {
    const g = iteration * perIteration + k;
    return perm(Math.floor(g / count))[g % count];
  });
}

function initialState(config: RunConfig): TrainingRunState {
  const groups = weightGroups(config);
  return {
    iteration: 0,
    models: Object.fromEntries(groups.map((g) => [g.owner, { version: 0, dir: '' }])),
    buffers: initBuffers(groups.filter((g) => g.trainable).map((g) => g.owner)),
  };
}

export async function trainingRun(input: TrainingRunInput, prior?: TrainingRunState): Promise<TrainingRunResult> {
  const small = proxyActivities<Activities>({ startToCloseTimeout: '1 minute', retry });
  const { trainStep } = proxyActivities<Activities>({
    ...DEFAULT_TRAIN_TIMEOUTS,
    ...input.timeouts?.trainStep,
    retry,
    // A cancelled run closes only after its trainStep has stopped: no checkpoint is written after that.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  } as ActivityOptions);
  const started = Date.now();
  const config = await small.runConfig(input.config);
  const state = prior ?? initialState(config);
  const i = state.iteration;
  const groups = weightGroups(config);
  const ownerOf = new Map(groups.flatMap((g) => g.agents.map((a) => [a, g] as const)));

  const progress: RunProgress = {
    runId: input.runId,
    iteration: i,
    iterations: input.iterations,
    phase: 'search',
    versions: Object.fromEntries(Object.entries(state.models).map(([o, m]) => [o, m.version])),
    buffered: Object.fromEntries(state.buffers.agents.map((b) => [b.agent, b.samples.length])),
    updates: Object.fromEntries(state.buffers.agents.map((b) => [b.agent, b.updates])),
    pass1: state.pass1 ?? null,
  };
  setHandler(progressQuery, () => progress);
  upsertSearchAttributes([
    { key: RUN_ID, value: input.runId },
    { key: KIND, value: 'train' },
    { key: ITERATION, value: i },
    ...(state.pass1 ? [{ key: PASS_AT_1, value: state.pass1.value }] : []),
  ]);

  // Evaluation children: every agent with its group's weights as they are when it runs.
  const ev = input.evalProblems ? config.evaluation : null;
  const evaluate = async (after: number, models: GroupModels): Promise<EvalMetrics> => {
    progress.phase = 'eval';
    const result = await executeChild(evaluation, {
      workflowId: after < 0 ? `${input.runId}-eval-start` : `${input.runId}-eval-it${after}`,
      args: [
        {
          ...evaluationInput(config, ev!, input.evalProblems!, models, input.runId),
          ...(input.timeouts?.tree && { timeouts: input.timeouts.tree }),
        } satisfies EvaluationInput,
      ],
    });
    const value = headlinePass1(result.eval);
    if (value !== null) {
      progress.pass1 = { iteration: after, value };
      upsertSearchAttributes([{ key: PASS_AT_1, value }]);
    }
    return result.eval;
  };
  const reached = () => config.stop.targetPass1 !== null && progress.pass1 !== null && progress.pass1.value >= config.stop.targetPass1;

  // 0. Before the first iteration: the base models' point on the curves (a line of iteration −1).
  if (i === 0 && ev?.atStart) {
    const t0 = Date.now();
    const evalMetrics = await evaluate(-1, state.models);
    await small.appendMetrics({
      runId: input.runId,
      record: {
        v: 1,
        iteration: -1,
        problems: 0,
        nodes: 0,
        reward: { tests: config.rewards.tests, meanScore: null, solvedFraction: null, hack: hackFigures([]) },
        agents: {},
        trees: [],
        eval: evalMetrics,
        timing: { wallMs: Math.max(0, Math.round(Date.now() - t0)), generatedTokens: 0, trainMs: 0, trainedTokens: 0 },
      },
    });
    if (reached()) {
      progress.phase = 'done';
      progress.stoppedEarly = 'targetPass1';
      return { runId: input.runId, iterations: 0, versions: progress.versions, pass1: progress.pass1, stoppedEarly: 'targetPass1' };
    }
  }
  progress.phase = 'search';

  // 1. Trees on this iteration's batch, every agent at its group's current version.
  const P = config.rollout.problemsPerIteration;
  const problems = await small.problemBatch({ index: input.problems.index, positions: batchPositions(config.seed, i, P, input.problems.count) });
  const agents: AgentSpec[] = config.agents.map((a) => {
    const m = state.models[ownerOf.get(a.name)!.owner];
    return {
      name: a.name,
      model: m.version > 0 ? m.dir : a.model,
      ...(m.version > 0 && { version: `v${m.version}` }),
      policyVersion: m.version,
      systemPrompt: a.systemPrompt,
      thinking: a.thinking,
    };
  });
  const { agents: _names, ...search } = treeSearchConfig(config);
  const grpo = config.setup === 'grpo';
  const trees: NodeSummary[][] = await Promise.all(
    problems.map((problem, k) =>
      executeChild(searchTree, {
        workflowId: `${input.runId}-it${i}-p${k}`,
        args: [
          {
            problem,
            agents,
            budget: (grpo ? config.rollout.samplesPerProblem : config.search.budget) ?? 1,
            ...(grpo && { strategy: 'iid' as const }),
            seed: Rng.seeded(config.seed, 'tree', i, k).uint32(),
            mode: config.search.feedback === 'tplus' ? 'tplus' : 'training',
            search,
            includeProblem: config.search.includeProblem,
            expandAs: config.search.expandAs,
            sampling: { temperature: config.rollout.temperature, topP: config.rollout.topP },
            maxNewTokens: config.rollout.maxNewTokens,
            privateTests: true,
            reward: config.rewards.tests,
            runId: input.runId,
            ...(input.timeouts?.tree && { timeouts: input.timeouts.tree }),
          } satisfies SearchTreeInput,
        ],
      }),
    ),
  );

  // 2. Advantages over each whole tree; samples to their group's buffer.
  const nodes = trees.flat();
  const advantages = treeAdvantages(nodes, advantageConfig(config));
  const samples: BufferedSample[] = advantages.flatMap((a, n) => {
    const g = ownerOf.get(a.agent)!;
    return g.trainable ? [{ agent: g.owner, treeId: a.treeId, nodeId: a.nodeId, advantage: a.advantage, ref: nodes[n].refs.generation }] : [];
  });
  const { state: buffers, updates } = addRollout(state.buffers, samples, bufferConfig(config));

  // 3. One trainStep per group whose buffer fired.
  progress.phase = 'train';
  const sched = scheduleConfig(config, input.iterations);
  const o = config.optimization;
  const hyper: RlHyper = {
    lr: sched.lr,
    minLr: sched.minLr,
    warmupSteps: sched.warmupSteps,
    totalSteps: sched.totalSteps,
    maxGradNorm: o.maxGradNorm,
    adamw: (({ lr: _lr, ...rest }) => rest)(adamWConfig(config)),
    microBatchSize: o.microBatchSize,
    loss: o.loss,
    policy: policyLossConfig(config),
  };
  const models = { ...state.models };
  const trained = new Map<string, { update: AgentUpdate; out: TrainStepOutput }>();
  let trainMs = 0;
  for (const update of updates) {
    const g = groups.find((x) => x.owner === update.agent)!;
    const from = models[g.owner].version;
    const t0 = Date.now();
    const out = await trainStep({
      runId: input.runId,
      owner: g.owner,
      baseModel: g.model,
      fromVersion: from,
      samples: update.samples.map((s) => ({ generation: s.ref as Ref, advantage: s.advantage })),
      hyper,
    });
    trainMs += Date.now() - t0;
    if (out.toVersion !== from + 1) throw new Error(`trainStep for '${g.owner}' went from v${from} to v${out.toVersion}; expected v${from + 1}`);
    models[g.owner] = { version: out.toVersion, dir: out.dir };
    trained.set(g.owner, { update, out });
    progress.versions[g.owner] = out.toVersion;
  }
  progress.buffered = Object.fromEntries(buffers.agents.map((b) => [b.agent, b.samples.length]));
  progress.updates = Object.fromEntries(buffers.agents.map((b) => [b.agent, b.updates]));

  // 4. The evaluation after this iteration's updates, if one is due.
  const evalMetrics = ev && evaluatesAfter(i, input.iterations, ev.everyIterations) ? await evaluate(i, models) : null;

  // 5. The iteration's metrics line.
  progress.phase = 'metrics';
  const mean = (xs: number[]) => (xs.length === 0 ? null : xs.reduce((s, x) => s + x, 0) / xs.length);
  const agentMetrics: Record<string, AgentIterationMetrics> = {};
  for (const a of config.agents) {
    const own = nodes.filter((n) => n.agent === a.name);
    const t = trained.get(ownerOf.get(a.name)!.owner);
    const m = t?.out.metrics ?? {};
    agentMetrics[a.name] = {
      nodes: own.length,
      meanScore: mean(own.map((n) => n.score)),
      responseTokens: own.reduce((s, n) => s + n.responseTokens, 0),
      policyVersion: agents.find((s) => s.name === a.name)!.policyVersion ?? 0,
      update: t
        ? {
            step: t.update.step,
            samples: t.update.samples.length,
            dropped: t.update.dropped,
            loss: m.loss ?? 0,
            kl: m.klLoss ?? 0,
            clipFraction: m.clipFraction ?? 0,
            gradNorm: m.gradNorm ?? 0,
            lr: m.lr ?? 0,
          }
        : null,
    };
  }
  const record: IterationMetrics = {
    v: 1,
    iteration: i,
    problems: trees.length,
    nodes: nodes.length,
    reward: {
      tests: config.rewards.tests,
      meanScore: mean(nodes.map((n) => n.score)),
      solvedFraction: mean(trees.map((t) => (t.some((n) => n.score === 1) ? 1 : 0))),
      hack: hackFigures(trees.map(hackCounts)),
    },
    agents: agentMetrics,
    trees: trees.map((t, k) => ({
      problemId: problems[k].id,
      parents: t.map((n) => n.parentId ?? -1),
      agents: t.map((n) => n.agent),
      scores: t.map((n) => n.score),
    })),
    eval: evalMetrics,
    timing: {
      wallMs: Math.max(0, Math.round(Date.now() - started)),
      generatedTokens: nodes.reduce((s, n) => s + n.responseTokens, 0),
      trainMs: Math.max(0, Math.round(trainMs)),
      trainedTokens: Math.round([...trained.values()].reduce((s, t) => s + (t.out.metrics.tokens ?? 0), 0)),
    },
  };
  await small.appendMetrics({ runId: input.runId, record });

  const next: TrainingRunState = { iteration: i + 1, models, buffers, ...(progress.pass1 && { pass1: progress.pass1 }) };
  const stop = reached();
  if (next.iteration < input.iterations && !stop) {
    // Every child has been awaited above: nothing running is cut off (temporal.md §1.3).
    return continueAsNew<typeof trainingRun>(input, next);
  }
  progress.phase = 'done';
  if (stop && next.iteration < input.iterations) progress.stoppedEarly = 'targetPass1';
  return {
    runId: input.runId,
    iterations: next.iteration,
    versions: progress.versions,
    pass1: progress.pass1,
    ...(progress.stoppedEarly && { stoppedEarly: progress.stoppedEarly }),
  };
}
