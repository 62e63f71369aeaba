// evaluation on the real stack (dev server, background worker, sandbox, tiny real models with random
// weights): 2 MBPP problems × 2 agents, budget 2, both modes. Checks the shape and counts of the
// summary, that every child tree ran the private tests, that the figures equal those recomputed from
// the children's nodes, and the search attributes. Random models fail the tests, so rates of 0 are fine.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { EvaluationInput, ProblemRef } from '../../src/contracts';
import { readDataset } from '../../src/data';
import { evaluationSummary } from '../../src/rl/metrics';
import { toEvalNodes } from '../../src/rl/nodes';
import { evaluation, searchTree } from '../../src/workflows';
import { SHARED_DATA } from '../helpers/data';
import { treeFixture, type TreeFixture } from '../helpers/searchTree';

let f: TreeFixture;
before(async () => {
  f = await treeFixture();
});
after(async () => {
  await f.client.connection.close();
});

async function twoMbppProblems(): Promise<ProblemRef[]> {
  const out: ProblemRef[] = [];
  for await (const entry of readDataset(join(SHARED_DATA, 'mbpp', 'mbpp.jsonl'))) {
    out.push({ ref: await f.store.putJson(entry.problem), id: entry.problem.id });
    if (out.length === 2) break;
  }
  return out;
}

test('an evaluation in both modes: one tree per problem per agent and one joint tree per problem, private tests, summary', async () => {
  const problems = await twoMbppProblems();
  const tree = f.input('training', 2);
  const input: EvaluationInput = {
    runId: 'test-eval-run',
    problems,
    agents: tree.agents.map((a) => ({ name: a.name, model: { dir: a.model, version: 0 }, ...(a.thinking !== undefined && { thinking: a.thinking }) })),
    budget: 2,
    seed: 11,
    mode: 'both',
    maxNewTokens: tree.maxNewTokens,
    timeouts: tree.timeouts,
  };
  const workflowId = `test-eval-${Date.now()}`;
  const handle = await f.client.workflow.start(evaluation, { taskQueue: f.cfg.taskQueue, workflowId, args: [input] });
  const result = await handle.result();

  assert.equal(result.problems, 2);
  assert.equal(result.trees.length, 2 * (2 + 1), 'agent mode: 2 problems × 2 agents; system mode: 2 problems');
  const agentTrees = result.trees.filter((t) => t.mode === 'agent');
  const systemTrees = result.trees.filter((t) => t.mode === 'system');
  assert.deepEqual(agentTrees.map((t) => t.treeId).sort(), [
    `${workflowId}-agent-qwen2-p0`,
    `${workflowId}-agent-qwen2-p1`,
    `${workflowId}-agent-qwen3-p0`,
    `${workflowId}-agent-qwen3-p1`,
  ]);
  assert.deepEqual(systemTrees.map((t) => t.treeId), [`${workflowId}-sys-p0`, `${workflowId}-sys-p1`]);
  for (const t of result.trees) assert.equal(t.nodes, 2);

  // The figures are those of the children's nodes (each with its private tests).
  const nodesOf = async (id: string) => {
    const nodes = await f.client.workflow.getHandle<typeof searchTree>(id).result();
    for (const n of nodes) {
      assert.ok(n.privateTests && n.refs.privateTests, `node ${n.nodeId} of ${id} ran the private tests`);
      assert.ok(n.privateTests.total > 0);
    }
    return toEvalNodes(nodes);
  };
  const agentNodes = await Promise.all(agentTrees.map((t) => nodesOf(t.treeId)));
  agentTrees.forEach((t, k) => assert.ok(agentNodes[k].every((n) => n.agent === t.agent), 'an agent-mode tree holds only its agent'));
  const systemNodes = await Promise.all(systemTrees.map((t) => nodesOf(t.treeId)));
  const agentSummary = evaluationSummary(agentNodes);
  const systemSummary = evaluationSummary(systemNodes);

  assert.deepEqual(Object.keys(result.eval.agent!).sort(), ['qwen2', 'qwen3']);
  for (const [name, s] of Object.entries(result.eval.agent!)) {
    assert.equal(s.trees, 2, `${name}: one tree per problem`);
    assert.deepEqual(s, agentSummary.agents.get(name));
  }
  assert.equal(result.eval.system!.system.trees, 2);
  assert.deepEqual(result.eval.system!.system, systemSummary.system);
  assert.deepEqual(result.eval.system!.agents, Object.fromEntries(systemSummary.agents));
  for (const s of [...Object.values(result.eval.agent!), result.eval.system!.system, ...Object.values(result.eval.system!.agents)]) {
    for (const k of ['pass1', 'pass1Mcts', 'passN', 'avgPass1'] as const) assert.ok(s[k] >= 0 && s[k] <= 1, `${k} in [0, 1]`);
    assert.ok(s.pass1 <= s.passN && s.pass1Mcts <= s.passN, 'Pass@N bounds Pass@1 and Pass@1(MCTS)');
  }

  const desc = await handle.describe();
  assert.deepEqual(desc.searchAttributes.Mars2Kind, ['eval']);
  assert.deepEqual(desc.searchAttributes.Mars2RunId, ['test-eval-run']);
  assert.deepEqual(desc.searchAttributes.Mars2Pass1, [result.eval.system!.system.pass1Mcts]);
});
