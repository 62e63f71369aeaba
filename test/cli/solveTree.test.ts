// `mars2 solve` and `mars2 tree` end to end on the test stack (MARS2_STACK=test): a T+ tree on an MBPP
// problem with two tiny models, the best program and the drawing; `tree` returns the same nodes; input
// errors (a negative --temperature among them) say what was expected.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { NodeSummary } from '../../src/contracts';
import { SHARED_DATA } from '../helpers/data';
import { treeFixture, type TreeFixture } from '../helpers/searchTree';
import { mars2 as cli, ROOT } from '../helpers/cli';

const MBPP = join(SHARED_DATA, 'mbpp', 'mbpp.jsonl');
const mars2 = (...args: string[]) => cli(args);

let f: TreeFixture;
let agents: string;
before(async () => {
  f = await treeFixture();
  agents = f.input('tplus', 1).agents.map((a) => a.model).join(',');
});
after(async () => {
  await f.client.connection.close();
});

test('mars2 solve --json grows the tree, names the best program; mars2 tree returns the same nodes', () => {
  const solve = mars2('solve', '--problem', MBPP, '--id', '2', '--agents', agents, '--budget', '3', '--max-new-tokens', '16', '--json');
  assert.equal(solve.status, 0, solve.stderr);
  const out = JSON.parse(solve.stdout) as { workflowId: string; problemId: string; solved: boolean; best: { nodeId: number; program: string; verdicts: unknown[] }; nodes: NodeSummary[] };
  assert.equal(out.problemId, 'mbpp/2');
  assert.equal(out.nodes.length, 3);
  assert.equal(out.solved, out.nodes.some((n) => n.score === 1));
  assert.ok(out.best.program.length > 0 && out.best.verdicts.length > 0);

  const tree = mars2('tree', out.workflowId, '--json');
  assert.equal(tree.status, 0, tree.stderr);
  assert.deepEqual(JSON.parse(tree.stdout), { workflowId: out.workflowId, status: 'COMPLETED', nodes: out.nodes });
  const drawing = mars2('tree', out.workflowId);
  assert.equal(drawing.status, 0, drawing.stderr);
  assert.match(drawing.stdout, new RegExp(`^tree ${out.workflowId} · 3 nodes · best #${out.best.nodeId}\nroot\n`));
  assert.match(drawing.stdout, /status: completed/);
});

test('mars2 solve --int8: the tree runs on int8 projection weights, and its generation records say so', async () => {
  const solve = mars2('solve', '--problem', MBPP, '--id', '2', '--agents', agents, '--budget', '2', '--max-new-tokens', '8', '--seed', '5', '--json', '--int8');
  assert.equal(solve.status, 0, solve.stderr);
  const out = JSON.parse(solve.stdout) as { nodes: NodeSummary[] };
  assert.equal(out.nodes.length, 2);
  for (const n of out.nodes) {
    const rec = await f.store.getJson<{ weights?: string; tokenIds: number[] }>(n.refs.generation);
    assert.equal(rec.weights, 'int8');
    assert.ok(rec.tokenIds.length > 0);
  }
});

test('mars2 solve / tree: errors say what was expected and what to do', () => {
  const many = mars2('solve', '--problem', MBPP, '--agents', agents, '--budget', '2');
  assert.equal(many.status, 1);
  assert.match(many.stderr, /holds \d+ problems; pick one with --id/);
  const noModel = mars2('solve', '--problem', MBPP, '--id', '2', '--agents', '/nonexistent/model', '--budget', '2');
  assert.equal(noModel.status, 1);
  assert.match(noModel.stderr, /\/nonexistent\/model is not an HF model directory/);
  const badTemperature = mars2('solve', '--problem', MBPP, '--id', '2', '--agents', agents, '--budget', '2', '--temperature=-1');
  assert.equal(badTemperature.status, 2, 'a usage error');
  assert.match(badTemperature.stderr, /--temperature expects a number ≥ 0 \(0 is greedy\), got '-1'/);
  const noBudget = mars2('solve', '--problem', MBPP, '--id', '2', '--agents', agents);
  assert.equal(noBudget.status, 2);
  assert.match(noBudget.stderr, /--budget is required/);
  const missing = mars2('tree', 'no-such-tree');
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /no workflow 'no-such-tree'/);
  // A tree that fails on the worker (the fixture's 256-position context cannot hold mbpp/241's 517-character
  // prompt): the root cause, not a stack trace.
  const tooLong = mars2('solve', '--problem', MBPP, '--id', '241', '--agents', join(ROOT, 'test', 'fixtures', 'models', 'qwen2'), '--budget', '2');
  assert.equal(tooLong.status, 1);
  assert.match(tooLong.stderr, /mars2 solve: the workflow failed: agent 'qwen2' .*max_position_embeddings is 256/);
  assert.doesNotMatch(tooLong.stderr, /\n\s+at /, 'no stack trace');
});
