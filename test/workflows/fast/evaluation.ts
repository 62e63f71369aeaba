// evaluation's and runEvaluation's logic on fake activities (part of the fast tier,
// test/workflows/fast.test.ts): the trees of each mode, the weights they run, the figures and the record.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluation, runEvaluation } from '../../../src/workflows';
import { KIND, PASS_AT_1 } from '../../../src/contracts/searchAttributes';
import { withFakes } from './env';
import { CONFIG, EVAL, fakeWorld, type Solves } from './fakes';
import type { EvaluationInput, EvaluationPlan } from '../../../src/contracts';

const problems = [0, 1].map((k) => ({ ref: `sha256:problem-eval-${k}` as const, id: `eval-${k}` }));
const agents: EvaluationInput['agents'] = [
  { name: 'a', model: { dir: '/models/a', version: 0 } },
  { name: 'b', model: { dir: '/ckpt/b/v2', version: 2 } },
];
/** a passes every public test and eval-0's private ones; b passes everything. */
const solves: Solves = (agent, problem) => ({ public: true, private: agent.name === 'b' || problem === 'eval-0' });

test('agent and system modes: a tree per (problem, agent) alone and a joint tree per problem; figures from the private tests', async () => {
  const w = fakeWorld({ solves });
  const id = 'fast-eval';
  const { result, attributes } = await withFakes(id, w.activities, async (client, taskQueue) => {
    const handle = await client.workflow.start(evaluation, { taskQueue, workflowId: id, args: [{ problems, agents, budget: 2, seed: 5, mode: 'both' }] });
    return { result: await handle.result(), attributes: (await handle.describe()).typedSearchAttributes };
  });
  const byTree = new Map<string, Set<string>>();
  for (const c of w.expand) byTree.set(c.workflowId, (byTree.get(c.workflowId) ?? new Set()).add(`${c.input.agent.name}@${c.input.agent.policyVersion ? `v${c.input.agent.policyVersion}` : 'base'} ${c.input.agent.model}`));
  assert.deepEqual(Object.fromEntries([...byTree].map(([t, a]) => [t.slice(id.length + 1), [...a].sort()])), {
    'agent-a-p0': ['a@base /models/a'],
    'agent-a-p1': ['a@base /models/a'],
    'agent-b-p0': ['b@v2 /ckpt/b/v2'],
    'agent-b-p1': ['b@v2 /ckpt/b/v2'],
    'sys-p0': [...byTree.get(`${id}-sys-p0`)!].sort(),
    'sys-p1': [...byTree.get(`${id}-sys-p1`)!].sort(),
  });
  assert.ok(w.expand.every((c) => c.input.privateTests && c.input.reward === undefined), 'every node runs the private tests; scores are public');
  assert.equal(result.problems, 2);
  assert.deepEqual([result.eval.agent?.a.pass1Mcts, result.eval.agent?.b.pass1Mcts], [0.5, 1]);
  assert.deepEqual(result.trees.map((t) => [t.mode, t.agent ?? '-', t.nodes]), [
    ['agent', 'a', 2], ['agent', 'b', 2], ['system', '-', 2],
    ['agent', 'a', 2], ['agent', 'b', 2], ['system', '-', 2],
  ]);
  assert.equal(attributes.get(KIND), 'eval');
  assert.equal(attributes.get(PASS_AT_1), result.eval.system?.system.pass1Mcts);
});

test('held-out problems given as a stored index: every one of them, agent mode only', async () => {
  const w = fakeWorld({ solves });
  const id = 'fast-eval-index';
  const result = await withFakes(id, w.activities, (client, taskQueue) =>
    client.workflow.execute(evaluation, { taskQueue, workflowId: id, args: [{ problems: { index: EVAL, count: 3 }, agents: agents.slice(0, 1), budget: 1, seed: 5, mode: 'agent' }] }),
  );
  assert.deepEqual(w.expand.map((c) => [c.workflowId.slice(id.length + 1), c.input.problem]).sort(), [
    ['agent-a-p0', 'sha256:problem-eval-0'],
    ['agent-a-p1', 'sha256:problem-eval-1'],
    ['agent-a-p2', 'sha256:problem-eval-2'],
  ]);
  assert.equal(result.eval.system, undefined);
  assert.ok(Math.abs(result.eval.agent!.a.pass1Mcts - 1 / 3) < 1e-12);
});

const plan: EvaluationPlan = { input: { runId: 'fast-run', problems: problems.slice(0, 1), agents, budget: 1, seed: 2, mode: 'agent' }, versions: { a: 0, b: 2 } };

test("runEvaluation: the plan's evaluation inline, then one record in the run's evaluations", async () => {
  const w = fakeWorld({ solves, plan });
  const id = 'fast-reval';
  const result = await withFakes(id, w.activities, (client, taskQueue) => client.workflow.execute(runEvaluation, { taskQueue, workflowId: id, args: [{ runId: 'fast-run' }] }));
  assert.deepEqual(new Set(w.expand.map((c) => c.workflowId)), new Set([`${id}-agent-a-p0`, `${id}-agent-b-p0`]));
  assert.deepEqual([result.runId, result.versions, result.problems], ['fast-run', { a: 0, b: 2 }, 1]);
  assert.equal(w.evaluations.length, 1);
  const [record] = w.evaluations;
  assert.deepEqual([record.workflowId, record.versions, record.problems, record.eval], [id, { a: 0, b: 2 }, 1, result.eval]);
});

test('runEvaluation of a config, not a run: nothing is recorded', async () => {
  const w = fakeWorld({ solves, plan: { ...plan, input: { ...plan.input, runId: undefined } } });
  const id = 'fast-reval-config';
  const result = await withFakes(id, w.activities, (client, taskQueue) => client.workflow.execute(runEvaluation, { taskQueue, workflowId: id, args: [{ config: CONFIG }] }));
  assert.equal(result.runId, null);
  assert.deepEqual(w.evaluations, []);
});
