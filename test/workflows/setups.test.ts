// Agent set-ups of trainingRun on the real stack: a heterogeneous run (two agents, each
// its own model directory and checkpoint chain) and a homogeneous multi-role run (two roles sharing one
// set of weights, one checkpoint chain fed by both, each role prompted with its own system message).
// The trees get non-zero rewards (the comment model on assert problems that any running program
// passes; helpers/models.ts), so the advantages are non-zero and every trained checkpoint differs
// from its base; losses and KL are finite. The worker's engine runs in deterministic mode, so the
// seeded trees (which agent searched where, which node passed) are the same on every run of the test.
// With an evaluation set the comment model passes, stop.targetPass1 ends a run early.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GenerationRecord } from '../../src/contracts';
import { parseMetrics, type IterationMetrics } from '../../src/report/metrics';
import type { RunConfigInput } from '../../src/config/schema';
import { checkNodes } from '../../src/rl/nodes';
import { up } from '../../src/stack';
import { progressQuery } from '../../src/workflows/shared';
import { commentModel } from '../helpers/models';
import { treeFixture, type TreeFixture } from '../helpers/searchTree';
import { changedTensors, commentDataset, startRun, treeOf, versions } from '../helpers/trainRun';
import { writeRunConfig } from '../helpers/runConfig';
import { runLayout } from '../../src/store/layout';
import { mars2 } from '../helpers/cli';

let f: TreeFixture;
let coder: string;
before(async () => {
  f = await treeFixture();
  await up({ ...f.cfg, deterministic: true });
  coder = commentModel(f.cfg.home);
});
after(async () => {
  await f.client.connection.close();
});

function config(runId: string, setup: 'heterogeneous' | 'homogeneous', agents: RunConfigInput['agents'], iterations: number): RunConfigInput {
  return {
    runId,
    seed: 3,
    setup,
    datasets: { train: { path: commentDataset(join(f.cfg.home, 'datasets'), 4), format: 'native' } },
    agents,
    search: { budget: 6 },
    rollout: { problemsPerIteration: 2, maxNewTokens: 8, promptMaxTokens: 1024 },
    rewards: { overlong: null },
    optimization: { trainBatchSize: 1, lr: 1e-3, schedule: { kind: 'constant', warmupRatio: 0 }, bufferRemainder: 'keep' },
    evaluation: null,
    stop: { maxIterations: iterations },
  };
}

/** Checks what every run must show: finite losses, rewards neither all 0 nor all 1 within some tree. */
function checkRewards(records: IterationMetrics[]): void {
  const scores = records.flatMap((r) => r.trees.map((t) => t.scores));
  assert.ok(
    scores.some((s) => s.some((x) => x === 1) && s.some((x) => x === 0)),
    `some tree has both passing and failing nodes (non-zero advantages); scores ${JSON.stringify(scores)}`,
  );
  for (const r of records) {
    for (const [name, a] of Object.entries(r.agents)) {
      if (!a.update) continue;
      assert.ok(Number.isFinite(a.update.loss) && Number.isFinite(a.update.kl) && Number.isFinite(a.update.gradNorm), `${name}: finite loss, KL and gradient norm`);
      assert.ok(a.update.gradNorm > 0, `${name}: non-zero gradient`);
    }
  }
}

test('heterogeneous: two agents, each its own model directory and checkpoint chain', async () => {
  const runId = `test-hetero-${Date.now()}`;
  const other = commentModel(f.cfg.home, 'llama');
  const file = writeRunConfig(f, config(runId, 'heterogeneous', [{ name: 'coder', model: coder }, { name: 'other', model: other }], 1));
  const result = await (await startRun(f, file)).result();
  assert.deepEqual(result, { runId, iterations: 1, versions: { coder: 1, other: 1 }, pass1: null });

  const ckpt = runLayout(f.store.root, runId).checkpoints;
  assert.deepEqual(readdirSync(ckpt).sort(), ['coder', 'other'], 'one checkpoint chain per agent');
  assert.deepEqual(versions(ckpt, 'coder'), ['v1']);
  assert.deepEqual(versions(ckpt, 'other'), ['v1']);
  assert.ok(changedTensors(coder, join(ckpt, 'coder', 'v1')).length > 0, "coder's weights moved from its base");
  assert.ok(changedTensors(other, join(ckpt, 'other', 'v1')).length > 0, "other's weights moved from its base");
  const v1Config = JSON.parse(readFileSync(join(ckpt, 'other', 'v1', 'config.json'), 'utf8'));
  assert.equal(v1Config.model_type, 'llama', "other's chain is trained from its own (llama) base");

  const [r] = parseMetrics(readFileSync(runLayout(f.store.root, runId).metrics, 'utf8'));
  assert.equal(r.agents.coder.nodes + r.agents.other.nodes, r.nodes);
  for (const name of ['coder', 'other']) {
    const a = r.agents[name];
    assert.equal(a.update?.step, 1, `${name} took its own first step`);
    assert.equal(a.update?.samples, a.nodes, `${name} trained on its own nodes only`);
  }
  assert.notEqual(r.agents.coder.update!.loss, r.agents.other.update!.loss, 'two separate updates');
  checkRewards([r]);
  for (let k = 0; k < 2; k++) {
    const { nodes } = await treeOf(f.client, `${runId}-it0-p${k}`);
    checkNodes(nodes);
    for (const n of nodes) {
      const g = await f.store.getJson<GenerationRecord>(n.refs.generation);
      assert.equal(g.model, n.agent === 'coder' ? coder : other, 'each agent generates with its own model');
    }
  }
});

