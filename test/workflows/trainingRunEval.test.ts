// trainingRun with periodic evaluation children, on the vanilla GRPO set-up (real stack, tiny real
// model): 2 iterations × 2 MBPP problems × 2 i.i.d. samples, evaluation before training and after the
// last iteration (everyIterations 2) on 2 held-out problems in both modes. Checks: the GRPO groups are
// flat (every node a child of the root), the metrics lines are −1 (eval only), 0 (no eval), 1 (eval),
// the eval children exist under their ids and evaluated the weights of their time (v0 before training,
// v2 after), progress and Mars2Pass1 carry the headline Pass@1. The run sets search.expandAs 'local',
// which reaches both kinds of trees.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { EvaluationResult } from '../../src/contracts';
import { parseMetrics } from '../../src/report/metrics';
import { prepareTrainingRun } from '../../src/cli/prepare';
import { trainingRun } from '../../src/workflows';
import { treeQuery, progressQuery } from '../../src/workflows/shared';
import { headlinePass1 } from '../../src/rl/metrics';
import { evaluatesAfter } from '../../src/workflows/trainingRun';
import { MBPP, writeRunConfig } from '../helpers/runConfig';
import { treeFixture, type TreeFixture } from '../helpers/searchTree';
import { runLayout } from '../../src/store/layout';
import { mars2 } from '../helpers/cli';

let f: TreeFixture;
before(async () => {
  f = await treeFixture();
});
after(async () => {
  await f.client.connection.close();
});

const summary = (pass1: number, pass1Mcts = pass1) => ({ trees: 2, pass1, pass1Mcts, passN: pass1Mcts, avgPass1: pass1, hack: { hacked: 0, checked: 0, rate: null } });

test('headlinePass1: the joint tree when system mode ran, else the mean over agents', () => {
  assert.equal(headlinePass1({ agent: { a: summary(0.5), b: summary(0) }, system: { system: summary(0.25, 0.75), agents: {} } }), 0.75);
  assert.equal(headlinePass1({ agent: { a: summary(0.5), b: summary(0) } }), 0.25);
  assert.equal(headlinePass1({}), null);
});

test('evaluatesAfter: every N iterations and after the last one', () => {
  assert.deepEqual([0, 1, 2, 3, 4].map((i) => evaluatesAfter(i, 5, 2)), [false, true, false, true, true]);
  assert.deepEqual([0, 1].map((i) => evaluatesAfter(i, 2, 4)), [false, true]);
});

