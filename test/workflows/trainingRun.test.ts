// trainingRun on the real stack (dev server, background worker, sandbox, a tiny real model): a
// single-agent tree-RL run of 2 iterations × 2 MBPP problems × budget 2, train batch 2, so the agent's
// buffer fires every iteration. Through the CLI: the run finishes, a second `train` attaches instead of
// starting another, `status` and `runs` answer; checkpoints v1, v2 exist (exactly one per step), the
// metrics file has one line per iteration. Crash: the worker is SIGKILLed during a trainStep and
// started again; the run finishes and every training step is counted exactly once. Cancel: `mars2
// cancel` mid-tree ends the run and its open trees cancelled, before any training step.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseMetrics } from '../../src/report/metrics';
import { prepareTrainingRun } from '../../src/cli/prepare';
import { crashWorker, up } from '../../src/stack';
import type { Store } from '../../src/store';
import { trainingRun } from '../../src/workflows';
import { writeRunConfig } from '../helpers/runConfig';
import { treeFixture, type TreeFixture } from '../helpers/searchTree';
import { PENDING_ACTIVITY_STATE_STARTED, activityRunning, trainSteps } from '../helpers/trainRun';
import { runLayout } from '../../src/store/layout';
import { mars2 as cli } from '../helpers/cli';

const mars2 = (...args: string[]) => cli(args, { timeoutMs: 600_000 });

let f: TreeFixture;
before(async () => {
  f = await treeFixture();
});
after(async () => {
  await f.client.connection.close();
});

/** Checks the run's checkpoints and metrics: versions v1, v2 once each, one metrics line per iteration. */
function checkRun(store: Store, runId: string): void {
  const ckpt = join(runLayout(store.root, runId).checkpoints, 'qwen2');
  assert.deepEqual(readdirSync(ckpt).filter((n) => !n.includes('.tmp')).sort(), ['v1', 'v2'], 'one checkpoint per training step, contiguous');
  for (const v of ['v1', 'v2']) assert.ok(existsSync(join(ckpt, v, 'config.json')));
  const records = parseMetrics(readFileSync(runLayout(store.root, runId).metrics, 'utf8'));
  assert.deepEqual(records.map((r) => r.iteration), [0, 1]);
  assert.deepEqual(records.map((r) => r.nodes), [4, 4]);
  assert.deepEqual(records.map((r) => r.agents.qwen2.policyVersion), [0, 1], 'iteration 1 generated with the new policy');
  assert.deepEqual(records.map((r) => r.agents.qwen2.update?.step), [1, 2]);
  assert.deepEqual(records.map((r) => r.agents.qwen2.update?.samples), [4, 4]);
  for (const r of records) assert.ok(Number.isFinite(r.agents.qwen2.update!.loss));
  for (const r of records) {
    assert.equal(r.reward.tests, 'all', 'the default reward counts public and private tests');
    assert.equal(r.reward.hack.checked, 4, 'every training node ran its public and its private tests: the hack rate covers it');
    assert.equal(r.reward.hack.rate, r.reward.hack.hacked / 4);
  }
}

test('mars2 train runs 2 iterations to the end; a second start attaches; status and runs answer', async () => {
  const runId = `test-train-${Date.now()}`;
  const file = writeRunConfig(f, { runId });
  const first = mars2('train', '--config', file, '--wait', '--json');
  assert.equal(first.status, 0, first.stderr);
  const started = JSON.parse(first.stdout);
  assert.equal(started.attached, false);
  assert.equal(started.status, 'COMPLETED');
  assert.equal(started.iterations, 2);

  const again = mars2('train', '--config', file, '--json');
  assert.equal(again.status, 0, again.stderr);
  assert.equal(JSON.parse(again.stdout).attached, true, 'the same run id attaches');
  const other = mars2('train', '--config', writeRunConfig(f, { runId, seed: 6 }), '--json');
  assert.equal(other.status, 1, 'a different config under a used run id is refused');
  assert.match(other.stderr, new RegExp(`run id '${runId}' is already used by a trainingRun workflow with a different config`));

  checkRun(f.store, runId);
  assert.deepEqual(await trainSteps(f.client, runId), { scheduled: 2, completed: 2, retried: 0 });

  const status = mars2('status', runId, '--json');
  assert.equal(status.status, 0, status.stderr);
  const s = JSON.parse(status.stdout);
  assert.equal(s.status, 'COMPLETED');
  assert.deepEqual({ phase: s.progress.phase, versions: s.progress.versions, updates: s.progress.updates }, { phase: 'done', versions: { qwen2: 2 }, updates: { qwen2: 2 } });
  assert.equal(s.lastMetrics.iteration, 1);
  assert.deepEqual(s.hack, { training: s.lastMetrics.reward.hack, evaluation: null });
  const human = mars2('status', runId);
  assert.match(human.stdout, new RegExp(`run ${runId}: completed, iteration 2 of 2`));
  assert.match(human.stdout, /\n {2}hack rate \(passed public, failed private\): training \d+\.\d% \(\d\/4\)\n/);

  const runs = mars2('runs', '--json');
  assert.equal(runs.status, 0, runs.stderr);
  assert.ok(JSON.parse(runs.stdout).runs.some((r: { runId: string }) => r.runId === runId));

  const missing = mars2('status', 'no-such-run');
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /no run 'no-such-run'.*mars2 runs/);
});

