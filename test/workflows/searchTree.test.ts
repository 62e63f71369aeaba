// searchTree on the real stack: the dev server, the background worker `up` started, the real sandbox
// and the tiny real models, on an MBPP problem. A tree grows exactly `budget` nodes, each with its
// generation and test report in the store; the `tree` query answers mid-run with a prefix of the final
// tree; T+ refinement prompts carry the parent's feedback; search attributes are set. A parallel tree
// runs its batches' expands at once and grows the same tree shape for the same seed. Bad sampling sent
// through the API fails the tree at once, non-retryable, naming the field.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ActivityFailure, ApplicationFailure, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import type { GenerationRecord, NodeSummary } from '../../src/contracts';
import { checkNodes } from '../../src/rl/nodes';
import type { RunReport } from '../../src/sandbox';
import { searchTree } from '../../src/workflows';
import { treeQuery } from '../../src/workflows/shared';
import { treeFixture, type TreeFixture } from '../helpers/searchTree';

describe('searchTree workflow', () => {
  let f: TreeFixture;
  before(async () => {
    f = await treeFixture();
  });
  after(async () => {
    await f.client.connection.close();
  });

  test('a training tree of budget 4 grows 4 nodes with stored generations and verdicts; the query answers mid-run', async () => {
    const workflowId = `test-tree-${Date.now()}`;
    const handle = await f.client.workflow.start(searchTree, { taskQueue: f.cfg.taskQueue, workflowId, args: [f.input('training', 4)] });
    const { seen, nodes } = await watch(handle, 200);

    assert.equal(nodes.length, 4);
    checkNodes(nodes);
    assert.deepEqual(nodes.map((n) => n.nodeId), [0, 1, 2, 3]);
    assert.ok(seen.some((s) => s.length < 4), 'a query answered before the tree was complete');
    for (const s of seen) assert.deepEqual(s, nodes.slice(0, s.length), 'every live answer is a prefix of the final tree');
    assert.deepEqual(await handle.query(treeQuery), nodes, 'the query answers for the finished tree too');

    for (const node of nodes) {
      assert.equal(node.treeId, workflowId);
      assert.ok(['qwen3', 'qwen2'].includes(node.agent));
      const gen = await f.store.getJson<GenerationRecord>(node.refs.generation);
      assert.equal(gen.problemId, f.problem.id);
      assert.equal(gen.agent, node.agent);
      assert.equal(gen.tokenIds.length, node.responseTokens);
      assert.equal(gen.logprobs.length, node.responseTokens);
      assert.ok(gen.program.length > 0);
      const report = await f.store.getJson<RunReport>(node.refs.publicTests!);
      assert.equal(report.verdict, node.publicTests!.verdict);
      assert.notEqual(report.verdict, 'IE');
      assert.equal(report.tests.length > 0, true);
      assert.equal(node.score, report.verdict === 'AC' ? 1 : 0);
      // Training mode: a refinement shows MARTI's pass/fail summary; a root child, the problem as stored.
      const prompt = gen.messages.at(-1)!.content;
      if (node.parentId === null) assert.equal(prompt, f.problem.prompt);
      else assert.match(prompt, /Here are the results based on the code above|doesn't include any code/);
    }
    const desc = await handle.describe();
    assert.equal(desc.status.name, 'COMPLETED');
    assert.deepEqual(desc.searchAttributes.Mars2Kind, ['search']);
  });

  test('parallel 3: batches of expands at once, exactly budget nodes, live answers prefixes, same seed same shape', async () => {
    const grow = async (workflowId: string) => {
      const handle = await f.client.workflow.start(searchTree, { taskQueue: f.cfg.taskQueue, workflowId, args: [f.input('training', 6, { parallel: 3 })] });
      const { seen, nodes } = await watch(handle, 100);
      for (const s of seen) assert.deepEqual(s, nodes.slice(0, s.length), 'every live answer is a prefix of the final tree');
      const events = (await handle.fetchHistory()).events ?? [];
      const scheduled = events.filter((e) => e.activityTaskScheduledEventAttributes);
      assert.equal(scheduled.length, 6, 'one expand per node');
      const firstCompleted = events.findIndex((e) => e.activityTaskCompletedEventAttributes);
      assert.ok(events.indexOf(scheduled[2]) < firstCompleted, 'a batch of three is scheduled before any of it completes');
      return nodes;
    };
    const t = Date.now();
    const [a, b] = [await grow(`test-tree-wide-a-${t}`), await grow(`test-tree-wide-b-${t}`)];
    assert.equal(a.length, 6);
    checkNodes(a);
    assert.deepEqual(a.map((n) => n.nodeId), [0, 1, 2, 3, 4, 5]);
    assert.ok(a.slice(0, 3).every((n) => n.parentId === null), 'the first batch expands the empty root');
    const shape = (nodes: NodeSummary[]) => nodes.map((n) => [n.parentId, n.agent, n.score]);
    assert.deepEqual(shape(b), shape(a), 'same seed, same tree');
  });

  test('a T+ tree with a run id: refinements carry the test feedback; the run search attributes find it', async () => {
    const input = f.input('tplus', 4, { runId: 'test-run' });
    const a = await f.client.workflow.execute(searchTree, { taskQueue: f.cfg.taskQueue, workflowId: `test-tplus-${Date.now()}`, args: [input] });
    assert.equal(a.length, 4);
    checkNodes(a);
    for (const node of a) {
      const gen = await f.store.getJson<GenerationRecord>(node.refs.generation);
      const prompt = gen.messages.at(-1)!.content;
      if (node.parentId === null) assert.equal(prompt, f.problem.prompt);
      else {
        assert.match(prompt, /## Your previous attempt/);
        assert.match(prompt, new RegExp(`passed ${a[node.parentId].publicTests!.passed} of ${a[node.parentId].publicTests!.total} public tests`));
      }
    }
    const listed = f.client.workflow.list({ query: `Mars2RunId = 'test-run' AND Mars2Kind = 'search'` });
    const ids: string[] = [];
    for await (const wf of listed) ids.push(wf.workflowId);
    assert.ok(ids.some((id) => id === a[0].treeId), 'the tree is found by its search attributes');
  });

  test('bad sampling through the API (temperature -1): the tree fails at once, non-retryable, naming the field', async () => {
    const workflowId = `test-bad-sampling-${Date.now()}`;
    const handle = await f.client.workflow.start(searchTree, {
      taskQueue: f.cfg.taskQueue, workflowId, args: [f.input('tplus', 2, { sampling: { temperature: -1 } })],
    });
    const err = await handle.result().then(() => null, (e: unknown) => e);
    assert.ok(err instanceof WorkflowFailedError, `the tree failed: ${String(err)}`);
    assert.ok(err.cause instanceof ActivityFailure);
    const cause = err.cause.cause;
    assert.ok(cause instanceof ApplicationFailure);
    assert.equal(cause.type, 'BadSampling');
    assert.equal(cause.nonRetryable, true);
    assert.match(cause.message, /agent '.+' \(.+\): sampling\.temperature must be ≥ 0, found -1/);
    const started = ((await handle.fetchHistory()).events ?? []).filter((e) => e.activityTaskStartedEventAttributes);
    assert.deepEqual(started.map((e) => e.activityTaskStartedEventAttributes!.attempt), [1], 'one attempt, no retries');
  });
});

/** The tree's `tree` query answers, every `everyMs` while it runs, and its result. */
async function watch(handle: WorkflowHandle<typeof searchTree>, everyMs: number): Promise<{ seen: NodeSummary[][]; nodes: NodeSummary[] }> {
  const seen: NodeSummary[][] = [];
  const result = handle.result();
  let done = false;
  void result.then(() => (done = true), () => (done = true));
  while (!done) {
    seen.push(await handle.query(treeQuery));
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return { seen, nodes: await result };
}
