// trainingRun's logic on fake activities (part of the fast tier, test/workflows/fast.test.ts): evaluation
// cadence, early stop on stop.targetPass1, what continue-as-new carries, the GRPO set-up, weight groups
// and cancellation inside a trainStep and inside a tree's expand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CancelledFailure, WorkflowFailedError, type Client, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { RunConfigInput } from '../../../src/config/schema';
import { trainingRun } from '../../../src/workflows';
import { ITERATION, KIND, PASS_AT_1, RUN_ID } from '../../../src/contracts/searchAttributes';
import { withFakes } from './env';
import { CONFIG, EVAL, fakeWorld, generationRef, TRAIN, type FakeWorld, type WorldOptions } from './fakes';
import type { TrainingRunInput, TrainingRunResult, TrainingRunState } from '../../../src/contracts';

/** One agent 'a', 2 problems per iteration, trees of 2 nodes, a buffer that fires every iteration. */
function config(runId: string, over: Partial<RunConfigInput> = {}): RunConfigInput {
  return {
    runId,
    seed: 1,
    setup: 'single',
    datasets: { train: { path: 'train.jsonl' }, eval: null },
    agents: [{ name: 'a', model: '/models/a' }],
    search: { budget: 2 },
    rollout: { problemsPerIteration: 2, maxNewTokens: 16 },
    rewards: { overlong: null },
    optimization: { trainBatchSize: 2, schedule: { kind: 'constant' } },
    evaluation: null,
    ...over,
  };
}

const withEval = (evaluation: NonNullable<RunConfigInput['evaluation']>): Partial<RunConfigInput> => ({
  datasets: { train: { path: 'train.jsonl' }, eval: { path: 'eval.jsonl' } },
  evaluation: { budget: 1, modes: ['agent'], ...evaluation },
});

function input(c: RunConfigInput, iterations: number, timeouts?: TrainingRunInput['timeouts']): TrainingRunInput {
  return {
    runId: c.runId,
    config: CONFIG,
    problems: { index: TRAIN, count: 4 },
    ...(c.datasets.eval && { evalProblems: { index: EVAL, count: 2 } }),
    iterations,
    ...(timeouts && { timeouts }),
  };
}

/** Runs the whole training run on `world`'s fakes; also returns the client for history reads. */
async function train(world: FakeWorld, runInput: TrainingRunInput): Promise<{ result: TrainingRunResult; client: Client; handle: WorkflowHandleWithFirstExecutionRunId<typeof trainingRun> }> {
  return withFakes(runInput.runId, world.activities, async (client, taskQueue) => {
    const handle = await client.workflow.start(trainingRun, { taskQueue, workflowId: runInput.runId, args: [runInput] });
    return { result: await handle.result(), client, handle };
  });
}

/** The execution that `runId` continued as, and the state it handed over (undefined for the last). */
async function continuedAs(client: Client, workflowId: string, runId: string): Promise<{ runId: string; state: TrainingRunState } | undefined> {
  const { events } = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  const next = events?.find((e) => e.workflowExecutionContinuedAsNewEventAttributes)?.workflowExecutionContinuedAsNewEventAttributes;
  if (!next?.newExecutionRunId) return undefined;
  return { runId: next.newExecutionRunId, state: defaultPayloadConverter.fromPayload<TrainingRunState>(next.input!.payloads![1]) };
}

function world(c: RunConfigInput, options: Omit<WorldOptions, 'config'> = {}): FakeWorld {
  return fakeWorld({ config: c, ...options });
}

/** The policy version and weights each evaluation child ran with, by child id. */
function evaluated(w: FakeWorld, runId: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const { workflowId, input: e } of w.expand) {
    const child = /^(.*-eval-(?:start|it\d+))-/.exec(workflowId)?.[1];
    if (child === undefined) continue;
    (out[child.slice(runId.length + 1)] ??= []).push(`${e.agent.name}@v${e.agent.policyVersion} ${e.agent.model}`);
  }
  return out;
}

// One run serves the cadence and the carry tests: 3 iterations, evaluations before training, every 2
// iterations and after the last; 4 samples an iteration against a buffer threshold of 6 with leftovers
// kept, so the group trains at iteration 1 (8 → 2 left) and 2 (2 + 4). The base weights solve eval-0,
// trained ones both held-out problems.
const carryConfig = config('fast-carry', {
  ...withEval({ everyIterations: 2, atStart: true }),
  optimization: { trainBatchSize: 6, bufferRemainder: 'keep', schedule: { kind: 'constant' } },
});
const carryWorld = world(carryConfig, { solves: (a, problem) => ({ public: true, private: problem === 'eval-0' || (a.policyVersion ?? 0) > 0 }) });
let carryRun: ReturnType<typeof train> | undefined;
const carry = () => (carryRun ??= train(carryWorld, input(carryConfig, 3)));