test('a run survives a worker killed during trainStep: every training step counted exactly once', async () => {
  const runId = `test-train-crash-${Date.now()}`;
  const { input } = await prepareTrainingRun(f.store, writeRunConfig(f, { runId }));
  const handle = await f.client.workflow.start(trainingRun, {
    taskQueue: f.cfg.taskQueue,
    workflowId: runId,
    args: [{ ...input, timeouts: { trainStep: { heartbeatTimeout: '3s', startToCloseTimeout: '10 minutes' }, tree: f.input('training', 1).timeouts } }],
  });
  let killedPid: number | undefined;
  for (let i = 0; i < 20_000 && killedPid === undefined; i++) {
    const desc = await f.client.workflow.getHandle(runId).describe();
    const training = (desc.raw.pendingActivities ?? []).some(
      (a) => a.activityType?.name === 'trainStep' && a.state === PENDING_ACTIVITY_STATE_STARTED,
    );
    if (training) killedPid = (await crashWorker(f.cfg))?.pid;
    else if (desc.status.name !== 'RUNNING' && desc.status.name !== 'CONTINUED_AS_NEW') break;
    else await new Promise((r) => setTimeout(r, 20));
  }
  assert.ok(killedPid, 'the worker was killed while a trainStep ran');
  const restarted = await up(f.cfg);
  assert.notEqual(restarted.worker?.pid, killedPid);

  const result = await handle.result();
  assert.deepEqual(result, { runId, iterations: 2, versions: { qwen2: 2 }, pass1: null });
  checkRun(f.store, runId);
  const steps = await trainSteps(f.client, runId);
  assert.equal(steps.scheduled, 2, 'one trainStep per update');
  assert.equal(steps.completed, 2);
  assert.equal(steps.retried, 1, 'the interrupted trainStep completed on a later attempt');
});

test('mars2 cancel stops a run mid-tree: the run and its open trees end cancelled; again says so', async () => {
  const runId = `test-cancel-${Date.now()}`;
  // Trees of 32 nodes: open for seconds, longer than the CLI takes to start.
  const { input } = await prepareTrainingRun(f.store, writeRunConfig(f, { runId, search: { budget: 32 }, stop: { maxIterations: 4 } }));
  await f.client.workflow.start(trainingRun, { taskQueue: f.cfg.taskQueue, workflowId: runId, args: [input] });
  const tree = `${runId}-it0-p0`;
  const deadline = Date.now() + 120_000;
  while (!(await activityRunning(f.client, tree, 'expand')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));

  const cancelled = mars2('cancel', runId, '--json');
  assert.equal(cancelled.status, 0, cancelled.stderr);
  assert.deepEqual(
    (({ cancelled: c, status, iteration }) => ({ c, status, iteration }))(JSON.parse(cancelled.stdout)),
    { c: true, status: 'CANCELLED', iteration: 0 },
  );
  const trees: string[] = [];
  for await (const wf of f.client.workflow.list({ query: `Mars2RunId = '${runId}'` })) {
    trees.push((await f.client.workflow.getHandle(wf.workflowId).describe()).status.name); // not the list's possibly older view
  }
  assert.ok(trees.includes('CANCELLED') && !trees.includes('RUNNING'), `the open trees were cancelled with their run: ${trees.join(', ')}`);
  assert.ok(!existsSync(join(runLayout(f.store.root, runId).checkpoints, 'qwen2', 'v1')), 'no training step after the cancellation');

  const again = mars2('cancel', runId);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, new RegExp(`run ${runId} is already cancelled; nothing to cancel`));
  const missing = mars2('cancel', 'no-such-run');
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /no run 'no-such-run'.*mars2 runs/);
});
