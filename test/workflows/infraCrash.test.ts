// Durability across infrastructure crashes: a dev-server crash (temporal.md §5.5): a 2-iteration training run
// whose Temporal dev server is SIGKILLed while a search tree is mid-way (some of its nodes done, the
// tree still open) and brought back with `up`. The run finishes; every trainStep is counted exactly
// once (checkpoints v1, v2; one scheduled and completed trainStep each), the metrics file has one line
// per iteration, and every tree holds exactly `budget` nodes, each generated and tested once.
// The same for sandbox containers: every container of the worker's pool is killed (docker kill) twice
// while trees are mid-way; the sandbox retries on fresh containers, no node gets an IE or a score
// from the dead ones, and the run ends as an uninterrupted one would.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseMetrics } from '../../src/report/metrics';
import { checkNodes } from '../../src/rl/nodes';
import Docker from 'dockerode';
import { ownerTag } from '../../src/sandbox/pool';
import { crashServer, up } from '../../src/stack';
import { commentModel } from '../helpers/models';
import { treeFixture, type TreeFixture } from '../helpers/searchTree';
import { commentDataset, open, startRun, trainSteps, treeOf, versions, waitFor } from '../helpers/trainRun';
import { writeRunConfig } from '../helpers/runConfig';
import { runLayout } from '../../src/store/layout';

const BUDGET = 4;

let f: TreeFixture;
before(async () => {
  f = await treeFixture();
});
after(async () => {
  await f.client.connection.close();
});

/** Activities of a tree that have completed so far (0 when it has not started). */
async function completedActivities(workflowId: string): Promise<{ completed: number; running: boolean }> {
  try {
    const handle = f.client.workflow.getHandle(workflowId);
    const events = (await handle.fetchHistory()).events ?? [];
    const running = (await handle.describe()).status.name === 'RUNNING';
    return { completed: events.filter((e) => e.activityTaskCompletedEventAttributes).length, running };
  } catch {
    return { completed: 0, running: false };
  }
}

function config(runId: string) {
  return {
    runId,
    seed: 2,
    setup: 'single' as const,
    datasets: { train: { path: commentDataset(join(f.cfg.home, 'datasets'), 4), format: 'native' as const } },
    agents: [{ name: 'coder', model: commentModel(f.cfg.home) }],
    search: { budget: BUDGET },
    rollout: { problemsPerIteration: 2, maxNewTokens: 32, promptMaxTokens: 1024 },
    rewards: { overlong: null },
    optimization: { trainBatchSize: 2, lr: 1e-3, schedule: { kind: 'constant' as const, warmupRatio: 0 } },
    evaluation: null,
    stop: { maxIterations: 2 },
  };
}

/** Waits until `tree` is open with at least one batch of nodes done and not all; false if the run ended first. */
function midway(runId: string, tree: string): Promise<boolean> {
  return waitFor(
    async () => {
      const t = await completedActivities(tree);
      return t.running && t.completed >= 1 && t.completed < BUDGET;
    },
    async () => !(await open(f.client, runId)),
  );
}

/** What an uninterrupted run leaves: v1, v2 once each, a metrics line per iteration, `budget` nodes a tree. */
async function checkRun(runId: string, result: unknown): Promise<void> {
  assert.deepEqual(result, { runId, iterations: 2, versions: { coder: 2 }, pass1: null });
  assert.deepEqual(versions(runLayout(f.store.root, runId).checkpoints, 'coder'), ['v1', 'v2'], 'one checkpoint per training step, contiguous');
  assert.deepEqual(await trainSteps(f.client, runId), { scheduled: 2, completed: 2, retried: 0 });
  const records = parseMetrics(readFileSync(runLayout(f.store.root, runId).metrics, 'utf8'));
  assert.deepEqual(records.map((r) => r.iteration), [0, 1], 'one metrics line per iteration');
  assert.deepEqual(records.map((r) => r.nodes), [2 * BUDGET, 2 * BUDGET]);
  assert.deepEqual(records.map((r) => r.agents.coder.update?.step), [1, 2]);
  for (let i = 0; i < 2; i++) {
    for (let k = 0; k < 2; k++) {
      const { nodes, scheduled } = await treeOf(f.client, `${runId}-it${i}-p${k}`);
      checkNodes(nodes);
      assert.deepEqual(nodes.map((n) => n.nodeId), [0, 1, 2, 3], 'no node twice, none missing');
      // Budget 4: the default parallel 2, one expandBatch (generate + tests of two nodes) per batch.
      assert.deepEqual(scheduled, { expandBatch: BUDGET / 2 }, 'one expandBatch per batch of two nodes');
      assert.ok(nodes.every((n) => n.publicTests!.verdict !== 'IE'), 'no infrastructure failure became a verdict');
      assert.deepEqual(records[i].trees[k].scores, nodes.map((n) => n.score), 'the metrics line holds the tree as searched');
    }
  }
}

test('a run survives a dev server killed mid-tree: it finishes, every step counted once', async () => {
  const runId = `test-server-crash-${Date.now()}`;
  const handle = await startRun(f, writeRunConfig(f, config(runId)));
  assert.ok(await midway(runId, `${runId}-it0-p0`), 'the first tree was caught mid-way');
  const killed = await crashServer(f.cfg);
  assert.ok(killed, 'the dev server was killed');
  const restarted = await up(f.cfg);
  assert.notEqual(restarted.server?.pid, killed.pid);
  await checkRun(runId, await handle.result());
});

test('a run survives its sandbox containers killed mid-tree: no IE, no node twice, every step once', async () => {
  const runId = `test-container-kill-${Date.now()}`;
  const status = await up(f.cfg);
  const owner = ownerTag(status.worker!.pid);
  const docker = new Docker();
  const handle = await startRun(f, writeRunConfig(f, config(runId)));
  for (const tree of [`${runId}-it0-p0`, `${runId}-it1-p1`]) {
    assert.ok(await midway(runId, tree), `tree ${tree} was caught mid-way`);
    const list = await docker.listContainers({ filters: { label: [`mars2.sandbox.owner=${owner}`] } });
    assert.ok(list.length > 0, "the worker's sandbox has containers");
    await Promise.all(list.map((c) => docker.getContainer(c.Id).kill().catch(() => undefined)));
  }
  await checkRun(runId, await handle.result());
});
