// Orchestration overhead of searchTree: runs trees on the test stack with two tiny
// models on an MBPP problem and reads each tree's history (bench/searchTreeHistory.ts):
//   per tree   wall = WorkflowExecutionStarted → Completed, inside = Σ ActivityTaskStarted → Completed,
//              overhead = wall − inside, per node and as a share of wall, split by where it goes;
//   at once    `concurrent` trees started together (a training iteration runs P trees at once): per tree
//              as above, and for the batch the time no activity of any tree runs (batch wall − union of
//              activity intervals), per node and as a share of the batch's wall;
//   limits     events and bytes per tree and per node against Temporal's per-execution limits.
//   node --import tsx bench/searchTree.ts [budget=8] [trees=5] [maxNewTokens=64] [concurrent=4]
// Trees run `trees` times one after another, then `trees` rounds of `concurrent` trees; figures are medians.
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import type { SearchTreeInput } from '../src/contracts';
import { status } from '../src/stack';
import { searchTree } from '../src/workflows';
import { treeFixture, type TreeFixture } from '../test/helpers/searchTree';
import { GAPS, median, treeTimes, unionLength, type TreeTimes } from './searchTreeHistory';

// Temporal's per-execution limits (research/temporal.md §1.1–1.3).
const HISTORY_EVENTS_ERROR = 51_200;
const HISTORY_EVENTS_SUGGEST_CAN = 4_096;
const HISTORY_BYTES_ERROR = 50 * 1024 * 1024;
const PAYLOAD_BYTES_ERROR = 2 * 1024 * 1024;
const PENDING_CHILDREN_ERROR = 2_000;

const f1 = (x: number) => x.toFixed(1);

