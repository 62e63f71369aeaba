// Crash test (temporal.md §5.5, DESIGN §5 "crash anywhere, lose nothing"): the background worker is
// killed with SIGKILL while an `expand` generates, `up` starts a new one, and the tree still ends with
// exactly `budget` nodes, each expanded once into the tree: the history schedules one expand per node,
// and the interrupted one completes on a later attempt; so too with parallel expands (a batch of two in
// flight when the worker dies), and with expandAs 'batch' (the batch's one activity interrupted). With
// expandAs 'local' the expands run inside
// the open workflow task: a worker killed there loses the nodes not yet recorded, the next worker redoes
// them, and the history records exactly one expand per node.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { WorkflowHandle } from '@temporalio/client';
import { crashWorker, up } from '../../src/stack';
import { checkNodes } from '../../src/rl/nodes';
import { searchTree } from '../../src/workflows';
import { treeFixture, type TreeFixture } from '../helpers/searchTree';

const PENDING_ACTIVITY_STATE_STARTED = 2;

let f: TreeFixture;
before(async () => {
  f = await treeFixture();
});
after(async () => {
  await f.client.connection.close();
});

/** Starts a new worker; the tree ends with exactly its 4 nodes, each once. Returns the history's events. */
async function restartAndFinish(handle: WorkflowHandle<typeof searchTree>, killedPid: number) {
  const restarted = await up(f.cfg);
  assert.notEqual(restarted.worker?.pid, killedPid);
  const nodes = await handle.result();
  assert.equal(nodes.length, 4);
  checkNodes(nodes);
  assert.deepEqual(nodes.map((n) => n.nodeId), [0, 1, 2, 3]);
  for (const node of nodes) {
    assert.ok(await f.store.has(node.refs.generation));
    assert.ok(await f.store.has(node.refs.publicTests!));
  }
  return (await handle.fetchHistory()).events ?? [];
}

type Pending = NonNullable<Awaited<ReturnType<WorkflowHandle['describe']>>['raw']['pendingActivities']>;

/**
 * On a fresh worker, starts a tree of 4 nodes with `over` and SIGKILLs the worker the first time `when`
 * holds of the tree's pending activities; returns the handle and the killed pid.
 */
async function startAndKill(name: string, over: Parameters<TreeFixture['input']>[2], when: (pending: Pending) => boolean) {
  // A fresh worker, so the first expand also starts the engine and loads the models: a wide window.
  await crashWorker(f.cfg);
  await up(f.cfg);
  const handle = await f.client.workflow.start(searchTree, {
    taskQueue: f.cfg.taskQueue,
    workflowId: `test-crash-${name}-${Date.now()}`,
    args: [f.input('tplus', 4, { maxNewTokens: 64, ...over })],
  });
  let killedPid: number | undefined;
  for (let i = 0; i < 3000 && killedPid === undefined; i++) {
    const desc = await handle.describe();
    if (when(desc.raw.pendingActivities ?? [])) killedPid = (await crashWorker(f.cfg))?.pid;
    else if (desc.status.name !== 'RUNNING') break;
    else await new Promise((r) => setTimeout(r, 10));
  }
  return { handle, killedPid };
}

test('a tree survives a worker killed during generate: exactly budget nodes, none twice', async () => {
  const { handle, killedPid } = await startAndKill('generate', {}, (pending) =>
    pending.some((a) => a.activityType?.name === 'expand' && a.state === PENDING_ACTIVITY_STATE_STARTED),
  );
  assert.ok(killedPid, 'the worker was killed while an expand ran');
  const events = await restartAndFinish(handle, killedPid);
  const scheduled = new Map<string, string>(); // scheduled event id → activity type
  for (const e of events) {
    const a = e.activityTaskScheduledEventAttributes;
    if (a) scheduled.set(String(e.eventId), a.activityType?.name ?? '');
  }
  assert.deepEqual([...scheduled.values()], ['expand', 'expand', 'expand', 'expand'], 'one expand per node, nothing else');
  const completed = events.filter((e) => e.activityTaskCompletedEventAttributes);
  assert.equal(completed.length, 4);
  const retried = events.filter((e) => (e.activityTaskStartedEventAttributes?.attempt ?? 0) >= 2);
  assert.equal(retried.length, 1, 'the interrupted expand completed on a later attempt');
});

