// searchTree's logic on fake activities (part of the fast tier, test/workflows/fast.test.ts): what each
// expand is given, how nodes are linked and scored, the `tree` query, and local expands.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NodeSummary, SearchTreeInput } from '../../../src/contracts';
import { searchTree } from '../../../src/workflows';
import { treeQuery } from '../../../src/workflows/shared';
import { withFakes } from './env';
import { fakeWorld, type FakeWorld } from './fakes';

const tree = (over: Partial<SearchTreeInput> = {}): SearchTreeInput => ({
  problem: { ref: 'sha256:problem-train-0', id: 'train-0' },
  agents: [
    { name: 'a', model: '/models/a' },
    { name: 'b', model: '/ckpt/b/v3', policyVersion: 3 },
  ],
  budget: 6,
  seed: 11,
  mode: 'training',
  ...over,
});

/** Node k passes its public tests when k is even, its private ones when k is a multiple of 3. */
const world = () => fakeWorld({ solves: (_a, _p, k) => ({ public: k % 2 === 0, private: k % 3 === 0 }) });

async function grow(w: FakeWorld, workflowId: string, input: SearchTreeInput): Promise<{ nodes: NodeSummary[]; queried: NodeSummary[] }> {
  return withFakes(workflowId, w.activities, async (client, taskQueue) => {
    const handle = await client.workflow.start(searchTree, { taskQueue, workflowId, args: [input] });
    const nodes = await handle.result();
    return { nodes, queried: await handle.query(treeQuery) };
  });
}

test('a training tree: budget nodes; each expand gets its parent’s generation and public report only; scores count rewards.tests', async () => {
  const w = world();
  const { nodes, queried } = await grow(w, 'fast-tree', tree({ reward: 'all' }));
  assert.equal(nodes.length, 6);
  assert.deepEqual(queried, nodes, 'the tree query answers the nodes');
  nodes.forEach((node, k) => {
    const call = w.expand[k].input;
    const parent = node.parentId === null ? null : nodes[node.parentId];
    assert.deepEqual(call.parent, parent && { generation: parent.refs.generation, publicTests: parent.refs.publicTests }, `node ${k}'s parent`);
    assert.equal(node.depth, parent ? parent.depth + 1 : 1);
    assert.equal(call.agent.name, node.agent);
    assert.equal(node.policyVersion, node.agent === 'b' ? 3 : 0);
    assert.deepEqual([call.feedback, call.privateTests, call.reward], ['marti', true, 'all']);
    assert.equal(node.score, k % 6 === 0 ? 1 : 0, `node ${k}: 1 iff public and private pass`);
  });
  assert.ok(nodes.some((n) => n.parentId !== null), 'the search refines, not only samples the root');
  assert.equal(new Set(w.expand.map((c) => c.input.seed)).size, 6, 'each node has its own seed');
});

test("expandAs 'local' grows the same tree", async () => {
  const strip = (nodes: NodeSummary[]) => nodes.map(({ treeId: _t, ...n }) => n);
  const remote = await grow(world(), 'fast-tree-remote', tree({ reward: 'all' }));
  const local = await grow(world(), 'fast-tree-local', tree({ reward: 'all', expandAs: 'local' }));
  assert.deepEqual(strip(local.nodes), strip(remote.nodes));
});

test("a 'tplus' tree without a reward: rich feedback, public tests only, scored on them", async () => {
  const w = world();
  const { nodes } = await grow(w, 'fast-tree-tplus', tree({ mode: 'tplus', budget: 3 }));
  assert.ok(w.expand.every((c) => c.input.feedback === 'tplus' && !c.input.privateTests && c.input.reward === undefined));
  assert.deepEqual(nodes.map((n) => [n.score, n.privateTests]), [[1, undefined], [0, undefined], [1, undefined]]);
});
