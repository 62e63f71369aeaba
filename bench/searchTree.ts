// Orchestration overhead of searchTree (issue 8 benchmark): runs trees on the test stack with two tiny
// models on an MBPP problem and reads each tree's history: wall = WorkflowExecutionStarted → Completed,
// inside = Σ over activities of ActivityTaskStarted → Completed (the worker's time in generate/runTests),
// overhead = wall − inside, per node and as a share of wall. Also events per tree.
//   node --import tsx bench/searchTree.ts [budget=8] [trees=3] [maxNewTokens=64]
import type { temporal } from '@temporalio/proto';
import { searchTree } from '../src/workflows';
import { treeFixture } from '../test/helpers/searchTree';

const ms = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) => Number(t?.seconds ?? 0) * 1000 + (t?.nanos ?? 0) / 1e6;

function measure(events: temporal.api.history.v1.IHistoryEvent[]) {
  const started = new Map<string, number>();
  let inside = 0;
  for (const e of events) {
    const s = e.activityTaskStartedEventAttributes;
    if (s) started.set(String(s.scheduledEventId), ms(e.eventTime));
    const c = e.activityTaskCompletedEventAttributes;
    if (c) inside += ms(e.eventTime) - started.get(String(c.scheduledEventId))!;
  }
  const wall = ms(events.at(-1)!.eventTime) - ms(events[0].eventTime);
  return { wall, inside, events: events.length };
}

async function main(): Promise<void> {
  const [budget = 8, trees = 3, maxNewTokens = 64] = process.argv.slice(2).map(Number);
  const f = await treeFixture();
  // Warm-up: the engine loads its models and the sandbox starts its containers.
  await f.client.workflow.execute(searchTree, { taskQueue: f.cfg.taskQueue, workflowId: `bench-warm-${Date.now()}`, args: [f.input('tplus', 2, { maxNewTokens })] });
  console.log(`budget ${budget}, maxNewTokens ${maxNewTokens}, ${trees} trees one after another`);
  console.log('tree  wall ms  in activities ms  overhead ms/node  overhead share  events');
  for (let i = 0; i < trees; i++) {
    const handle = await f.client.workflow.start(searchTree, {
      taskQueue: f.cfg.taskQueue, workflowId: `bench-tree-${Date.now()}-${i}`, args: [f.input('tplus', budget, { maxNewTokens, seed: i })],
    });
    await handle.result();
    const m = measure((await handle.fetchHistory()).events ?? []);
    const over = m.wall - m.inside;
    console.log(`${i}  ${m.wall.toFixed(0).padStart(7)}  ${m.inside.toFixed(0).padStart(16)}  ${(over / budget).toFixed(1).padStart(16)}  ${((100 * over) / m.wall).toFixed(1).padStart(13)}%  ${m.events}`);
  }
  await f.client.connection.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
