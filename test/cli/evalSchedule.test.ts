// `mars2 eval` and `mars2 schedule eval|list|delete` on the test stack (real server, worker, sandbox,
// a tiny real model): a one-iteration run trains v1; `eval --run` evaluates v1 (the newest checkpoint)
// and appends to the run's evaluations.jsonl, `eval --config` evaluates the base model (v0); a schedule
// every 2 s fires runEvaluation workflows (BUFFER_ONE) that append there too; scheduling again updates,
// list shows it, delete removes it. Bad input: an unknown run, bad flags.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import type { EvaluationRecord, NodeSummary } from '../../src/contracts';
import { MBPP, writeRunConfig } from '../helpers/runConfig';
import { treeFixture, type TreeFixture } from '../helpers/searchTree';
import { runLayout } from '../../src/store/layout';
import { mars2 as cli } from '../helpers/cli';

const mars2 = (...args: string[]) => cli(args, { timeoutMs: 600_000 });

let f: TreeFixture;
let runId: string;
let configFile: string;
before(async () => {
  f = await treeFixture();
  runId = `test-evalcli-${Date.now()}`;
  configFile = writeRunConfig(f, {
    runId,
    seed: 1,
    datasets: { train: { path: MBPP, format: 'mbpp', limit: 2 }, eval: { path: MBPP, format: 'mbpp', limit: 3 } },
    search: { budget: 1 },
    rollout: { problemsPerIteration: 2, maxNewTokens: 8, promptMaxTokens: 1024 },
    stop: { maxIterations: 1 },
  });
  const train = mars2('train', '--config', configFile, '--wait', '--json');
  assert.equal(train.status, 0, train.stderr);
});
after(async () => {
  await f.client.connection.close();
});

const evaluations = (): EvaluationRecord[] => {
  const path = runLayout(f.store.root, runId).evaluations;
  return existsSync(path) ? readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l)) : [];
};

test("mars2 eval --run evaluates the run's newest weights and records it; --config its base models; --int8", async () => {
  const r = mars2('eval', '--run', runId, '--problems', '2', '--modes', 'agent,system', '--json');
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(out.versions, { qwen2: 1 }, 'the newest checkpoint');
  assert.equal(out.problems, 2);
  assert.equal(out.eval.agent.qwen2.trees, 2);
  assert.equal(out.eval.system.system.trees, 2);
  assert.equal(out.trees.length, 4);
  const lines = evaluations();
  assert.equal(lines.length, 1);
  assert.deepEqual({ workflowId: lines[0].workflowId, versions: lines[0].versions, eval: lines[0].eval }, { workflowId: out.workflowId, versions: out.versions, eval: out.eval });

  const human = mars2('eval', '--config', configFile, '--problems', '1');
  assert.equal(human.status, 0, human.stderr);
  assert.match(human.stdout, /1 held-out problem, weights qwen2=v0/);
  assert.match(human.stdout, /qwen2 \(own tree\)\s+1\s+0\.000/);
  assert.equal(evaluations().length, 1, 'a config evaluation belongs to no run');

  // --int8: the same weights quantized; the line and the trees' generation records say so
  const q = mars2('eval', '--run', runId, '--problems', '1', '--modes', 'agent', '--int8', '--json');
  assert.equal(q.status, 0, q.stderr);
  const qo = JSON.parse(q.stdout) as { workflowId: string; trees: { treeId: string }[] };
  assert.equal(evaluations().length, 2);
  assert.equal(evaluations()[1]!.weights, 'int8');
  assert.equal(evaluations()[0]!.weights, undefined);
  const tree = mars2('tree', qo.trees[0]!.treeId, '--json');
  assert.equal(tree.status, 0, tree.stderr);
  const nodes = JSON.parse(tree.stdout).nodes as NodeSummary[];
  assert.ok(nodes.length > 0);
  for (const n of nodes) assert.equal((await f.store.getJson<{ weights?: string }>(n.refs.generation)).weights, 'int8');

  const report = mars2('report', runId, '--json');
  assert.equal(report.status, 0, report.stderr);
  const html = readFileSync(JSON.parse(report.stdout).path, 'utf8');
  assert.match(html, /Evaluations beside the run[\s\S]*<td>qwen2 v1<\/td><td class="n">2<\/td>/);
  assert.match(html, /<td>qwen2 v1 \(int8\)<\/td><td class="n">1<\/td>/);
});

test('mars2 eval: an unknown run and bad flags get clear errors', () => {
  const missing = mars2('eval', '--run', 'no-such-run', '--problems', '1');
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /no run 'no-such-run'/);
  const both = mars2('eval', '--run', runId, '--config', configFile);
  assert.equal(both.status, 2);
  assert.match(both.stderr, /exactly one of --run RUN and --config FILE/);
  const modes = mars2('eval', '--run', runId, '--modes', 'agent,tree');
  assert.equal(modes.status, 2);
  assert.match(modes.stderr, /--modes expects agent, system or agent,system, got 'agent,tree'/);
  const every = mars2('schedule', 'eval', '--run', runId, '--every', 'often');
  assert.equal(every.status, 2);
  assert.match(every.stderr, /--every expects a duration such as 30m/);
});

test('mars2 schedule eval fires runEvaluation workflows every 2 s (BUFFER_ONE); again updates; list; delete', async () => {
  const scheduleId = `eval-${runId}`;
  const created = mars2('schedule', 'eval', '--every', '2s', '--run', runId, '--problems', '1', '--json');
  assert.equal(created.status, 0, created.stderr);
  assert.equal(JSON.parse(created.stdout).created, true);
  try {
    const desc = await f.client.schedule.getHandle(scheduleId).describe();
    assert.equal(desc.policies.overlap, 'BUFFER_ONE');
    const again = mars2('schedule', 'eval', '--every', '3s', '--run', runId, '--problems', '1', '--json');
    assert.equal(again.status, 0, again.stderr);
    assert.equal(JSON.parse(again.stdout).created, false, 'the same run updates its schedule');

    const deadline = Date.now() + 120_000;
    let scheduled: EvaluationRecord[] = [];
    while (Date.now() < deadline) {
      scheduled = evaluations().filter((l) => l.workflowId.startsWith(`${runId}-scheduled-eval`));
      if (scheduled.length >= 2) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.ok(scheduled.length >= 2, `two scheduled evaluations recorded, found ${scheduled.length}`);
    assert.notEqual(scheduled[0].workflowId, scheduled[1].workflowId);
    for (const s of scheduled) assert.deepEqual({ versions: s.versions, problems: s.problems }, { versions: { qwen2: 1 }, problems: 1 });

    const list = mars2('schedule', 'list', '--json');
    assert.equal(list.status, 0, list.stderr);
    assert.ok(JSON.parse(list.stdout).schedules.some((s: { scheduleId: string }) => s.scheduleId === scheduleId));
  } finally {
    const del = mars2('schedule', 'delete', scheduleId);
    assert.equal(del.status, 0, del.stderr);
  }
  const list = mars2('schedule', 'list', '--json');
  assert.ok(!JSON.parse(list.stdout).schedules.some((s: { scheduleId: string }) => s.scheduleId === scheduleId));
  const gone = mars2('schedule', 'delete', scheduleId);
  assert.equal(gone.status, 1);
  assert.match(gone.stderr, /no schedule/);
  const bare = mars2('schedule');
  assert.equal(bare.status, 2);
  assert.match(bare.stderr, /'schedule' needs a sub-command: schedule eval, schedule list, schedule delete/);
});
