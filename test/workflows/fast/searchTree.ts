// searchTree's logic on fake activities (part of the fast tier, test/workflows/fast.test.ts): what each
// expand is given, how nodes are linked and scored, the `tree` query, local expands, and parallel
// expands (batches in flight at once, the tree the pure search builds from the same batches).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NodeSummary, SearchTreeInput } from '../../../src/contracts';
import { searchTree } from '../../../src/workflows';
import { treeQuery } from '../../../src/workflows/shared';
import { AbMctsA } from '../../../src/search/abmcts';
import { Rng } from '../../../src/search/rng';
import { Worker } from '@temporalio/worker';
import { fastBundle, withFakes } from './env';
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

// Parallel trees: scores follow each node's seed, so they do not depend on which expand finished first.
// Node with seed s passes its public tests iff s is even, its private ones iff s % 3 = 0 (score: both).
const bySeed = (batches?: { size: number; budget: number }) => fakeWorld({ batches, solves: (_a, _p, _k, seed) => ({ public: seed % 2 === 0, private: seed % 3 === 0 }) });
const strip = (nodes: NodeSummary[]) => nodes.map(({ treeId: _t, ...n }) => n);

/** The tree the pure search builds for `input` when batches of `k` are registered in selection order. */
function pureTree(input: SearchTreeInput, k: number): Array<[number | null, string]> {
  const search = new AbMctsA({ ...input.search, agents: input.agents.map((a) => a.name) });
  const rng = Rng.seeded(input.seed, input.problem.id);
  let state = search.init();
  for (let first = 0; first < input.budget; first += k) {
    search.selectBatch(state, rng, Math.min(k, input.budget - first)).forEach(({ parent, agent }, i) => {
      const seed = Rng.seeded(input.seed, input.problem.id, 'node', first + i).uint32();
      state = search.register(state, parent, agent, seed % 6 === 0 ? 1 : 0);
    });
  }
  return state.nodes.map((n) => [n.parent === -1 ? null : n.parent, input.agents[n.agent].name]);
}

test('parallel k: k expands in flight at once, exactly budget nodes, the pure search’s tree of batches', async () => {
  const input = tree({ reward: 'all', budget: 11, parallel: 4 });
  const w = bySeed({ size: 4, budget: 11 });
  const { nodes, queried } = await grow(w, 'fast-tree-wide', input);
  assert.equal(w.inFlight.get('fast-tree-wide'), 4, 'batches of 4 overlap');
  assert.equal(nodes.length, 11, 'budget 11 = batches of 4, 4, 3');
  assert.equal(w.expand.length, 11, 'one expand per node');
  assert.deepEqual(queried, nodes);
  assert.deepEqual(nodes.map((n) => n.nodeId), [...Array(11).keys()], 'ids in selection order');
  assert.deepEqual(nodes.map((n) => [n.parentId, n.agent]), pureTree(input, 4), 'scores registered in selection order');
  assert.ok(nodes.slice(0, 4).every((n) => n.parentId === null), 'the first batch, selected from the empty tree, expands the root');
  for (const n of nodes) if (n.parentId !== null) assert.ok(n.parentId < n.nodeId - (n.nodeId % 4), `node ${n.nodeId}'s parent is of an earlier batch`);
  assert.equal(new Set(w.expand.map((c) => c.input.seed)).size, 11, 'each node has its own seed');
});

test("parallel k with inFlight 'virtual-loss': the pure search's tree of pending-aware batches", async () => {
  const input = tree({ reward: 'all', budget: 10, parallel: 5, search: { inFlight: 'virtual-loss' } });
  const { nodes } = await grow(bySeed({ size: 5, budget: 10 }), 'fast-tree-wide-loss', input);
  assert.deepEqual(nodes.map((n) => [n.parentId, n.agent]), pureTree(input, 5));
});