test('evaluation cadence: before training, every everyIterations and after the last, each with the weights of its time', async () => {
  const { result, handle } = await carry();
  assert.deepEqual(result, { runId: carryConfig.runId, iterations: 3, versions: { a: 2 }, pass1: { iteration: 2, value: 1 } });
  assert.deepEqual(carryWorld.metrics.map((m) => [m.iteration, m.eval !== null]), [[-1, true], [0, false], [1, true], [2, true]]);
  assert.deepEqual(evaluated(carryWorld, carryConfig.runId), {
    'eval-start': ['a@v0 /models/a', 'a@v0 /models/a'],
    'eval-it1': ['a@v1 /ckpt/a/v1', 'a@v1 /ckpt/a/v1'],
    'eval-it2': ['a@v2 /ckpt/a/v2', 'a@v2 /ckpt/a/v2'],
  });
  assert.ok(carryWorld.expand.filter((e) => e.workflowId.includes('-eval-')).every((e) => e.input.privateTests), 'evaluation nodes run the private tests');
  const attributes = (await handle.describe()).typedSearchAttributes;
  assert.deepEqual([attributes.get(RUN_ID), attributes.get(KIND), attributes.get(ITERATION), attributes.get(PASS_AT_1)], [carryConfig.runId, 'train', 2, 1]);
});

test('continue-as-new carries the iteration, each group version and checkpoint, the buffers and the last Pass@1', async () => {
  const { client, handle } = await carry();
  // The state each execution handed to the next, read from the ContinuedAsNew events of the chain.
  const carried: TrainingRunState[] = [];
  for (let run = await continuedAs(client, carryConfig.runId, handle.firstExecutionRunId); run; run = await continuedAs(client, carryConfig.runId, run.runId)) {
    carried.push(run.state);
  }
  const summary = carried.map((s) => ({
    iteration: s.iteration,
    models: s.models,
    buffered: s.buffers.agents.map((b) => [b.agent, b.samples.length, b.updates]),
    pass1: s.pass1,
  }));
  assert.deepEqual(summary, [
    { iteration: 1, models: { a: { version: 0, dir: '' } }, buffered: [['a', 4, 0]], pass1: { iteration: -1, value: 0.5 } },
    { iteration: 2, models: { a: { version: 1, dir: '/ckpt/a/v1' } }, buffered: [['a', 2, 1]], pass1: { iteration: 1, value: 1 } },
  ]);
  // The first update trained on iteration 0's nodes too: their refs crossed continue-as-new in the buffer.
  const [first, second] = carryWorld.trainStep.map((t) => t.input);
  const it0 = new Set(carryWorld.expand.filter((e) => e.workflowId.startsWith(`${carryConfig.runId}-it0-`)).map((e) => generationRef(e.input)));
  assert.equal(first.samples.length, 6);
  assert.equal(first.samples.filter((s) => it0.has(s.generation)).length, 4);
  assert.deepEqual([first.fromVersion, second.fromVersion, second.samples.length], [0, 1, 6]);
});

test('stop.targetPass1: the run ends after the evaluation that reaches it', async () => {
  const c = config('fast-target', { ...withEval({ everyIterations: 1, atStart: true }), stop: { targetPass1: 0.5 } });
  // Only trained weights solve anything: the evaluation before training scores 0, the one after iteration 0 scores 1.
  const w = world(c, { solves: (a) => ({ public: (a.policyVersion ?? 0) > 0, private: (a.policyVersion ?? 0) > 0 }) });
  const { result, handle } = await train(w, input(c, 4));
  assert.deepEqual(result, { runId: c.runId, iterations: 1, versions: { a: 1 }, pass1: { iteration: 0, value: 1 }, stoppedEarly: 'targetPass1' });
  assert.deepEqual(w.metrics.map((m) => m.iteration), [-1, 0]);
  assert.equal(w.expand.filter((e) => e.workflowId.includes('-it1-')).length, 0, 'no tree of iteration 1');
  assert.deepEqual((await handle.describe()).typedSearchAttributes.get(PASS_AT_1), 1);
});

