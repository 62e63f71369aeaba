// trainingRun on the real stack (dev server, background worker, sandbox, a tiny real model): a
// single-agent tree-RL run of 2 iterations × 2 MBPP problems × budget 2, train batch 2, so the agent's
// buffer fires every iteration. Through the CLI: the run finishes, a second `train` attaches instead of
// starting another, `status` and `runs` answer; checkpoints v1, v2 exist (exactly one per step), the
// metrics file has one line per iteration. Crash: the worker is SIGKILLed during a trainStep and
// started again; the run finishes and every training step is counted exactly once. Cancel (`mars2
// cancel`, or the client) inside an expand, inside a trainStep, and on a lone search tree: the work stops
// (the worker is idle within seconds), the workflows end cancelled, and nothing — no node, no checkpoint —
// is written after the cancel returned.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseMetrics } from '../../src/report/metrics';
import { prepareTrainingRun } from '../../src/cli/prepare';
import { crashWorker, status, up } from '../../src/stack';
import type { Store } from '../../src/store';
import { searchTree, trainingRun } from '../../src/workflows';
import { endlessModel } from '../helpers/models';
import { writeRunConfig } from '../helpers/runConfig';
import { treeFixture, type TreeFixture } from '../helpers/searchTree';
import { PENDING_ACTIVITY_STATE_STARTED, activityRunning, filesUnder, msUntilIdle, open, startRun, trainSteps, waitFor } from '../helpers/trainRun';
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
  // JSON lines: one per iteration as its metrics line landed, then the run's summary.
  const lines = first.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((l) => `${l.type} ${l.iteration ?? ''}`), ['iteration 0', 'iteration 1', 'run ']);
  const started = lines.at(-1);
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
  // The worker saw both iterations whole: each line splits its wall time by kind of work.
  for (const r of parseMetrics(readFileSync(runLayout(f.store.root, runId).metrics, 'utf8'))) {
    const split = r.timing.split;
    assert.ok(split, `iteration ${r.iteration} has a time split`);
    const sum = split.trainMs + split.generateMs + split.sandboxMs + split.activityMs + split.idleMs;
    assert.ok(Math.abs(sum - r.timing.wallMs) <= 5, `the split adds up to the wall time: ${JSON.stringify(split)} against ${r.timing.wallMs} ms`);
    assert.ok(split.generateMs > 0 && split.sandboxMs > 0 && split.trainMs > 0, `generation, tests and the step each took time: ${JSON.stringify(split)}`);
  }

  const status = mars2('status', runId, '--json');
  assert.equal(status.status, 0, status.stderr);
  const s = JSON.parse(status.stdout);
  assert.equal(s.status, 'COMPLETED');
  assert.deepEqual({ phase: s.progress.phase, versions: s.progress.versions, updates: s.progress.updates }, { phase: 'done', versions: { qwen2: 2 }, updates: { qwen2: 2 } });
  assert.equal(s.lastMetrics.iteration, 1);
  assert.deepEqual(s.hack, { training: s.lastMetrics.reward.hack, evaluation: null });
  const human = mars2('status', runId);
  assert.match(human.stdout, new RegExp(`run ${runId}: completed, iteration 2 of 2`));
  assert.match(human.stdout, /\n {2}time of iteration 2 \(\d+\.\d s\): generate \d+%, sandbox \d+%, train \d+%, other activity \d+%, idle \d+%\n/);
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

/** Snapshot of what a run has written: the whole store (nodes' generations and reports) and its run folder. */
function written(runId: string): { store: string[]; run: string[] } {
  return { store: filesUnder(f.store.root), run: filesUnder(runLayout(f.store.root, runId).dir) };
}

/** The worker's pid (its engine and trainer threads are in it). */
function workerPid(): number {
  const pid = status(f.cfg).worker?.pid;
  assert.ok(pid, 'the test stack has a worker');
  return pid;
}

