// `mars2 train --config F [--wait]`, `mars2 train --follow RUN`, `mars2 runs`, `mars2 cancel ID`: start
// (or attach to) a durable training run and follow it (src/cli/follow.ts), list runs, and cancel any
// workflow mars2 started (a run, a tree from `solve`, an evaluation), saying which kind it was.
// `mars2 status` is src/cli/status.ts.
//
// Starting is idempotent: the workflow id is the config's runId, so a second `train` with the same
// config attaches to the run instead of starting another (the same resolved config, or the same file
// with the same contents: a newer mars2 may resolve it with new defaults); a different config under a
// used runId is an error. The resolved config is copied into the store and the workflow gets its ref.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { RunProgress, TrainingRunInput } from '../contracts';
import { ConfigError } from '../config/load';
import { prepareTrainingRun } from './prepare';
import { refOf, Store } from '../store';
import { trainingRun } from '../workflows';
import { progressQuery, treeQuery } from '../workflows/shared';
import { parseFlags, UsageError, UserError, type Command } from './command';
import { followRun, runInput } from './follow';
import { runStatus } from './status';
import { requireWorker, withClient } from './withClient';
import { runLayout } from '../store/layout';

export const trainCommand: Command = {
  name: 'train',
  summary: 'start (or attach to) a durable MARS² training run from a run config, or follow one to its end',
  usage: [
    'usage: mars2 train --config FILE [--wait] [--json]',
    '       mars2 train --follow RUN_ID [--json]',
    '  --config FILE  a JSON run config (schema: src/config/schema.ts; one per set-up in examples/)',
    '  --wait         stay until the run ends, printing a line per iteration and evaluation as it lands',
    '  --follow RUN   attach to a run (running or finished) and print its lines until it ends',
    '  --json         JSON lines: {type: "iteration" | "eval", …} as they land, then {type: "run", runId, attached,',
    '                 status, iterations, config, metrics}; errors as {"error", "code"} on stderr',
    '',
    'An iteration line: iteration i/N, trees, nodes and nodes/s, generated tokens/s (over the iteration\'s wall time),',
    'mean reward, loss / KL / grad norm (per agent when several), the wall time split into generate / sandbox / train /',
    'other activity / idle, elapsed (the iterations\' wall time so far) and ETA. On a terminal a live line shows the',
    'phase in between. Iterations are counted from 1 in text ("iteration 1/2" is the metrics file\'s iteration 0 and',
    'the trees RUN-it0-p*); --json keeps the file\'s 0-based `iteration`. Ctrl-C stops following, not the run.',
    'Exit code: 0 when the run completed (or was started without --wait), 1 when it failed, was cancelled or',
    'cannot be started, 2 for bad arguments.',
    '',
    'Starting the same config again attaches to the run. Example: mars2 train --config examples/single-tree-rl.json --wait',
  ].join('\n'),
  async run(argv) {
    const { values } = parseFlags(argv, { config: { type: 'string' }, wait: { type: 'boolean' }, follow: { type: 'string' }, json: { type: 'boolean' } });
    if (values.follow !== undefined && (values.config !== undefined || values.wait)) throw new UsageError('--follow RUN attaches to a run by its id: give it without --config and --wait');
    if (values.follow === undefined && !values.config) throw new UsageError('expected --config FILE (a JSON run config, e.g. examples/single-tree-rl.json) or --follow RUN_ID');
    const json = values.json === true;
    const live = process.stdout.isTTY === true && !json;
    if (values.follow !== undefined) {
      const runId = values.follow;
      return withClient(async (client, cfg) => {
        const status = await runStatus(client.workflow.getHandle(runId), cfg);
        if (status === 'RUNNING') await requireWorker(client, cfg);
        const final = await followRun(client, cfg, runId, { json, live });
        const { iterations, config } = await runInput(client, cfg, runId);
        return ended(client, { runId, attached: true, status: final, iterations, config, metrics: runLayout(new Store(join(cfg.home, 'store')).root, runId).metrics }, json);
      });
    }
    return withClient(
      async (client, cfg) => {
        const store = new Store(join(cfg.home, 'store'));
        let input: TrainingRunInput;
        try {
          input = (await prepareTrainingRun(store, values.config!)).input;
        } catch (err) {
          if (err instanceof ConfigError || (err as Error).name === 'DatasetError') throw new UserError((err as Error).message);
          throw err;
        }
        // What the user wrote (the document and where it lives, since its paths are relative to it).
        const source = refOf(new TextEncoder().encode(JSON.stringify({ file: resolve(values.config!), document: JSON.parse(readFileSync(values.config!, 'utf8')) })));
        let attached = false;
        try {
          await client.workflow.start(trainingRun, {
            taskQueue: cfg.taskQueue,
            workflowId: input.runId,
            args: [input],
            memo: { config: input.config, source },
            workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
          });
        } catch (err) {
          if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
          const desc = await client.workflow.getHandle(input.runId).describe();
          const memo = (desc.memo ?? {}) as { config?: string; source?: string };
          // The same file attaches even when a newer mars2 resolves it differently (new defaults).
          if (desc.type !== 'trainingRun' || (memo.config !== input.config && memo.source !== source)) {
            throw new UserError(
              `run id '${input.runId}' is already used by a ${desc.type} workflow with a different config (${memo.config ?? 'none'}, this config is ${input.config}); ` +
                `give the config another runId, or attach with the config it was started with`,
            );
          }
          attached = true;
        }
        const metrics = runLayout(store.root, input.runId).metrics;
        const summary = { runId: input.runId, attached, iterations: input.iterations, config: input.config, metrics };
        if (values.wait) {
          if (!json) console.log(`${attached ? 'attached to' : 'started'} run ${input.runId} (${input.iterations} iterations); following it until it ends (Ctrl-C stops following, not the run)`);
          const final = await followRun(client, cfg, input.runId, { json, live });
          return ended(client, { ...summary, status: final }, json);
        }
        const status = (await client.workflow.getHandle(input.runId).describe()).status.name;
        if (json) console.log(JSON.stringify({ type: 'run', ...summary, status }));
        else {
          console.log(`${attached ? 'attached to' : 'started'} run ${input.runId} (${input.iterations} iterations, status ${status.toLowerCase()})`);
          console.log(`  follow it: mars2 train --follow ${input.runId}    progress: mars2 status ${input.runId}    metrics: ${metrics}`);
        }
        return 0;
      },
      { worker: true },
    );
  },
};