test('stop.targetPass1 reached by the base models: no iteration runs', async () => {
  const c = config('fast-target-start', { ...withEval({ everyIterations: 1, atStart: true }), stop: { targetPass1: 0.5 } });
  const w = world(c, { solves: () => ({ public: true, private: true }) });
  const { result } = await train(w, input(c, 4));
  assert.deepEqual(result, { runId: c.runId, iterations: 0, versions: { a: 0 }, pass1: { iteration: -1, value: 1 }, stoppedEarly: 'targetPass1' });
  assert.deepEqual(w.metrics.map((m) => m.iteration), [-1]);
  assert.equal(w.trainStep.length, 0);
});

test('the GRPO set-up: samplesPerProblem i.i.d. samples from the root by the one agent, advantages normalised per group', async () => {
  const c = config('fast-grpo', { setup: 'grpo', search: {}, rollout: { problemsPerIteration: 2, samplesPerProblem: 4, maxNewTokens: 16 }, optimization: { trainBatchSize: 8, schedule: { kind: 'constant' } } });
  const w = world(c, { solves: (_a, _p, k) => ({ public: k % 2 === 0, private: k % 2 === 0 }) });
  await train(w, input(c, 1));
  assert.ok(w.expand.every((e) => e.workflowId === c.runId), 'a GRPO group runs in the training run, not as a child tree');
  const problems = [...new Set(w.expand.map((e) => e.input.problem))];
  assert.equal(problems.length, 2);
  for (const problem of problems) {
    const group = w.expand.filter((e) => e.input.problem === problem).map((e) => e.input);
    assert.equal(group.length, 4);
    assert.ok(group.every((e) => e.parent === null && e.agent.name === 'a'), 'every sample is a child of the root');
    assert.equal(new Set(group.map((e) => e.seed)).size, 4, 'each sample has its own seed');
  }
  assert.deepEqual(w.metrics[0].trees.map((t) => t.parents), [[-1, -1, -1, -1], [-1, -1, -1, -1]]);
  const [step] = w.trainStep.map((t) => t.input);
  assert.equal(step.samples.length, 8);
  for (const k of [0, 1]) {
    const group = step.samples.slice(4 * k, 4 * k + 4).map((s) => s.advantage);
    assert.ok(Math.abs(group.reduce((s, x) => s + x, 0)) < 1e-9, `group ${k} sums to 0: ${group}`);
    assert.deepEqual(group.map(Math.sign), [1, -1, 1, -1], 'solved samples above the group mean');
  }
});

test('optimization.skipZeroAdvantage: samples of a group whose rewards are all equal never reach a buffer, so a step holds only samples with a signal', async () => {
  const base = { setup: 'grpo' as const, search: {}, rollout: { problemsPerIteration: 2, samplesPerProblem: 4, maxNewTokens: 16 } };
  // One problem of each batch is half solved, the other solved by no sample (its group's advantages are 0).
  const solves = (_a: unknown, problem: string, k: number) => {
    const mixed = problem === 'train-0' || problem === 'train-2';
    return { public: mixed && k % 2 === 0, private: mixed && k % 2 === 0 };
  };
  const off = config('fast-skip-off', { ...base, optimization: { trainBatchSize: 4, schedule: { kind: 'constant' } } });
  const on = config('fast-skip-on', { ...base, optimization: { trainBatchSize: 4, skipZeroAdvantage: true, schedule: { kind: 'constant' } } });
  const [wOff, wOn] = [world(off, { solves }), world(on, { solves })];
  await Promise.all([train(wOff, input(off, 1)), train(wOn, input(on, 1))]);
  const problems = wOn.metrics[0].trees.map((t) => t.problemId);
  assert.equal(problems.filter((p) => p === 'train-0' || p === 'train-2').length, 1, `one mixed problem in the batch: ${problems}`);
  assert.deepEqual(wOff.trainStep.map((t) => t.input.samples.length), [8], 'off: every sample counts, zero advantages too');
  assert.ok(wOff.trainStep[0].input.samples.some((s) => s.advantage === 0));
  assert.deepEqual(wOn.trainStep.map((t) => t.input.samples.length), [4], 'on: the mixed group alone');
  assert.ok(wOn.trainStep[0].input.samples.every((s) => s.advantage !== 0));
});

/** Two trees of 4 nodes an iteration, and a buffer that fires on any sample. */
const treesOf4: Partial<RunConfigInput> = {
  search: { budget: 4 },
  rollout: { problemsPerIteration: 2, maxNewTokens: 16 },
  optimization: { trainBatchSize: 2, schedule: { kind: 'constant' } },
};