test('homogeneous: two roles share one set of weights (one chain fed by both) with a system prompt each', async () => {
  const runId = `test-homo-${Date.now()}`;
  const prompts = { solver: 'You solve programming problems.', debugger: 'You fix the bugs of a program.' };
  const file = writeRunConfig(
    f,
    config(
      runId,
      'homogeneous',
      [
        { name: 'solver', model: coder, systemPrompt: prompts.solver },
        { name: 'debugger', systemPrompt: prompts.debugger },
      ],
      2,
    ),
  );
  const result = await (await startRun(f, file)).result();
  assert.deepEqual(result, { runId, iterations: 2, versions: { solver: 2 }, pass1: null });

  const ckpt = runLayout(f.store.root, runId).checkpoints;
  assert.deepEqual(readdirSync(ckpt), ['solver'], 'one checkpoint chain, named after agents[0]');
  assert.deepEqual(versions(ckpt, 'solver'), ['v1', 'v2']);
  assert.ok(changedTensors(coder, join(ckpt, 'solver', 'v1')).length > 0, 'v1 moved from the base');
  assert.ok(changedTensors(join(ckpt, 'solver', 'v1'), join(ckpt, 'solver', 'v2')).length > 0, 'v2 moved from v1');

  const records = parseMetrics(readFileSync(runLayout(f.store.root, runId).metrics, 'utf8'));
  assert.deepEqual(records.map((r) => r.iteration), [0, 1]);
  for (const r of records) {
    assert.equal(r.agents.solver.nodes + r.agents.debugger.nodes, r.nodes);
    assert.deepEqual(r.agents.solver.update, r.agents.debugger.update, 'both roles report the one shared update');
    assert.equal(r.agents.solver.update?.samples, r.nodes, "the shared update trains on both roles' nodes");
    assert.equal(r.agents.solver.policyVersion, r.iteration);
    assert.equal(r.agents.debugger.policyVersion, r.iteration, 'both roles generate with the shared version');
  }
  assert.deepEqual(records.map((r) => r.agents.solver.update?.step), [1, 2]);
  assert.ok(records.every((r) => r.agents.debugger.nodes > 0 && r.agents.solver.nodes > 0), 'both roles searched in every iteration');
  checkRewards(records);

  for (let i = 0; i < 2; i++) {
    for (let k = 0; k < 2; k++) {
      const { nodes } = await treeOf(f.client, `${runId}-it${i}-p${k}`);
      for (const n of nodes) {
        const g = await f.store.getJson<GenerationRecord>(n.refs.generation);
        assert.deepEqual(g.messages[0], { role: 'system', content: prompts[n.agent as keyof typeof prompts] }, `${n.agent}'s own system prompt`);
        assert.equal(g.policyVersion, i === 0 ? 0 : 1, 'shared weights: every role at the group version');
      }
    }
  }
});

test('stop.targetPass1: the run ends at the first evaluation that reaches it', async () => {
  const runId = `test-target-${Date.now()}`;
  const dataset = commentDataset(join(f.cfg.home, 'datasets'), 4);
  const file = writeRunConfig(f, {
    runId,
    seed: 3,
    setup: 'single',
    datasets: { train: { path: dataset, format: 'native' }, eval: { path: dataset, format: 'native' } },
    agents: [{ name: 'coder', model: coder }],
    search: { budget: 2 },
    rollout: { problemsPerIteration: 2, maxNewTokens: 8, promptMaxTokens: 1024 },
    optimization: { trainBatchSize: 1, lr: 1e-3, schedule: { kind: 'constant', warmupRatio: 0 } },
    evaluation: { everyIterations: 1, atStart: false, budget: 2, modes: ['agent'] },
    stop: { maxIterations: 4, targetPass1: 0.25 },
  });
  const handle = await startRun(f, file);
  const result = await handle.result();
  assert.equal(result.stoppedEarly, 'targetPass1');
  assert.ok(result.iterations < 4, `ended before its 4 planned iterations, after ${result.iterations}`);
  assert.ok(result.pass1 !== null && result.pass1.value >= 0.25 && result.pass1.iteration === result.iterations - 1);
  const records = parseMetrics(readFileSync(runLayout(f.store.root, runId).metrics, 'utf8'));
  assert.deepEqual(records.map((r) => r.iteration), Array.from({ length: result.iterations }, (_, i) => i));
  assert.ok(records.every((r) => r.eval !== null), 'an evaluation after every iteration');
  assert.deepEqual((await handle.query(progressQuery)).stoppedEarly, 'targetPass1');
  const runs = mars2(['runs', '--json']);
  assert.equal(runs.status, 0, runs.stderr);
  const listed = JSON.parse(runs.stdout).runs.find((r: { runId: string }) => r.runId === runId);
  assert.equal(listed?.pass1, result.pass1.value, 'mars2 runs shows the latest Pass@1 (Mars2Pass1)');
});
