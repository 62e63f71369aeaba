// `mars2 status RUN [--watch]`: one run's progress (its `progress` query), its latest metrics, the time
// split of its last iteration, its hack rates, its latest evaluation, and any open activity being retried
// (with its attempt and last failure). `--watch` redraws it every 2 s until the run ends.
//
// Iterations are counted from 1 in text ("iteration 2 of 2" is the metrics file's iteration 1, trees
// RUN-it1-p*); --json keeps the 0-based numbers of the progress query and the metrics file.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { RunProgress } from '../contracts';
import { formatHack, formatSplit, parseMetrics, type IterationMetrics } from '../report/metrics';
import { headlineHack } from '../rl/metrics';
import type { StackConfig } from '../stack';
import { Store } from '../store';
import { runLayout } from '../store/layout';
import type { trainingRun } from '../workflows';
import { progressQuery } from '../workflows/shared';
import { parseFlags, UsageError, UserError, type Command } from './command';
import { formatRetrying, retryingActivities } from './openActivities';
import { withClient } from './withClient';

/** The run's workflow status; a UserError when there is no such run or the id is another workflow's. */
export async function runStatus(handle: WorkflowHandle, cfg: StackConfig): Promise<string> {
  try {
    const desc = await handle.describe();
    if (desc.type !== 'trainingRun') throw new UserError(`${handle.workflowId} is a '${desc.type}' workflow, not a training run; list runs with: mars2 runs`);
    return desc.status.name;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new UserError(`no run '${handle.workflowId}' in namespace ${cfg.namespace}; list runs with: mars2 runs`);
    throw err;
  }
}

interface StatusReport {
  json: Record<string, unknown>;
  lines: string[];
  running: boolean;
}

async function statusReport(client: Client, cfg: StackConfig, runId: string): Promise<StatusReport> {
  const handle = client.workflow.getHandle<typeof trainingRun>(runId);
  const status = await runStatus(handle, cfg);
  const progress: RunProgress = await handle.query(progressQuery);
  const retrying = status === 'RUNNING' ? await retryingActivities(client, runId) : [];
  let records: IterationMetrics[] = [];
  try {
    records = parseMetrics(readFileSync(runLayout(new Store(join(cfg.home, 'store')).root, runId).metrics, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const last = records.at(-1) ?? null;
  const newest = [...records].reverse();
  const lastEval = newest.find((r) => r.eval)?.eval ?? null;
  // Nodes that passed the tests they saw and failed the held-out ones: the last training iteration's, and the latest evaluation's.
  const hack = { training: newest.find((r) => r.iteration >= 0)?.reward.hack ?? null, evaluation: lastEval && headlineHack(lastEval) };
  const json = { runId, status, progress, lastMetrics: last, hack, retrying };

  const fmt = (r: Record<string, number>) => Object.entries(r).map(([k, v]) => `${k}=${v}`).join(' ') || '-';
  const it = (i: number) => (i < 0 ? 'the evaluation before training' : `iteration ${i + 1}`);
  const lines = [`run ${runId}: ${status.toLowerCase()}, iteration ${progress.iteration + 1} of ${progress.iterations} (${progress.phase})`];
  lines.push(`  versions: ${fmt(progress.versions)}   buffered: ${fmt(progress.buffered)}   updates: ${fmt(progress.updates)}`);
  if (last) lines.push(`  last metrics (${it(last.iteration)}): mean score ${last.reward.meanScore ?? '-'}, solved ${last.reward.solvedFraction ?? '-'}`);
  const timed = newest.find((r) => r.timing.split);
  if (timed) lines.push(`  time of ${it(timed.iteration)} (${(timed.timing.wallMs / 1000).toFixed(1)} s): ${formatSplit(timed.timing.split!)}`);
  if (hack.training || hack.evaluation) {
    const parts = [hack.training && `training ${formatHack(hack.training)}`, hack.evaluation && `latest evaluation ${formatHack(hack.evaluation)}`];
    lines.push(`  hack rate (passed public, failed private): ${parts.filter(Boolean).join(', ')}`);
  }
  if (progress.pass1) {
    const when = progress.pass1.iteration < 0 ? 'before training' : `after iteration ${progress.pass1.iteration + 1}`;
    lines.push(`  latest evaluation (${when}): Pass@1 ${progress.pass1.value.toFixed(3)}${progress.stoppedEarly ? ' — reached stop.targetPass1, run ended early' : ''}`);
  }
  for (const a of retrying) lines.push(`  retrying: ${formatRetrying(a)}`);
  return { json, lines, running: status === 'RUNNING' };
}

export const statusCommand: Command = {
  name: 'status',
  summary: "a training run's progress: iteration, phase, policy versions, buffers, last metrics, retried activities",
  usage: [
    'usage: mars2 status RUN_ID [--watch] [--json]',
    '  --watch  redraw every 2 s until the run ends (Ctrl-C stops watching; the run keeps running)',
    "  --json   print the run's progress, latest metrics and retried activities as JSON (with --watch: a line per change)",
    '',
    'Iterations are counted from 1 ("iteration 1 of 2" is the metrics file\'s iteration 0 and the trees RUN-it0-p*);',
    '--json keeps the 0-based numbers. Example: mars2 status example-heterogeneous --watch',
  ].join('\n'),
  async run(argv) {
    const { values, positionals } = parseFlags(argv, { json: { type: 'boolean' }, watch: { type: 'boolean' } }, true);
    if (positionals.length !== 1) throw new UsageError(`expected one run id, found ${positionals.length}`);
    const [runId] = positionals;
    return withClient(
      async (client, cfg) => {
        if (!values.watch) {
          const report = await statusReport(client, cfg, runId);
          console.log(values.json ? JSON.stringify(report.json) : report.lines.join('\n'));
          return 0;
        }
        const tty = process.stdout.isTTY === true && !values.json;
        process.once('SIGINT', () => {
          process.stderr.write(`\nstopped watching; run ${runId} keeps running. Stop it with: mars2 cancel ${runId}\n`);
          process.exit(130);
        });
        let previous = '';
        let drawn = 0;
        for (;;) {
          const report = await statusReport(client, cfg, runId);
          const text = values.json ? JSON.stringify(report.json) : report.lines.join('\n');
          if (tty) {
            // Back to the block's first line, clear to the end of the screen, redraw.
            process.stdout.write(`${drawn > 0 ? `\x1b[${drawn}F\x1b[J` : ''}${text}\n`);
            drawn = report.lines.length;
          } else if (text !== previous) {
            console.log(values.json || previous === '' ? text : `\n${text}`);
          }
          previous = text;
          if (!report.running) return 0;
          await new Promise((r) => setTimeout(r, 2000));
        }
      },
      { worker: true },
    );
  },
};