interface RunSummary {
  runId: string;
  attached: boolean;
  status: string;
  iterations: number;
  config: string;
  metrics: string;
}

/** The last line of a followed run; a run that did not complete is exit code 1, with its root cause when it failed. */
async function ended(client: Client, summary: RunSummary, json: boolean): Promise<number> {
  if (summary.status === 'FAILED') await client.workflow.getHandle(summary.runId).result(); // throws its WorkflowFailedError: client.ts prints the root cause
  if (json) console.log(JSON.stringify({ type: 'run', ...summary }));
  else if (summary.status === 'COMPLETED') console.log(`run ${summary.runId} completed; metrics: ${summary.metrics}; report: mars2 report ${summary.runId}`);
  else console.log(`run ${summary.runId} ended ${summary.status.toLowerCase()}; metrics so far: ${summary.metrics}`);
  return summary.status === 'COMPLETED' ? 0 : 1;
}

export const runsCommand: Command = {
  name: 'runs',
  summary: 'list training runs (newest first): run id, status, iteration, latest Pass@1',
  usage: 'usage: mars2 runs [--json]\n  --json  print {runs: [...]} as JSON (iteration 0-based, as the metrics file; the text counts from 1)\n\nExample: mars2 runs',
  async run(argv) {
    const { values } = parseFlags(argv, { json: { type: 'boolean' } });
    return withClient(async (client) => {
      const runs: { runId: string; status: string; iteration: number | null; pass1: number | null; startTime: string }[] = [];
      for await (const wf of client.workflow.list({ query: `Mars2Kind = 'train'` })) {
        const it = wf.searchAttributes.Mars2Iteration as number[] | undefined;
        const pass1 = wf.searchAttributes.Mars2Pass1 as number[] | undefined;
        runs.push({ runId: wf.workflowId, status: wf.status.name, iteration: it?.[0] ?? null, pass1: pass1?.[0] ?? null, startTime: wf.startTime.toISOString() });
      }
      // One entry per run: continue-as-new leaves one closed execution per iteration.
      const latest = new Map<string, (typeof runs)[number]>();
      for (const r of runs) if (!latest.has(r.runId) || latest.get(r.runId)!.startTime < r.startTime) latest.set(r.runId, r);
      const list = [...latest.values()].sort((a, b) => b.startTime.localeCompare(a.startTime));
      if (values.json) console.log(JSON.stringify({ runs: list }));
      else if (list.length === 0) console.log('no training runs; start one with: mars2 train --config FILE');
      else for (const r of list) console.log(`${r.runId}  ${r.status.toLowerCase()}  iteration ${r.iteration === null ? '-' : r.iteration + 1}  Pass@1 ${r.pass1?.toFixed(3) ?? '-'}`);
      return 0;
    });
  },
};