test('mars2 cancel stops a run mid-tree: the expand stops (worker idle, nothing stored after); the run and its open trees end cancelled; again says so', async () => {
  const runId = `test-cancel-${Date.now()}`;
  // An agent whose answers run to maxNewTokens: an expand decodes for ~20 s, so the cancel lands inside one.
  const agents = [{ name: 'endless', model: endlessModel(f.cfg.home) }];
  const rollout = { problemsPerIteration: 2, maxNewTokens: 3000, promptMaxTokens: 1024 };
  const { input } = await prepareTrainingRun(f.store, writeRunConfig(f, { runId, agents, rollout, search: { budget: 4 } }));
  await f.client.workflow.start(trainingRun, { taskQueue: f.cfg.taskQueue, workflowId: runId, args: [input] });
  const tree = `${runId}-it0-p0`;
  const deadline = Date.now() + 120_000;
  while (!(await activityRunning(f.client, tree, 'expandBatch')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 2000)); // the model loaded, decoding

  const cancelled = mars2('cancel', runId, '--json');
  const after = written(runId);
  assert.equal(cancelled.status, 0, cancelled.stderr);
  assert.deepEqual(
    (({ cancelled: c, status, iteration, kind }) => ({ c, status, iteration, kind }))(JSON.parse(cancelled.stdout)),
    { c: true, status: 'CANCELLED', iteration: 0, kind: 'training run' },
  );
  const idleMs = await msUntilIdle(workerPid());
  assert.ok(idleMs !== null && idleMs <= 3000, `the worker stopped generating within seconds of the cancel (idle after ${idleMs} ms)`);
  const trees: string[] = [];
  for await (const wf of f.client.workflow.list({ query: `Mars2RunId = '${runId}'` })) {
    trees.push((await f.client.workflow.getHandle(wf.workflowId).describe()).status.name); // not the list's possibly older view
  }
  assert.ok(trees.includes('CANCELLED') && !trees.includes('RUNNING'), `the open trees were cancelled with their run: ${trees.join(', ')}`);
  await new Promise((r) => setTimeout(r, 3000));
  assert.deepEqual(written(runId), after, 'no node, checkpoint or metrics line written after the cancel returned');
  assert.ok(!existsSync(join(runLayout(f.store.root, runId).checkpoints, 'endless', 'v1')), 'no training step after the cancellation');

  const again = mars2('cancel', runId);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, new RegExp(`run ${runId} is already cancelled; nothing to cancel`));
  const missing = mars2('cancel', 'no-such-run');
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /no run or workflow 'no-such-run'.*mars2 runs/);
});

test('a run cancelled inside a trainStep: the step stops and is dropped — no checkpoint after the cancel returns, the worker idle within seconds', async () => {
  const runId = `test-cancel-train-${Date.now()}`;
  // Answers of 1536 tokens on a wider model: the step takes ~3 s, the cancel reaches it within ~1 s (the
  // heartbeat throttle), so it lands inside the step.
  const agents = [{ name: 'endless', model: endlessModel(f.cfg.home, 256, 4) }];
  const rollout = { problemsPerIteration: 2, maxNewTokens: 1536, promptMaxTokens: 1024 };
  const handle = await startRun(f, writeRunConfig(f, { runId, agents, rollout }));
  assert.ok(await waitFor(() => activityRunning(f.client, runId, 'trainStep'), () => open(f.client, runId).then((o) => !o)), 'a trainStep started');
  await handle.cancel();
  while ((await handle.describe()).status.name === 'RUNNING') await new Promise((r) => setTimeout(r, 20));
  const after = written(runId);
  assert.equal((await handle.describe()).status.name, 'CANCELLED');
  const events = (await handle.fetchHistory()).events ?? [];
  assert.ok(events.some((e) => e.activityTaskCanceledEventAttributes), 'the trainStep acknowledged the cancellation');
  assert.ok(!events.some((e) => e.activityTaskCompletedEventAttributes && e.eventId && events.some(
    (s) => s.activityTaskScheduledEventAttributes?.activityType?.name === 'trainStep' && String(s.eventId) === String(e.activityTaskCompletedEventAttributes!.scheduledEventId),
  )), 'the trainStep did not complete');
  const idleMs = await msUntilIdle(workerPid());
  assert.ok(idleMs !== null && idleMs <= 3000, `the trainer stopped within seconds of the cancel (idle after ${idleMs} ms)`);
  await new Promise((r) => setTimeout(r, 3000));
  assert.deepEqual(written(runId), after, 'nothing written after the cancel returned');
  assert.ok(!existsSync(join(runLayout(f.store.root, runId).checkpoints, 'endless', 'v1')), 'the cancelled step wrote no checkpoint');
});

test('mars2 cancel on a search tree (solve): says what it cancelled; the expand stops', async () => {
  const workflowId = `solve-cancel-${Date.now()}`;
  const input = f.input('tplus', 4, { agents: [{ name: 'endless', model: endlessModel(f.cfg.home) }], maxNewTokens: 3000 });
  await f.client.workflow.start(searchTree, { taskQueue: f.cfg.taskQueue, workflowId, args: [input] });
  assert.ok(await waitFor(() => activityRunning(f.client, workflowId, 'expand'), () => open(f.client, workflowId).then((o) => !o)), 'an expand started');
  await new Promise((r) => setTimeout(r, 1000));
  const cancelled = mars2('cancel', workflowId, '--json');
  assert.equal(cancelled.status, 0, cancelled.stderr);
  assert.deepEqual(JSON.parse(cancelled.stdout), { runId: workflowId, kind: 'search tree', type: 'searchTree', cancelled: true, status: 'CANCELLED', nodes: 0 });
  const idleMs = await msUntilIdle(workerPid());
  assert.ok(idleMs !== null && idleMs <= 3000, `the worker stopped generating within seconds (idle after ${idleMs} ms)`);
  const human = mars2('cancel', workflowId);
  assert.equal(human.status, 0, human.stderr);
  assert.match(human.stdout, new RegExp(`search tree ${workflowId} is already cancelled; nothing to cancel`));
});
