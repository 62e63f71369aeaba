// `mars2 train --config F`, `mars2 runs`, `mars2 status RUN`, `mars2 cancel ID`: start (or attach to) a
// durable training run, list runs, show one run's progress (its `progress` query) and latest metrics, and
// cancel any workflow mars2 started (a run, a tree from `solve`, an evaluation), saying which kind it was.
//
// Starting is idempotent: the workflow id is the config's runId, so a second `train` with the same
// config attaches to the run instead of starting another (the same resolved config, or the same file
// with the same contents: a newer mars2 may resolve it with new defaults); a different config under a
// used runId is an error. The resolved config is copied into the store and the workflow gets its ref.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type WorkflowHandle } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { RunProgress, TrainingRunInput } from '../contracts';
import { formatHack, formatSplit, parseMetrics, type IterationMetrics } from '../report/metrics';
import { headlineHack } from '../rl/metrics';
import { ConfigError } from '../config/load';
import { prepareTrainingRun } from './prepare';
import type { StackConfig } from '../stack';
import { refOf, Store } from '../store';
import { trainingRun } from '../workflows';
import { progressQuery, treeQuery } from '../workflows/shared';
import { parseFlags, UsageError, UserError, type Command } from './command';
import { withClient } from './withClient';
import { runLayout } from '../store/layout';

export const trainCommand: Command = {
  name: 'train',
  summary: 'start (or attach to) a durable MARS² training run from a run config',
  usage: [
    'usage: mars2 train --config FILE [--wait] [--json]',
    '  --config FILE  a JSON run config (schema: src/config/schema.ts; one per set-up in examples/)',
    '  --wait         stay until the run ends (default: start it, print its id, return)',
    '  --json         print {runId, attached, status, iterations, config, metrics} as JSON',
    '',
    'Starting the same config again attaches to the run. Example: mars2 train --config examples/single-tree-rl.json --wait',
  ].join('\n'),
  async run(argv) {
    const { values } = parseFlags(argv, { config: { type: 'string' }, wait: { type: 'boolean' }, json: { type: 'boolean' } });
    if (!values.config) throw new UsageError('expected --config FILE (a JSON run config, e.g. examples/single-tree-rl.json)');
    return withClient(async (client, cfg) => {
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
      const handle = client.workflow.getHandle<typeof trainingRun>(input.runId);
      const status = (await handle.describe()).status.name;
      if (values.wait) await handle.result();
      const final = values.wait ? 'COMPLETED' : status;
      if (values.json) {
        console.log(JSON.stringify({ runId: input.runId, attached, status: final, iterations: input.iterations, config: input.config, metrics: runLayout(store.root, input.runId).metrics }));
      } else {
        console.log(`${attached ? 'attached to' : 'started'} run ${input.runId} (${input.iterations} iterations, status ${final.toLowerCase()})`);
        console.log(`  progress: mars2 status ${input.runId}    metrics: ${runLayout(store.root, input.runId).metrics}`);
      }
      return 0;
    });
  },
};

export const runsCommand: Command = {
  name: 'runs',
  summary: 'list training runs (newest first): run id, status, iteration, latest Pass@1',
  usage: 'usage: mars2 runs [--json]\n  --json  print {runs: [...]} as JSON\n\nExample: mars2 runs',
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
      else for (const r of list) console.log(`${r.runId}  ${r.status.toLowerCase()}  iteration ${r.iteration ?? '-'}  Pass@1 ${r.pass1?.toFixed(3) ?? '-'}`);
      return 0;
    });
  },
};

/** `RUN_ID [--json]`: the arguments of status and cancel. */
function runArgs(argv: string[]) {
  const { values, positionals } = parseFlags(argv, { json: { type: 'boolean' } }, true);
  if (positionals.length !== 1) throw new UsageError(`expected one run id, found ${positionals.length}`);
  return { values, runId: positionals[0] };
}

/** The run's workflow status; a UserError when there is no such run or the id is another workflow's. */
async function runStatus(handle: WorkflowHandle<typeof trainingRun>, cfg: StackConfig): Promise<string> {
  try {
    const desc = await handle.describe();
    if (desc.type !== 'trainingRun') throw new UserError(`${handle.workflowId} is a '${desc.type}' workflow, not a training run; list runs with: mars2 runs`);
    return desc.status.name;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new UserError(`no run '${handle.workflowId}' in namespace ${cfg.namespace}; list runs with: mars2 runs`);
    throw err;
  }
}

export const statusCommand: Command = {
  name: 'status',
  summary: "a training run's progress: iteration, phase, policy versions, buffers, last metrics",
  usage: 'usage: mars2 status RUN_ID [--json]\n  --json  print the run\'s progress and latest metrics as JSON\n\nExample: mars2 status example-heterogeneous',
  async run(argv) {
    const { values, runId } = runArgs(argv);
    return withClient(async (client, cfg) => {
      const handle = client.workflow.getHandle<typeof trainingRun>(runId);
      const status = await runStatus(handle, cfg);
      const progress: RunProgress = await handle.query(progressQuery);
      const store = new Store(join(cfg.home, 'store'));
      let records: IterationMetrics[] = [];
      try {
        records = parseMetrics(readFileSync(runLayout(store.root, runId).metrics, 'utf8'));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
      const last = records.at(-1) ?? null;
      const newest = [...records].reverse();
      const lastEval = newest.find((r) => r.eval)?.eval ?? null;
      // Nodes that passed the tests they saw and failed the held-out ones: the last training iteration's, and the latest evaluation's.
      const hack = { training: newest.find((r) => r.iteration >= 0)?.reward.hack ?? null, evaluation: lastEval && headlineHack(lastEval) };
      if (values.json) {
        console.log(JSON.stringify({ runId, status, progress, lastMetrics: last, hack }));
        return 0;
      }
      const fmt = (r: Record<string, number>) => Object.entries(r).map(([k, v]) => `${k}=${v}`).join(' ') || '-';
      console.log(`run ${runId}: ${status.toLowerCase()}, iteration ${progress.iteration + 1} of ${progress.iterations} (${progress.phase})`);
      console.log(`  versions: ${fmt(progress.versions)}   buffered: ${fmt(progress.buffered)}   updates: ${fmt(progress.updates)}`);
      if (last) console.log(`  last metrics (iteration ${last.iteration}): mean score ${last.reward.meanScore ?? '-'}, solved ${last.reward.solvedFraction ?? '-'}`);
      const timed = newest.find((r) => r.timing.split);
      if (timed) console.log(`  time of iteration ${timed.iteration} (${(timed.timing.wallMs / 1000).toFixed(1)} s): ${formatSplit(timed.timing.split!)}`);
      if (hack.training || hack.evaluation) {
        const parts = [hack.training && `training ${formatHack(hack.training)}`, hack.evaluation && `latest evaluation ${formatHack(hack.evaluation)}`];
        console.log(`  hack rate (passed public, failed private): ${parts.filter(Boolean).join(', ')}`);
      }
      if (progress.pass1) {
        const when = progress.pass1.iteration < 0 ? 'before training' : `after iteration ${progress.pass1.iteration + 1}`;
        console.log(`  latest evaluation (${when}): Pass@1 ${progress.pass1.value.toFixed(3)}${progress.stoppedEarly ? ' — reached stop.targetPass1, run ended early' : ''}`);
      }
      return 0;
    });
  },
};

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
    });
  },
};
