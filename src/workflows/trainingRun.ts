// A MARS² training run (DESIGN §4, §5). One workflow execution is one iteration, then continue-as-new
// with a small state (iteration, each weight group's version and checkpoint, buffers of sample refs):
//   [evaluation before training] → problemBatch → one child searchTree per problem → treeAdvantages
//   → buffers → trainStep per group whose buffer fired (v → v+1) → [evaluation] → appendMetrics.
// Seeds: iteration i's batch is positions i·P … i·P+P−1 of epoch-wise permutations (Rng.seeded(seed,
// 'epoch', e)), tree k searches with Rng.seeded(seed, 'tree', i, k). Evaluations are children
// `<run>-eval-start` and `<run>-eval-it<i>`; their headline Pass@1 is upserted (Mars2Pass1) and
// stop.targetPass1 ends the run early.
// Departures: buffers are per weight group, so shared-weight roles feed one buffer and one checkpoint
// chain; optimization.epochs is not applied (one optimizer step per update); the 'grpo' set-up runs its
// group of i.i.d. samples as a tree with strategy 'iid' (growTree, the searchTree child's body, run in this
// workflow), so every set-up shares one code path.
import { continueAsNew, executeChild, patched, proxyActivities, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { advantageConfig, agentSpec, bufferConfig, evaluationInput, rlHyper, runAgents, trainingTreeInput, weightGroups, type WeightGroup } from '../config/components';
import type { RunConfig } from '../config/schema';
import type { EvalMetrics, GroupModels, RunProgress, TrainingRunInput, TrainingRunResult, TrainingRunState } from '../contracts';
import { treeAdvantages } from '../rl/advantage';
import { addRollout, initBuffers, type BufferedSample } from '../rl/buffers';
import { headlinePass1 } from '../rl/metrics';
import { Rng } from '../search/rng';
import type { Ref } from '../store';
import { evaluation } from './evaluation';
import { baselineRecord, iterationRecord, type GroupUpdate } from './iteration';
import { allStopped, SMALL, TRAIN_STEP_TIMEOUTS, withTimeouts } from './options';
import { ITERATION, KIND, PASS_AT_1, RUN_ID } from '../contracts/searchAttributes';
import { growTree, searchTree } from './searchTree';
import { progressQuery } from './shared';

/** The patch marker of GRPO groups run inside the training run rather than as searchTree children. */
export const GROUPS_INLINE = 'grpo-groups-inline';

/** Whether an evaluation follows iteration `i` (0-based) of `iterations`. */
export function evaluatesAfter(i: number, iterations: number, everyIterations: number): boolean {
  return (i + 1) % everyIterations === 0 || i + 1 === iterations;
}

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
  const small = proxyActivities<Activities>(SMALL);
  const { trainStep } = proxyActivities<Activities>(withTimeouts(TRAIN_STEP_TIMEOUTS, input.timeouts?.trainStep));
  const started = Date.now();
  const config = await small.runConfig(input.config);
  const state = prior ?? initialState(config);
  const i = state.iteration;
  const groups = weightGroups(config);
  const groupOf = new Map<string, WeightGroup>(groups.flatMap((g) => g.agents.map((a) => [a, g] as const)));
  const progress = startProgress(input, state);

  // Evaluation children: every agent with its group's weights as they are when it runs.
  const ev = input.evalProblems ? config.evaluation : null;
  const evaluate = async (after: number, models: GroupModels): Promise<EvalMetrics> => {
    progress.phase = 'eval';
    const result = await executeChild(evaluation, {
      workflowId: after < 0 ? `${input.runId}-eval-start` : `${input.runId}-eval-it${after}`,
      args: [{ ...evaluationInput(config, ev!, input.evalProblems!, models, input.runId), ...(input.timeouts?.tree && { timeouts: input.timeouts.tree }) }],
    });
    const value = headlinePass1(result.eval);
    if (value !== null) {
      progress.pass1 = { iteration: after, value };
      upsertSearchAttributes([{ key: PASS_AT_1, value }]);
    }
    return result.eval;
  };
  const reached = () => config.stop.targetPass1 !== null && progress.pass1 !== null && progress.pass1.value >= config.stop.targetPass1;

  // 0. Before the first iteration: the base models' point on the curves.
  if (i === 0 && ev?.atStart) {
    const t0 = Date.now();
    await small.appendMetrics({ runId: input.runId, record: baselineRecord(config.rewards.tests, await evaluate(-1, state.models), Date.now() - t0), startedAtMs: t0 });
    if (reached()) return finish(input, progress, 0, true);
  }

  // 1. Trees on this iteration's batch, every agent at its group's current version.
  progress.phase = 'search';
  const P = config.rollout.problemsPerIteration;
  const problems = await small.problemBatch({ index: input.problems.index, positions: batchPositions(config.seed, i, P, input.problems.count) });
  const agents = runAgents(config, state.models).map(agentSpec);
  // A GRPO group (strategy 'iid': no search) runs in this workflow, its id the child's it would have been:
  // 16 children cost 32 workflow tasks in series on the worker's workflow thread, which staggered the
  // groups' generations over ~0.3 s and put ~0.15 s after the last one (bench/README.md "rl-loop").
  // Histories of older runs, whose groups were children, replay as they ran (the patch marker).
  const trees = await allStopped(
    problems.map((problem, k) => {
      const workflowId = `${input.runId}-it${i}-p${k}`;
      const tree = { ...trainingTreeInput(config, problem, agents, i, k, input.runId), ...(input.timeouts?.tree && { timeouts: input.timeouts.tree }) };
      return tree.strategy === 'iid' && patched(GROUPS_INLINE) ? growTree(tree, workflowId) : executeChild(searchTree, { workflowId, args: [tree] });
    }),
  );

  // 2. Advantages over each whole tree; samples to their group's buffer.
  const nodes = trees.flat();
  // With optimization.skipZeroAdvantage a sample whose advantage is 0 (its group all passed or all failed)
  // never enters a buffer, so every update holds trainBatchSize samples that carry a signal (DAPO's dynamic
  // sampling, per sample): a batch that almost nothing solves no longer becomes one full-size Adam step
  // taken on the few samples that differ (docs/results.md).
  const skipZero = config.optimization.skipZeroAdvantage === true; // absent in configs of older runs
  const samples: BufferedSample[] = treeAdvantages(nodes, advantageConfig(config)).flatMap((a, n) => {
    const g = groupOf.get(a.agent)!;
    return g.trainable && !(skipZero && a.advantage === 0) ? [{ agent: g.owner, treeId: a.treeId, nodeId: a.nodeId, advantage: a.advantage, ref: nodes[n].refs.generation }] : [];
  });
  const { state: buffers, updates } = addRollout(state.buffers, samples, bufferConfig(config));

  // 3. One trainStep per group whose buffer fired: v → v+1, which the next trees generate with.
  progress.phase = 'train';
  const models = { ...state.models };
  const trained = new Map<string, GroupUpdate>();
  const t0 = Date.now();
  for (const update of updates) {
    const g = groups.find((x) => x.owner === update.agent)!;
    const from = models[g.owner].version;
    const samples = update.samples.map((s) => ({ generation: s.ref as Ref, advantage: s.advantage }));
    const out = await trainStep({ runId: input.runId, owner: g.owner, baseModel: g.model, fromVersion: from, samples, hyper: rlHyper(config, input.iterations, g.owner) });
    if (out.toVersion !== from + 1) throw new Error(`trainStep for '${g.owner}' went from v${from} to v${out.toVersion}; expected v${from + 1}`);
    models[g.owner] = { version: out.toVersion, dir: out.dir };
    trained.set(g.owner, { update, metrics: out.metrics });
    progress.versions[g.owner] = out.toVersion;
  }
  const trainMs = Date.now() - t0;
  progress.buffered = Object.fromEntries(buffers.agents.map((b) => [b.agent, b.samples.length]));
  progress.updates = Object.fromEntries(buffers.agents.map((b) => [b.agent, b.updates]));

  // 4. The evaluation after this iteration's updates, if one is due; 5. the iteration's metrics line.
  const evalMetrics = ev && evaluatesAfter(i, input.iterations, ev.everyIterations) ? await evaluate(i, models) : null;
  progress.phase = 'metrics';
  const record = iterationRecord({
    iteration: i,
    rewardTests: config.rewards.tests,
    problemIds: problems.map((p) => p.id),
    trees,
    agents: agents.map((a) => ({ name: a.name, owner: groupOf.get(a.name)!.owner, policyVersion: a.policyVersion ?? 0 })),
    updates: trained,
    eval: evalMetrics,
    wallMs: Date.now() - started,
    trainMs,
  });
  await small.appendMetrics({ runId: input.runId, record, startedAtMs: started });

  const next: TrainingRunState = { iteration: i + 1, models, buffers, ...(progress.pass1 && { pass1: progress.pass1 }) };
  const stop = reached();
  // Every child has been awaited above: nothing running is cut off (temporal.md §1.3).
  if (next.iteration < input.iterations && !stop) return continueAsNew<typeof trainingRun>(input, next);
  return finish(input, progress, next.iteration, stop && next.iteration < input.iterations);
}

/** The live progress of iteration `state.iteration` (the `progress` query), and the run's search attributes. */
function startProgress(input: TrainingRunInput, state: TrainingRunState): RunProgress {
  const progress: RunProgress = {
    runId: input.runId,
    iteration: state.iteration,
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
    { key: ITERATION, value: state.iteration },
    ...(state.pass1 ? [{ key: PASS_AT_1, value: state.pass1.value }] : []),
  ]);
  return progress;
}

function finish(input: TrainingRunInput, progress: RunProgress, iterations: number, stoppedEarly: boolean): TrainingRunResult {
  progress.phase = 'done';
  if (stoppedEarly) progress.stoppedEarly = 'targetPass1';
  return { runId: input.runId, iterations, versions: progress.versions, pass1: progress.pass1, ...(stoppedEarly && { stoppedEarly: 'targetPass1' as const }) };
}
