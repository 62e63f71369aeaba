// The evaluate-samples loop: streams a samples file, runs each sample's program on its problem through a
// ProgramRunner (the sandbox) with bounded concurrency, writes the result lines in sample order, counts
// passes per problem and reports progress. Everything that is not the runner is plain data, so tests drive
// it with a fake runner typed against the same interface.
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { Problem } from './problem';
import {
  PassCounts,
  ProblemIndex,
  outcomeOf,
  programFor,
  readSamples,
  resultLine,
  type RunSummary,
  type SampleOutcome,
} from './samples';

export type TestSelection = 'public' | 'private' | 'all';

/**
 * What evaluate-samples needs from the sandbox: run one program on a problem's selected tests and report a
 * verdict per test (a subset of src/sandbox's RunReport). IE verdicts come back as data, after retries.
 */
export interface ProgramRunner {
  run(problem: Problem, code: string, options: { tests: TestSelection }): Promise<RunSummary>;
}

export interface ProgressReport {
  done: number;
  total: number;
  passed: number;
  elapsedMs: number;
}

export interface EvaluateOptions {
  samplesPath: string;
  resultsPath: string;
  index: ProblemIndex;
  runner: ProgramRunner;
  tests: TestSelection;
  /** Programs run at once (the sandbox queues beyond its pool anyway). */
  concurrency: number;
  /** Called after each sample with the running totals; the caller decides how often to print. */
  onProgress?: (p: ProgressReport) => void;
  now?: () => number;
}

/** Reads every sample once, checking its fields and that its problem exists; returns how many there are. */
export async function checkSamples(samplesPath: string, index: ProblemIndex): Promise<number> {
  let total = 0;
  for await (const sample of readSamples(samplesPath)) {
    index.resolve(sample);
    total++;
  }
  return total;
}

/**
 * Runs every sample: checkSamples first (so a bad file fails before anything runs), then the programs.
 * A runner that throws (rather than returning IE verdicts) stops the evaluation; the error propagates once
 * the samples already running have finished.
 */
export async function evaluateSampleFile(options: EvaluateOptions): Promise<PassCounts> {
  const { index, runner, tests } = options;
  const now = options.now ?? Date.now;
  const total = await checkSamples(options.samplesPath, index);

  const counts = new PassCounts();
  const out = createWriteStream(options.resultsPath);
  const finished = new Map<number, string>();
  let nextToWrite = 0;
  let done = 0;
  let passed = 0;
  let failure: unknown;
  const running = new Set<Promise<void>>();
  const start = now();

  const writeReady = () => {
    for (let line = finished.get(nextToWrite); line !== undefined; line = finished.get(nextToWrite)) {
      out.write(line);
      finished.delete(nextToWrite++);
    }
  };

  let seq = 0;
  for await (const sample of readSamples(options.samplesPath)) {
    if (failure !== undefined) break;
    const i = seq++;
    const problem = index.resolve(sample);
    const task = runner
      .run(problem, programFor(problem, sample), { tests })
      .then((run) => {
        const outcome: SampleOutcome = outcomeOf(run);
        counts.add(problem.id, outcome);
        finished.set(i, resultLine(sample, outcome));
        writeReady();
        done++;
        if (outcome.passed) passed++;
        options.onProgress?.({ done, total, passed, elapsedMs: now() - start });
      })
      .catch((err: unknown) => {
        failure ??= err;
      });
    running.add(task);
    void task.finally(() => running.delete(task));
    if (running.size >= options.concurrency) await Promise.race(running);
    if (out.writableNeedDrain) await once(out, 'drain');
  }
  await Promise.all(running);
  out.end();
  await once(out, 'finish');
  if (failure !== undefined) throw failure;
  return counts;
}

/** A progress printer that emits at most one line per `everyMs` (and always the last one). */
export function throttledProgress(write: (line: string) => void, everyMs: number, now: () => number = Date.now) {
  let last = -Infinity;
  return (p: ProgressReport) => {
    const t = now();
    if (p.done < p.total && t - last < everyMs) return;
    last = t;
    write(progressLine(p));
  };
}

export function progressLine(p: ProgressReport): string {
  const rate = p.elapsedMs > 0 ? (p.done * 1000) / p.elapsedMs : 0;
  const pct = p.total > 0 ? Math.floor((100 * p.done) / p.total) : 100;
  const etaS = rate > 0 ? Math.round((p.total - p.done) / rate) : undefined;
  const eta = p.done === p.total ? 'done' : etaS === undefined ? 'eta ?' : `eta ${formatSeconds(etaS)}`;
  return `${p.done}/${p.total} samples (${pct}%), ${p.passed} passed, ${rate.toFixed(1)}/s, ${eta}`;
}

function formatSeconds(s: number): string {
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
