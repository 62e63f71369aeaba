// Determinism (DESIGN §5): with the worker's engine in deterministic mode
// (StackConfig.deterministic), two training runs of one config and seed under different run ids — one
// uninterrupted, one whose worker is SIGKILLed during a trainStep (iteration 0) and again during a
// generate (iteration 1, the first with checkpoint v1) and restarted each time — write the same metrics
// file except each line's `timing` (wall clock), and end with bitwise-equal checkpoints.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseMetrics } from '../../src/report/metrics';
import type { RunConfigInput } from '../../src/config/schema';
import { crashWorker, up, type StackConfig } from '../../src/stack';
import { commentModel } from '../helpers/models';
import { treeFixture, type TreeFixture } from '../helpers/searchTree';
import { activityRunning, commentDataset, open, startRun, trainSteps, versions, waitFor } from '../helpers/trainRun';
import { writeRunConfig } from '../helpers/runConfig';
import { runLayout } from '../../src/store/layout';

let f: TreeFixture;
let det: StackConfig;
let model: string;
before(async () => {
  f = await treeFixture();
  det = { ...f.cfg, deterministic: true };
  await up(det); // restarts the worker in deterministic mode
  model = commentModel(f.cfg.home);
});
after(async () => {
  await f.client.connection.close();
});

function config(runId: string): RunConfigInput {
  return {
    runId,
    seed: 11,
    setup: 'single',
    datasets: { train: { path: commentDataset(join(f.cfg.home, 'datasets'), 4), format: 'native' } },
    agents: [{ name: 'coder', model }],
    search: { budget: 4 },
    rollout: { problemsPerIteration: 2, maxNewTokens: 32, promptMaxTokens: 1024 },
    rewards: { overlong: null },
    optimization: { trainBatchSize: 2, lr: 1e-3, schedule: { kind: 'constant', warmupRatio: 0 } },
    evaluation: null,
    stop: { maxIterations: 2 },
  };
}

/** Kills the worker once `type` runs in workflow `workflowId` (a run or one of its trees), then restarts it. */
async function crashDuring(runId: string, workflowIds: string[], type: string): Promise<void> {
  const hit = await waitFor(
    async () => (await Promise.all(workflowIds.map((id) => activityRunning(f.client, id, type)))).some(Boolean),
    async () => !(await open(f.client, runId)),
  );
  assert.ok(hit, `a ${type} of ${workflowIds.join(' or ')} was running`);
  const killed = await crashWorker(det);
  assert.ok(killed, 'the worker was killed');
  const restarted = await up(det);
  assert.notEqual(restarted.worker?.pid, killed.pid);
}

test('an interrupted and an uninterrupted run with one seed end with the same metrics and bitwise-equal checkpoints', async () => {
  const stamp = Date.now();
  const a = `test-det-a-${stamp}`;
  const b = `test-det-b-${stamp}`;
  assert.deepEqual(await (await startRun(f, writeRunConfig(f, config(a)))).result(), { runId: a, iterations: 2, versions: { coder: 2 }, pass1: null });

  const handle = await startRun(f, writeRunConfig(f, config(b)));
  await crashDuring(b, [b], 'trainStep');
  await crashDuring(b, [`${b}-it1-p0`, `${b}-it1-p1`], 'expandBatch'); // budget 4: batches of 2, one expandBatch each
  assert.deepEqual(await handle.result(), { runId: b, iterations: 2, versions: { coder: 2 }, pass1: null });
  const steps = await trainSteps(f.client, b);
  assert.deepEqual({ scheduled: steps.scheduled, completed: steps.completed }, { scheduled: 2, completed: 2 });
  assert.ok(steps.retried >= 1, 'the interrupted trainStep ran again');

  const metrics = (runId: string) => parseMetrics(readFileSync(runLayout(f.store.root, runId).metrics, 'utf8')).map(({ timing: _t, ...rest }) => rest);
  const [ma, mb] = [metrics(a), metrics(b)];
  assert.deepEqual(mb, ma, 'same rewards, per-agent figures, losses, KL, tree shapes and scores');
  assert.equal(ma.length, 2);
  assert.ok(ma.every((r) => r.agents.coder.update && r.agents.coder.update.gradNorm > 0), 'both updates trained on non-zero advantages');

  const [ca, cb] = [join(runLayout(f.store.root, a).checkpoints, 'coder'), join(runLayout(f.store.root, b).checkpoints, 'coder')];
  assert.deepEqual(versions(runLayout(f.store.root, b).checkpoints, 'coder'), ['v1', 'v2']);
  for (const v of ['v1', 'v2']) {
    for (const file of ['model.safetensors', 'optimizer.safetensors']) {
      assert.ok(readFileSync(join(ca, v, file)).equals(readFileSync(join(cb, v, file))), `${v}/${file} bitwise equal`);
    }
  }
});