/** CPU ms (user + system) a process has used so far: fields 14 and 15 of /proc/PID/stat, in clock ticks of 10 ms. */
function cpuMs(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** CPU used by the test stack's server and worker while `work` runs. */
async function cpuOf<T>(f: TreeFixture, work: () => Promise<T>): Promise<{ result: T; serverMs: number; workerMs: number }> {
  const st = status(f.cfg);
  const [s0, w0] = [cpuMs(st.server?.pid), cpuMs(st.worker?.pid)];
  const result = await work();
  return { result, serverMs: cpuMs(st.server?.pid) - s0, workerMs: cpuMs(st.worker?.pid) - w0 };
}
const cpuLine = (c: { serverMs: number; workerMs: number }, nodes: number) =>
  `CPU per node: Temporal server ${f1(c.serverMs / nodes)} ms, worker ${f1(c.workerMs / nodes)} ms (activities included)`;
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

async function runTrees(f: TreeFixture, n: number, budget: number, maxNewTokens: number, tag: string, extra: Partial<SearchTreeInput> = {}): Promise<TreeTimes[]> {
  const handles = await Promise.all(
    Array.from({ length: n }, (_, k) =>
      f.client.workflow.start(searchTree, {
        taskQueue: f.cfg.taskQueue,
        workflowId: `bench-${tag}-${Date.now()}-${k}`,
        args: [f.input('tplus', budget, { maxNewTokens, seed: k, ...extra })],
      }),
    ),
  );
  await Promise.all(handles.map((h) => h.result()));
  return Promise.all(handles.map(async (h) => treeTimes(await h.fetchHistory())));
}

function treeLine(label: string, t: TreeTimes, budget: number): string {
  const over = t.wall - t.inside;
  const split = GAPS.map((g) => f1(t.outside[g] / budget).padStart(7)).join(' ');
  return `${label.padEnd(6)} ${t.wall.toFixed(0).padStart(6)} ${t.inside.toFixed(0).padStart(7)} ${f1(over / budget).padStart(7)} ${pct(over / t.wall).padStart(7)}  ${split}  ${t.events}`;
}

const HEADER = `tree     wall  inside ovh/node  share  ${GAPS.map((g) => g.padStart(7)).join(' ')}  events   (ms; the split is ms/node)`;

async function main(): Promise<void> {
  const [budget = 8, trees = 5, maxNewTokens = 64, concurrent = 4] = process.argv.slice(2).map(Number);
  const load0 = loadavg()[0];
  const f = await treeFixture();
  // Warm-up: the engine loads its models, the sandbox starts its containers, batches of `concurrent` run once.
  await runTrees(f, concurrent, 2, maxNewTokens, 'warm');

  console.log(`budget ${budget}, maxNewTokens ${maxNewTokens}, tiny models; ${trees} trees one after another`);
  console.log(HEADER);
  const single: TreeTimes[] = [];
  const singleCpu = await cpuOf(f, async () => {
    for (let i = 0; i < trees; i++) {
      const [t] = await runTrees(f, 1, budget, maxNewTokens, 'tree');
      single.push(t);
      console.log(treeLine(String(i), t, budget));
    }
  });
  const share = (t: TreeTimes) => (t.wall - t.inside) / t.wall;
  const perNode = (t: TreeTimes) => (t.wall - t.inside) / budget;
  console.log(
    `median: wall/node ${f1(median(single.map((t) => t.wall / budget)))} ms, in activities/node ${f1(median(single.map((t) => t.inside / budget)))} ms, ` +
      `overhead/node ${f1(median(single.map(perNode)))} ms = ${pct(median(single.map(share)))} of wall`,
  );
  console.log(cpuLine(singleCpu, trees * budget));

  // The same trees (seed 0: the same nodes) with expand as a local activity: no server round trip per
  // node. The history has no activity intervals (markers only), so the time inside expand is taken from
  // the trees above: the same work.
  const insideLocal = median(single.map((t) => t.inside));
  console.log(`\n${trees} trees one after another with expandAs 'local' (time inside expand: ${f1(insideLocal / budget)} ms/node, from the trees above)`);
  console.log('tree     wall ovh/node  share  workflow tasks  events');
  const local: TreeTimes[] = [];
  const localCpu = await cpuOf(f, async () => {
    for (let i = 0; i < trees; i++) {
      const [t] = await runTrees(f, 1, budget, maxNewTokens, 'local', { expandAs: 'local' });
      local.push(t);
      const over = t.wall - insideLocal;
      console.log(`${String(i).padEnd(6)} ${t.wall.toFixed(0).padStart(6)} ${f1(over / budget).padStart(8)} ${pct(over / t.wall).padStart(6)}  ${String(t.workflowTasks).padStart(14)}  ${t.events}`);
    }
  });
  console.log(
    `median: wall/node ${f1(median(local.map((t) => t.wall / budget)))} ms, overhead/node ${f1(median(local.map((t) => (t.wall - insideLocal) / budget)))} ms = ` +
      `${pct(median(local.map((t) => (t.wall - insideLocal) / t.wall)))} of wall`,
  );
  console.log(cpuLine(localCpu, trees * budget));

  console.log(`\n${trees} rounds of ${concurrent} trees at once`);
  const rounds: { trees: TreeTimes[]; wall: number; idle: number }[] = [];
  const batchCpu = await cpuOf(f, async () => {
    for (let r = 0; r < trees; r++) {
      const batch = await runTrees(f, concurrent, budget, maxNewTokens, `batch${r}`);
      const wall = Math.max(...batch.map((t) => t.end)) - Math.min(...batch.map((t) => t.start));
      const idle = wall - unionLength(batch.flatMap((t) => t.activities));
      rounds.push({ trees: batch, wall, idle });
      console.log(HEADER);
      batch.forEach((t, k) => console.log(treeLine(`${r}.${k}`, t, budget)));
      console.log(`round ${r}: batch wall ${wall.toFixed(0)} ms, no activity running ${idle.toFixed(0)} ms = ${f1(idle / (concurrent * budget))} ms/node, ${pct(idle / wall)} of the batch`);
    }
  });
  const all = rounds.flatMap((r) => r.trees);
  const nodes = concurrent * budget;
  console.log(
    `median: per tree overhead/node ${f1(median(all.map(perNode)))} ms = ${pct(median(all.map(share)))} of its wall; ` +
      `batch: ${f1(median(rounds.map((r) => r.wall / nodes)))} ms wall/node (1 tree: ${f1(median(single.map((t) => t.wall / budget)))}), ` +
      `no activity running ${f1(median(rounds.map((r) => r.idle / nodes)))} ms/node = ${pct(median(rounds.map((r) => r.idle / r.wall)))} of the batch`,
  );
  console.log(cpuLine(batchCpu, trees * nodes));

  // Limits: events and bytes grow linearly in the budget (a fixed head and tail plus a constant per node).
  const t = single[0];
  const eventsPerNode = (t.events - (await runTrees(f, 1, 1, maxNewTokens, 'limits'))[0].events) / (budget - 1);
  const bytesPerNode = t.bytes / budget;
  const summaryBytes = JSON.stringify((await f.client.workflow.execute(searchTree, {
    taskQueue: f.cfg.taskQueue,
    workflowId: `bench-summary-${Date.now()}`,
    args: [f.input('tplus', 1, { maxNewTokens })],
  }))[0]).length;
  const maxBudget = Math.floor(Math.min(HISTORY_EVENTS_ERROR / eventsPerNode, HISTORY_BYTES_ERROR / bytesPerNode, PAYLOAD_BYTES_ERROR / summaryBytes));
  console.log(`\nhistory: ${t.events} events (${t.workflowTasks} workflow tasks, ${t.activityTasks} activities), ${(t.bytes / 1024).toFixed(1)} KiB per tree of ${budget}; ` +
    `${f1(eventsPerNode)} events, ${(bytesPerNode / 1024).toFixed(2)} KiB per node; a node summary in the result ${summaryBytes} B`);
  console.log(`one tree = one child execution: ${HISTORY_EVENTS_ERROR} events / ${HISTORY_BYTES_ERROR >> 20} MiB / ${PAYLOAD_BYTES_ERROR >> 20} MiB result → budget ≤ ${maxBudget}` +
    ` (Temporal suggests continue-as-new past ${HISTORY_EVENTS_SUGGEST_CAN} events: budget ≤ ${Math.floor(HISTORY_EVENTS_SUGGEST_CAN / eventsPerNode)})`);
  console.log(`a training iteration (one trainingRun execution, continue-as-new each iteration) holds per tree 3 child events ` +
    `(initiated, started, completed with ${summaryBytes} B × budget of result) + its workflow tasks (≤ 6): P trees ≤ ${PENDING_CHILDREN_ERROR} (pending children), ` +
    `P × 9 ≤ ${HISTORY_EVENTS_ERROR} events, P × budget × ${summaryBytes} B ≤ ${HISTORY_BYTES_ERROR >> 20} MiB → P × budget ≤ ${Math.floor(HISTORY_BYTES_ERROR / summaryBytes)}`);
  console.log(`\nload average ${f1(load0)} → ${f1(loadavg()[0])}`);
  await f.client.connection.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