test('a GRPO run with evaluations before training and after the last iteration, both modes', async () => {
  const runId = `test-grpo-eval-${Date.now()}`;
  const file = writeRunConfig(f, {
    runId,
    seed: 3,
    setup: 'grpo',
    datasets: { train: { path: MBPP, format: 'mbpp', limit: 2 }, eval: { path: MBPP, format: 'mbpp', limit: 4 } },
    search: { expandAs: 'local' },
    rollout: { problemsPerIteration: 2, samplesPerProblem: 2, maxNewTokens: 16, promptMaxTokens: 1024 },
    evaluation: { everyIterations: 2, atStart: true, problems: 2, budget: 1, modes: ['agent', 'system'] },
  });
  const workerLog = join(f.cfg.home, 'logs', 'worker.log');
  const logFrom = statSync(workerLog).size;
  const { input } = await prepareTrainingRun(f.store, file);
  assert.equal(input.evalProblems?.count, 2, 'evaluation.problems caps the held-out set');
  const handle = await f.client.workflow.start(trainingRun, { taskQueue: f.cfg.taskQueue, workflowId: runId, args: [input] });
  const result = await handle.result();
  assert.equal(result.iterations, 2);
  assert.deepEqual(result.versions, { qwen2: 2 });
  assert.equal(result.pass1?.iteration, 1);

  const records = parseMetrics(readFileSync(runLayout(f.store.root, runId).metrics, 'utf8'));
  assert.deepEqual(records.map((r) => r.iteration), [-1, 0, 1]);
  assert.deepEqual(records.map((r) => r.eval !== null), [true, false, true]);
  assert.deepEqual(records.map((r) => r.nodes), [0, 4, 4]);
  for (const r of records.slice(1)) {
    for (const t of r.trees) assert.deepEqual(t.parents, [-1, -1], 'a GRPO group: i.i.d. samples, all children of the root');
  }
  for (const r of [records[0], records[2]]) {
    assert.equal(r.eval!.agent!.qwen2.trees, 2);
    assert.equal(r.eval!.system!.system.trees, 2);
    // MBPP: 1 public and 2 private asserts, so every evaluation node counts toward the hack rate.
    assert.equal(r.eval!.agent!.qwen2.hack.checked, 2);
    assert.equal(r.eval!.system!.system.hack.checked, 2);
  }
  for (const r of records.slice(1)) assert.equal(r.reward.hack.checked, 4, 'GRPO nodes run both test sets too');
  assert.equal(result.pass1!.value, headlinePass1(records[2].eval!));

  // The children, under their ids, with the weights of their time.
  const start: EvaluationResult = await f.client.workflow.getHandle(`${runId}-eval-start`).result();
  const last: EvaluationResult = await f.client.workflow.getHandle(`${runId}-eval-it1`).result();
  assert.deepEqual(start.eval, records[0].eval);
  assert.deepEqual(last.eval, records[2].eval);
  const versionsOf = async (treeId: string) => (await f.client.workflow.getHandle(treeId).query(treeQuery)).map((n) => n.policyVersion);
  assert.deepEqual(await versionsOf(`${runId}-eval-start-sys-p0`), [0]);
  assert.deepEqual(await versionsOf(`${runId}-eval-it1-agent-qwen2-p1`), [2]);
  await assert.rejects(f.client.workflow.getHandle(`${runId}-eval-it0`).describe(), /not found/i, 'no evaluation after iteration 0');

  // search.expandAs 'local' reaches the training groups (run in the training run: no child per group)
  // and the evaluation trees: markers, no expand activity.
  await assert.rejects(f.client.workflow.getHandle(`${runId}-it0-p0`).describe(), /not found/i, 'a GRPO group is not a child workflow');
  // …and `mars2 tree` still reads it, from the run's metrics line.
  const shown = mars2(['tree', `${runId}-it1-p1`, '--json']);
  assert.equal(shown.status, 0, shown.stderr);
  const group = JSON.parse(shown.stdout).group as { iteration: number; problemId: string; scores: number[] };
  assert.deepEqual(group, { ...group, iteration: 1, problemId: records[2].trees[1].problemId, scores: records[2].trees[1].scores });
  assert.match(mars2(['tree', `${runId}-it1-p1`]).stdout, /a GRPO group, run inside training run/);
  const firstRun = (await f.client.workflow.getHandle(runId).describe()).raw.workflowExecutionInfo?.firstRunId ?? undefined;
  for (const [tree, run] of [[runId, firstRun], [`${runId}-eval-it1-sys-p0`, undefined]] as const) {
    const events = (await f.client.workflow.getHandle(tree, run).fetchHistory()).events ?? [];
    assert.ok(events.some((e) => e.markerRecordedEventAttributes), `${tree} ran its expands as local activities`);
    const types = events.flatMap((e) => (e.activityTaskScheduledEventAttributes ? [e.activityTaskScheduledEventAttributes.activityType?.name] : []));
    assert.ok(!types.some((t) => t === 'expand' || t === 'expandBatch'), `${tree} scheduled no expand activity: ${types.join(', ')}`);
  }
  // A healthy local-mode run logs no refused heartbeat (local activities have none).
  const logged = readFileSync(workerLog, 'utf8').slice(logFrom);
  assert.doesNotMatch(logged, /heartbeat failed|UnknownActivity/i, 'the worker log holds refused heartbeats');

  const progress = await handle.query(progressQuery);
  assert.deepEqual(progress.pass1, result.pass1);
  const desc = await handle.describe();
  assert.deepEqual(desc.searchAttributes.Mars2Pass1, [result.pass1!.value]);
});