test('parallel 2: a worker killed while a batch expands; exactly budget nodes, one expand per node', async () => {
  const { handle, killedPid } = await startAndKill('parallel', { parallel: 2 }, (pending) => {
    const expands = pending.filter((a) => a.activityType?.name === 'expand');
    return expands.length === 2 && expands.some((a) => a.state === PENDING_ACTIVITY_STATE_STARTED);
  });
  assert.ok(killedPid, 'the worker was killed while a batch of two expands was in flight');
  const events = await restartAndFinish(handle, killedPid);
  const scheduled = events.filter((e) => e.activityTaskScheduledEventAttributes);
  assert.deepEqual(scheduled.map((e) => e.activityTaskScheduledEventAttributes!.activityType?.name), ['expand', 'expand', 'expand', 'expand'], 'one expand per node');
  const firstCompleted = events.findIndex((e) => e.activityTaskCompletedEventAttributes);
  assert.ok(events.indexOf(scheduled[1]) < firstCompleted, 'the first batch was scheduled before either of its expands completed');
  assert.equal(events.filter((e) => e.activityTaskCompletedEventAttributes).length, 4);
  assert.ok(events.some((e) => (e.activityTaskStartedEventAttributes?.attempt ?? 0) >= 2), 'an interrupted expand completed on a later attempt');
});

test("expandAs 'batch': a worker killed inside a batch's activity; exactly budget nodes, one expandBatch per batch", async () => {
  const { handle, killedPid } = await startAndKill('batch', { parallel: 2, expandAs: 'batch' }, (pending) =>
    pending.some((a) => a.activityType?.name === 'expandBatch' && a.state === PENDING_ACTIVITY_STATE_STARTED),
  );
  assert.ok(killedPid, 'the worker was killed while a batch ran');
  const events = await restartAndFinish(handle, killedPid);
  const scheduled = events.filter((e) => e.activityTaskScheduledEventAttributes);
  assert.deepEqual(scheduled.map((e) => e.activityTaskScheduledEventAttributes!.activityType?.name), ['expandBatch', 'expandBatch'], 'one activity per batch of two');
  assert.equal(events.filter((e) => e.activityTaskCompletedEventAttributes).length, 2);
  assert.ok(events.some((e) => (e.activityTaskStartedEventAttributes?.attempt ?? 0) >= 2), 'the interrupted batch completed on a later attempt');
});

test("expandAs 'local': a worker killed mid-tree loses only unrecorded nodes, which are redone; exactly budget nodes", async () => {
  await crashWorker(f.cfg);
  await up(f.cfg);
  const workflowId = `test-crash-local-${Date.now()}`;
  const handle = await f.client.workflow.start(searchTree, {
    taskQueue: f.cfg.taskQueue,
    workflowId,
    args: [f.input('tplus', 4, { maxNewTokens: 64, expandAs: 'local' })],
  });
  // The fresh worker's first local expand loads the engine and the models: kill it while its workflow
  // task is open (started, not completed), i.e. while the tree's local expands run inside it.
  let killedPid: number | undefined;
  for (let i = 0; i < 3000 && killedPid === undefined; i++) {
    const events = (await handle.fetchHistory()).events ?? [];
    const last = events.at(-1);
    if (last?.workflowTaskStartedEventAttributes && !events.some((e) => e.markerRecordedEventAttributes)) {
      await new Promise((r) => setTimeout(r, 200));
      killedPid = (await crashWorker(f.cfg))?.pid;
    } else if ((await handle.describe()).status.name !== 'RUNNING') break;
    else await new Promise((r) => setTimeout(r, 10));
  }
  assert.ok(killedPid, 'the worker was killed inside the open workflow task');
  const events = await restartAndFinish(handle, killedPid);
  assert.ok(events.some((e) => e.workflowTaskFailedEventAttributes || e.workflowTaskTimedOutEventAttributes), 'the interrupted workflow task is in the history');
  const markers = events.flatMap((e) => {
    const m = e.markerRecordedEventAttributes;
    if (!m) return [];
    return [JSON.parse(Buffer.from(m.details!.data.payloads![0].data!).toString()) as { seq: number; activity_type: string }];
  });
  assert.deepEqual(markers.map((m) => m.activity_type), ['expand', 'expand', 'expand', 'expand'], 'one recorded expand per node');
  assert.equal(new Set(markers.map((m) => m.seq)).size, 4);
  assert.equal(events.filter((e) => e.activityTaskScheduledEventAttributes).length, 0, 'no regular activity');
});
