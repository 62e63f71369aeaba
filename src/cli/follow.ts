// Follows a training run to its end (`mars2 train --wait`, `mars2 train --follow RUN`): one line per
// metrics line as it lands (src/cli/progress.ts), as text or as JSON lines; on a terminal, between them,
// a live line with the run's phase (its `progress` query) redrawn in place. Reads the metrics file from
// the stack's store, so a finished run prints all its lines at once and needs no worker.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { RunProgress, TrainingRunInput } from '../contracts';
import { MetricsFileError, parseMetrics, type IterationMetrics } from '../report/metrics';
import type { StackConfig } from '../stack';
import { Store } from '../store';
import { runLayout } from '../store/layout';
import { progressQuery } from '../workflows/shared';
import { UserError } from './command';
import { formatBar, formatLine, LiveLine, progressLines, type ProgressLine } from './progress';

export interface FollowOptions {
  json: boolean;
  /** Draw the live line (stdout is a terminal and the output is not JSON). */
  live: boolean;
  pollMs?: number;
}

/** The run's input, from the first event of its latest execution (continue-as-new passes it on): no worker needed. */
export async function runInput(client: Client, cfg: StackConfig, runId: string): Promise<TrainingRunInput> {
  const res = await client.workflowService.getWorkflowExecutionHistory({ namespace: cfg.namespace, execution: { workflowId: runId }, maximumPageSize: 1 });
  const payload = res.history?.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  if (!payload) throw new UserError(`run '${runId}' has no start event with an input; is it a training run? list runs with: mars2 runs`);
  return defaultPayloadConverter.fromPayload<TrainingRunInput>(payload);
}

/** The complete lines of the metrics file so far (a line being written is left for the next read). */
function readRecords(file: string): IterationMetrics[] {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'utf8');
  try {
    return parseMetrics(text.slice(0, text.lastIndexOf('\n') + 1), file);
  } catch (err) {
    if (err instanceof MetricsFileError) throw new UserError(err.message);
    throw err;
  }
}

/** Prints the run's lines until it closes; returns its final status ('COMPLETED', 'FAILED', …). */
export async function followRun(client: Client, cfg: StackConfig, runId: string, opts: FollowOptions): Promise<string> {
  const { iterations } = await runInput(client, cfg, runId);
  const file = runLayout(new Store(join(cfg.home, 'store')).root, runId).metrics;
  const handle = client.workflow.getHandle(runId);
  const live = opts.live ? new LiveLine(process.stdout) : null;
  const stop = () => {
    live?.clear();
    process.stderr.write(`\nstopped following; run ${runId} keeps running on the worker. Follow it again: mars2 train --follow ${runId}; stop it: mars2 cancel ${runId}\n`);
    process.exit(130);
  };
  process.once('SIGINT', stop);
  const emit = (line: ProgressLine) => {
    const text = opts.json ? JSON.stringify(line) : formatLine(line);
    if (live) live.print(text);
    else console.log(text);
  };
  let seen = 0;
  let phase: RunProgress | null = null;
  let lastQuery = 0;
  try {
    for (;;) {
      const desc = await handle.describe();
      const records = readRecords(file);
      for (const line of progressLines(records, seen, iterations)) emit(line);
      if (records.length > seen) lastQuery = 0; // a new line: the phase has moved on
      seen = records.length;
      if (desc.status.name !== 'RUNNING') return desc.status.name;
      if (live) {
        if (Date.now() - lastQuery > 2000) {
          lastQuery = Date.now();
          phase = await client.connection.withDeadline(Date.now() + 5000, () => handle.query(progressQuery)).catch(() => phase);
        }
        const training = records.filter((r) => r.iteration >= 0);
        const doneMs = training.reduce((s, r) => s + r.timing.wallMs, 0);
        live.set(
          formatBar({
            done: training.length,
            iterations,
            iteration: phase?.iteration ?? training.length,
            phase: phase?.phase ?? 'starting',
            elapsedMs: doneMs + Math.max(0, Date.now() - desc.startTime.getTime()),
            etaMs: training.length === 0 ? null : ((iterations - training.length) * doneMs) / training.length,
          }),
        );
      }
      await new Promise((r) => setTimeout(r, opts.pollMs ?? 1000));
    }
  } finally {
    live?.clear();
    process.off('SIGINT', stop);
  }
}