test('homogeneous roles are one weight group: one buffer, one trainStep by the owner, one checkpoint chain for every role', async () => {
  const c = config('fast-homo', {
    setup: 'homogeneous',
    agents: [
      { name: 'solver', model: '/models/base', systemPrompt: 'Solve it.' },
      { name: 'fixer', systemPrompt: 'Fix it.' },
    ],
    ...treesOf4,
  });
  const w = world(c);
  const { result } = await train(w, input(c, 2));
  assert.deepEqual(result.versions, { solver: 2 });
  assert.deepEqual(w.trainStep.map((t) => [t.input.owner, t.input.baseModel, t.input.fromVersion, t.input.samples.length]), [
    ['solver', '/models/base', 0, 8],
    ['solver', '/models/base', 1, 8],
  ]);
  const it0 = w.expand.filter((e) => e.workflowId.includes('-it0-')).map((e) => generationRef(e.input));
  assert.deepEqual(new Set(w.trainStep[0].input.samples.map((s) => s.generation)), new Set(it0), "every node of iteration 0, whichever role, is a sample of the group's first step");
  const roles = new Set(w.trainStep[0].input.samples.map((s) => /-(solver|fixer)-\d+$/.exec(s.generation)?.[1]));
  assert.deepEqual([...roles].sort(), ['fixer', 'solver'], 'both roles feed the one buffer');
  const it1 = w.expand.filter((e) => e.workflowId.includes('-it1-')).map((e) => e.input.agent);
  assert.ok(it1.length > 0 && it1.every((a) => a.model === '/ckpt/solver/v1' && a.policyVersion === 1), 'every role generates with the shared v1');
  assert.deepEqual(new Set(it1.map((a) => `${a.name}: ${a.systemPrompt}`)), new Set(['solver: Solve it.', 'fixer: Fix it.']));
});

test('a frozen agent keeps its base weights, and its nodes train nobody', async () => {
  const c = config('fast-frozen', {
    setup: 'heterogeneous',
    agents: [
      { name: 'a', model: '/models/a' },
      { name: 'b', model: '/models/b', trainable: false },
    ],
    ...treesOf4,
  });
  const w = world(c);
  const { result } = await train(w, input(c, 2));
  assert.deepEqual(result.versions, { a: 2, b: 0 });
  assert.deepEqual(w.trainStep.map((t) => t.input.owner), ['a', 'a']);
  assert.ok(w.trainStep.every((t) => t.input.samples.every((s) => /-a-\d+$/.test(s.generation))), "only a's nodes are a's samples");
  const it1 = w.expand.filter((e) => e.workflowId.includes('-it1-')).map((e) => `${e.input.agent.name}@v${e.input.agent.policyVersion} ${e.input.agent.model}`);
  assert.deepEqual(new Set(it1), new Set(['a@v1 /ckpt/a/v1', 'b@v0 /models/b']));
  assert.equal(w.metrics[1].agents.b.update, null);
});

/** Starts a run whose `hang` activity blocks, cancels it once that activity runs, and returns what happened. */
async function cancelInside(hang: 'trainStep' | 'expand', runId: string): Promise<{ w: FakeWorld; status: (id: string) => Promise<string> }> {
  const c = config(runId);
  const w = world(c, { hang });
  // Short heartbeat timeouts: the cancellation reaches a heartbeating activity within ~0.8 s.
  const runInput = input(c, 2, { trainStep: { heartbeatTimeout: '1s' }, tree: { expand: { heartbeatTimeout: '1s' } } });
  return withFakes(runId, w.activities, async (client, taskQueue) => {
    const handle = await client.workflow.start(trainingRun, { taskQueue, workflowId: runId, args: [runInput] });
    await w.hung;
    await handle.cancel();
    await assert.rejects(handle.result(), (err: unknown) => err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure);
    await w.cancelled;
    const status = async (id: string) => (await client.workflow.getHandle(id).describe()).status.name;
    return { w, status };
  });
}

test('cancelling a run inside a trainStep cancels the step; no metrics line, no other step', async () => {
  const { w, status } = await cancelInside('trainStep', 'fast-cancel-train');
  assert.equal(await status('fast-cancel-train'), 'CANCELLED');
  assert.equal(w.trainStep.length, 1);
  assert.deepEqual(w.metrics, []);
});

test('cancelling a run inside an expand cancels its trees and their expands; nothing trains', async () => {
  const { w, status } = await cancelInside('expand', 'fast-cancel-expand');
  assert.equal(await status('fast-cancel-expand'), 'CANCELLED');
  assert.equal(await status('fast-cancel-expand-it0-p0'), 'CANCELLED');
  assert.deepEqual([w.trainStep.length, w.metrics.length], [0, 0]);
  assert.equal(w.expand.length, 2, 'one expand per tree, none after the cancel');
});