/** `RUN_ID [--json]`: the arguments of cancel. */
function runArgs(argv: string[]) {
  const { values, positionals } = parseFlags(argv, { json: { type: 'boolean' } }, true);
  if (positionals.length !== 1) throw new UsageError(`expected one run id, found ${positionals.length}`);
  return { values, runId: positionals[0] };
}

/** What `mars2 cancel` says a workflow is, by workflow type: every workflow mars2 starts. */
const KINDS: Record<string, string> = {
  trainingRun: 'training run',
  searchTree: 'search tree',
  evaluation: 'evaluation',
  runEvaluation: 'scheduled evaluation',
  ping: 'ping',
};

export const cancelCommand: Command = {
  name: 'cancel',
  summary: 'stop a training run, a search tree (solve) or an evaluation: its open trees, evaluations and steps are cancelled; what was written so far stays',
  usage: [
    'usage: mars2 cancel WORKFLOW_ID [--json]',
    '  WORKFLOW_ID  a training run id, a tree (mars2 solve prints its id), an evaluation or a scheduled evaluation',
    '  --json       print {workflowId, kind, type, cancelled, status, …} as JSON',
    '',
    'Waits (up to 60 s) until the workflow and its running activities have stopped. Example: mars2 cancel example-heterogeneous',
  ].join('\n'),
  async run(argv) {
    const { values, runId: workflowId } = runArgs(argv);
    return withClient(async (client, cfg) => {
      const handle = client.workflow.getHandle(workflowId);
      const describe = async () => {
        try {
          const desc = await handle.describe();
          const kind = KINDS[desc.type];
          if (!kind) throw new UserError(`${workflowId} is a '${desc.type}' workflow, not one mars2 started; cancel it with: temporal workflow cancel --workflow-id ${workflowId}`);
          return { kind, type: desc.type, status: desc.status.name };
        } catch (err) {
          if (err instanceof WorkflowNotFoundError) throw new UserError(`no run or workflow '${workflowId}' in namespace ${cfg.namespace}; list runs with: mars2 runs`);
          throw err;
        }
      };
      const { kind, type, status: before } = await describe();
      let status = before;
      const wasOpen = status === 'RUNNING';
      if (wasOpen) {
        await handle.cancel();
        // The workflow closes once its children and activities have acknowledged the cancellation.
        for (let i = 0; i < 600 && status === 'RUNNING'; i++) {
          await new Promise((r) => setTimeout(r, 100));
          ({ status } = await describe());
        }
      }
      const state = status.toLowerCase();
      if (type === 'trainingRun') {
        const progress: RunProgress = await handle.query(progressQuery);
        if (values.json) console.log(JSON.stringify({ runId: workflowId, kind, type, cancelled: wasOpen, status, iteration: progress.iteration, versions: progress.versions }));
        else if (!wasOpen) console.log(`run ${workflowId} is already ${state}; nothing to cancel`);
        else {
          const versions = Object.entries(progress.versions).map(([o, v]) => `${o}=v${v}`).join(' ');
          console.log(`cancelled run ${workflowId} in iteration ${progress.iteration + 1} of ${progress.iterations} (${progress.phase}); status ${state}, weights ${versions}`);
        }
        return 0;
      }
      const nodes = type === 'searchTree' ? (await handle.query(treeQuery)).length : undefined;
      if (values.json) console.log(JSON.stringify({ runId: workflowId, kind, type, cancelled: wasOpen, status, ...(nodes !== undefined && { nodes }) }));
      else if (!wasOpen) console.log(`${kind} ${workflowId} is already ${state}; nothing to cancel`);
      else console.log(`cancelled ${kind} ${workflowId}${nodes !== undefined ? ` after ${nodes} node${nodes === 1 ? '' : 's'}` : ''}; status ${state}`);
      return 0;
    }, { worker: true });
  },
};
