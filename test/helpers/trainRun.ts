// Shared set-up for the trainingRun tests on the real stack: a synthetic dataset the comment model
// (helpers/models.ts) scores on, starting a run with short activity timeouts, waiting for a
// moment in the run (to crash something then), and reading back what the run left: trainStep counts
// over the continue-as-new chain, each tree's nodes and activity counts, checkpoint tensors, the files a
// folder holds; and how long a process takes to go idle (cancellation tests).
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync, type Dirent } from 'node:fs';
import { join, relative } from 'node:path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { NodeSummary } from '../../src/contracts';
import { SafetensorsDir } from '../../src/models/hf/safetensors';
import { prepareTrainingRun } from '../../src/cli/prepare';
import { trainingRun } from '../../src/workflows';
import type { TreeFixture } from './searchTree';

export const PENDING_ACTIVITY_STATE_STARTED = 2;

/**
 * `n` assert-style problems with one empty public and one empty private test and empty test code: a
 * program passes iff it runs, so the comment model's '#…' answers score 1 and its other answers 0, in
 * training and in evaluation (Pass@1 counts the private test).
 */
export function commentDataset(dir: string, n: number): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `comments-${n}.jsonl`);
  const lines = Array.from({ length: n }, (_, i) =>
    JSON.stringify({
      id: `comment-${i}`,
      prompt: `Write a Python comment about the number ${i}.`,
      style: 'assert',
      test_code: '',
      public_tests: [{ input: '', output: '' }],
      private_tests: [{ input: '', output: '' }],
      time_limit_s: 2,
    }),
  );
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** Prepares and starts a run with short activity timeouts, so a crashed worker's work is retried within seconds. */
export async function startRun(f: TreeFixture, configFile: string): Promise<WorkflowHandle<typeof trainingRun>> {
  const { input } = await prepareTrainingRun(f.store, configFile);
  return f.client.workflow.start(trainingRun, {
    taskQueue: f.cfg.taskQueue,
    workflowId: input.runId,
    args: [{ ...input, timeouts: { trainStep: { heartbeatTimeout: '3s', startToCloseTimeout: '10 minutes' }, tree: f.input('training', 1).timeouts } }],
  });
}

/** Polls `check` every 20 ms until it answers true; false if `stop` answers true first. */
export async function waitFor(check: () => Promise<boolean>, stop: () => Promise<boolean>, limitMs = 600_000): Promise<boolean> {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    if (await stop()) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}

/** True while a workflow is open (or has continued as new into one that may be). */
export async function open(client: Client, workflowId: string): Promise<boolean> {
  const name = (await client.workflow.getHandle(workflowId).describe()).status.name;
  return name === 'RUNNING' || name === 'CONTINUED_AS_NEW';
}

/** True when the workflow has an activity of `type` started (running on a worker). */
export async function activityRunning(client: Client, workflowId: string, type: string): Promise<boolean> {
  try {
    const desc = await client.workflow.getHandle(workflowId).describe();
    return (desc.raw.pendingActivities ?? []).some((a) => a.activityType?.name === type && a.state === PENDING_ACTIVITY_STATE_STARTED);
  } catch {
    return false; // not started yet
  }
}

/** trainStep activities scheduled and completed over every execution (continue-as-new chain) of the run. */
export async function trainSteps(client: Client, runId: string): Promise<{ scheduled: number; completed: number; retried: number }> {
  let scheduled = 0;
  let completed = 0;
  let retried = 0;
  for await (const wf of client.workflow.list({ query: `WorkflowId = '${runId}'` })) {
    const events = (await client.workflow.getHandle(runId, wf.runId).fetchHistory()).events ?? [];
    const trainIds = new Set<string>();
    for (const e of events) {
      if (e.activityTaskScheduledEventAttributes?.activityType?.name === 'trainStep') trainIds.add(String(e.eventId));
    }
    scheduled += trainIds.size;
    completed += events.filter((e) => trainIds.has(String(e.activityTaskCompletedEventAttributes?.scheduledEventId))).length;
    retried += events.filter(
      (e) => (e.activityTaskStartedEventAttributes?.attempt ?? 0) >= 2 && trainIds.has(String(e.activityTaskStartedEventAttributes!.scheduledEventId)),
    ).length;
  }
  return { scheduled, completed, retried };
}

/** A finished tree child of a run: its nodes and how many of each activity its history scheduled. */
export async function treeOf(client: Client, workflowId: string): Promise<{ nodes: NodeSummary[]; scheduled: Record<string, number> }> {
  const handle = client.workflow.getHandle(workflowId);
  const nodes = (await handle.result()) as NodeSummary[];
  const scheduled: Record<string, number> = {};
  for (const e of (await handle.fetchHistory()).events ?? []) {
    const type = e.activityTaskScheduledEventAttributes?.activityType?.name;
    if (type) scheduled[type] = (scheduled[type] ?? 0) + 1;
  }
  return { nodes, scheduled };
}

/** The checkpoint versions present for one weight group (temporary directories left out). */
export function versions(checkpoints: string, owner: string): string[] {
  return readdirSync(join(checkpoints, owner)).filter((n) => !n.includes('.tmp')).sort();
}

/** A model directory's tensors as float32, by name. */
export function tensors(dir: string): Map<string, Float32Array> {
  const st = new SafetensorsDir(dir);
  return new Map([...st.tensors.keys()].map((name) => [name, st.float32(name)]));
}

/** Names of the tensors whose values differ between two model directories. */
export function changedTensors(a: string, b: string): string[] {
  const ta = tensors(a);
  const tb = tensors(b);
  return [...ta.keys()].filter((name) => {
    const x = ta.get(name)!;
    const y = tb.get(name);
    return !y || y.length !== x.length || x.some((v, i) => v !== y[i]);
  });
}

/** CPU time (user + system, in clock ticks of 10 ms) a process and its threads have used so far. */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of proc(5))
}

/**
 * Milliseconds until a process is idle: the first 500 ms window in which it used under a tenth of a core
 * (a worker polling Temporal uses a few percent); null if that did not happen within `limitMs`.
 */
export async function msUntilIdle(pid: number, limitMs = 20_000): Promise<number | null> {
  const t0 = Date.now();
  while (Date.now() - t0 < limitMs) {
    const [ticks, at] = [cpuTicks(pid), Date.now()];
    await new Promise((r) => setTimeout(r, 500));
    const cores = ((cpuTicks(pid) - ticks) * 10) / (Date.now() - at);
    if (cores < 0.1) return at - t0;
  }
  return null;
}

/** Every file under `dir` (relative paths; none when it does not exist). */
export function filesUnder(dir: string): string[] {
  return existsSync(dir) ? (readdirSync(dir, { recursive: true, withFileTypes: true }) as Dirent[]).filter((d) => d.isFile()).map((d) => relative(dir, join(d.parentPath, d.name))).sort() : [];
}