test('parallel k is durable: its history replays against the workflow, with one expand scheduled per node', async () => {
  const input = tree({ reward: 'all', budget: 7, parallel: 3 });
  const id = 'fast-tree-wide-replay';
  const history = await withFakes(id, bySeed({ size: 3, budget: 7 }).activities, async (client, taskQueue) => {
    const handle = await client.workflow.start(searchTree, { taskQueue, workflowId: id, args: [input] });
    await handle.result();
    return handle.fetchHistory();
  });
  const scheduled = history.events?.filter((e) => e.activityTaskScheduledEventAttributes) ?? [];
  assert.equal(scheduled.length, 7, 'one expand activity per node, none repeated');
  // What a worker that lost the tree does: rebuild it from the history, command by command.
  await Worker.runReplayHistory({ workflowBundle: await fastBundle() }, history, id);
});

test('parallel k is deterministic: the same seed grows the same tree, as activities or local activities', async () => {
  const input = tree({ reward: 'all', budget: 9, parallel: 3 });
  const [a, b, local] = await Promise.all([
    grow(bySeed({ size: 3, budget: 9 }), 'fast-tree-wide-a', input),
    grow(bySeed(), 'fast-tree-wide-b', input),
    grow(bySeed({ size: 3, budget: 9 }), 'fast-tree-wide-local', { ...input, expandAs: 'local' }),
  ]);
  assert.deepEqual(strip(b.nodes), strip(a.nodes), 'answers in reverse order (a) or as they come (b): one tree');
  assert.deepEqual(strip(local.nodes), strip(a.nodes));
});

test("expandAs 'batch': one expandBatch activity per batch, the same tree, a history that replays", async () => {
  const input = tree({ reward: 'all', budget: 7, parallel: 3 });
  const id = 'fast-tree-batch';
  const w = bySeed({ size: 3, budget: 7 });
  const { nodes, history } = await withFakes(id, w.activities, async (client, taskQueue) => {
    const handle = await client.workflow.start(searchTree, { taskQueue, workflowId: id, args: [{ ...input, expandAs: 'batch' }] });
    return { nodes: await handle.result(), history: await handle.fetchHistory() };
  });
  const scheduled = history.events?.filter((e) => e.activityTaskScheduledEventAttributes) ?? [];
  assert.deepEqual(scheduled.map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name), ['expandBatch', 'expandBatch', 'expandBatch']);
  assert.deepEqual(w.expandBatch.map((c) => c.input.length), [3, 3, 1], 'batches of parallel, the last one smaller');
  assert.equal(w.inFlight.get(id), 3, "a batch's nodes run at once");
  const { nodes: each } = await grow(bySeed({ size: 3, budget: 7 }), 'fast-tree-batch-each', input);
  assert.deepEqual(strip(nodes), strip(each), 'the tree an activity per node grows');
  await Worker.runReplayHistory({ workflowBundle: await fastBundle() }, history, id);
});

test('parallel 1 is today’s tree: one expand at a time, the sequential search’s tree', async () => {
  const input = tree({ reward: 'all', budget: 8 });
  const w = bySeed();
  const [seq, one] = await Promise.all([grow(w, 'fast-tree-seq', input), grow(bySeed(), 'fast-tree-one', { ...input, parallel: 1 })]);
  assert.equal(w.inFlight.get('fast-tree-seq'), 1);
  assert.deepEqual(strip(one.nodes), strip(seq.nodes));
  assert.deepEqual(seq.nodes.map((n) => [n.parentId, n.agent]), pureTree(input, 1));
});

test("an 'iid' group with parallel = budget runs every sample at once", async () => {
  const w = bySeed({ size: 5, budget: 5 });
  const { nodes } = await grow(w, 'fast-tree-iid-wide', tree({ strategy: 'iid', budget: 5, parallel: 5 }));
  assert.equal(w.inFlight.get('fast-tree-iid-wide'), 5);
  assert.deepEqual(nodes.map((n) => [n.parentId, n.agent]), Array(5).fill([null, 'a']));
});

test('a parallel that is not a positive integer fails the tree, saying what it expected', async () => {
  await assert.rejects(grow(bySeed(), 'fast-tree-wide-bad', tree({ parallel: 0 })), (e: Error) => {
    const cause = (e as Error & { cause?: Error }).cause;
    return /parallel must be a positive integer .*found 0/.test(cause?.message ?? e.message);
  });
});
