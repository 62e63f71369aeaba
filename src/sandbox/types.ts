// The sandbox's data: limits, verdicts and per-test results (DESIGN §6.4). Verdicts are data: a wrong,
// crashing or hanging program is a verdict; only IE means our machinery failed (retried, never scored).

import { VERDICTS, type Verdict } from '../data/problem';

export { VERDICTS, type Verdict };

export type Mode = 'process' | 'fork';

export interface Limits {
  /** CPU seconds of the whole container cgroup during the run (children included). */
  cpuS: number;
  /** Wall-clock seconds; default 3 × cpuS (DMOJ's factor, sandbox.md §9.1 #8). */
  wallS: number;
  memoryBytes: number;
  /** Past this much stdout the program is killed: OLE. */
  stdoutBytes: number;
  /** stderr kept (the rest is counted and dropped). */
  stderrBytes: number;
  /** Past this much stderr the program is killed: OLE. */
  stderrKillBytes: number;
  /** Cap on the harness's result channel (call-style return values). */
  resultBytes: number;
  fsizeBytes: number;
  nofile: number;
  stackBytes: number;
}

const MiB = 1024 * 1024;

export const DEFAULT_LIMITS: Limits = {
  cpuS: 6,
  wallS: 18,
  memoryBytes: 512 * MiB,
  stdoutBytes: 8 * MiB,
  stderrBytes: 64 * 1024,
  stderrKillBytes: 8 * MiB,
  resultBytes: 8 * MiB,
  fsizeBytes: 16 * MiB,
  nofile: 256,
  stackBytes: 256 * MiB,
};

/** What the runner measured for one execution (docker/runner.py's result header + its blobs). */
export interface RawRun {
  exitCode: number | null;
  signal: number | null;
  cpuS: number;
  wallS: number;
  maxRssBytes: number;
  killed: 'cpu' | 'wall' | 'stdout' | 'stderr' | 'result' | null;
  oom: boolean;
  stdout: Buffer;
  stdoutTotal: number;
  stderr: Buffer;
  stderrTotal: number;
  /** The harness's records (fd 3): only lines carrying this run's nonce, parsed. */
  records: { kind: string; value: any }[];
  anomalies: string[];
  /** Assert and call style: the trusted evaluator's report on this test (docker/evaluator.py). */
  evaluation?: EvaluatorReport;
  /** Assert and call style: the program's process ended by itself before the evaluator was done. */
  programEnded?: boolean;
}

/** One request's run of several tests (assert and call style): the reports and start marks by test. */
export interface BatchRun extends RawRun {
  evaluations: (EvaluatorReport & { i: number })[];
  /** [test, wall s, cpu s] when the evaluator started each test, from the start of the run. */
  marks: [number, number, number][];
}

/** What the trusted evaluator says of one assert-style test (docker/evaluator.py's report). */
export type EvaluatorReport =
  | { kind: 'ok' }
  | { kind: 'fail' | 'error'; type?: string; message?: string; line?: string | null; returned?: string | null }
  | { kind: 'ret'; value: string }
  | { kind: 'program_exc'; type: string; message: string; line?: string | null; when?: string; traceback?: string | null }
  | { kind: 'program_gone'; when: string }
  | { kind: 'missing'; message: string }
  | { kind: 'ce'; ce: { file?: string; message?: string } }
  | { kind: 'ole' | 'malformed' | 'none'; why: string }
  | { kind: 'memory' }
  | { kind: 'test_error'; type: string; message: string };

export interface TestResult {
  /** Index in the selected test list (public, private, or public then private for 'all'). */
  index: number;
  verdict: Verdict;
  /** One line a person (or a refinement prompt) can read: why this verdict. */
  detail: string;
  cpuMs: number;
  wallMs: number;
  memoryBytes: number;
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stdoutTruncated: boolean;
  stderr: string;
  stderrTruncated: boolean;
  /** RE (and assert-style WA): the program's traceback. */
  traceback?: string;
  /** WA: the test, as the model should see it (each truncated). */
  input?: string;
  expected?: string;
  actual?: string;
  /** Wall limit hit while the CPU was mostly idle (Codeforces' "idleness"). */
  idle?: boolean;
  /** How many times it ran (IE retries). */
  attempts: number;
}

export interface RunReport {
  /** AC when every selected test passed; IE when any stayed IE; else the first failing test's verdict. */
  verdict: Verdict;
  passed: number;
  /** Tests selected (tests after a stop-at-first-failure are not run and not in `tests`). */
  total: number;
  tests: TestResult[];
  mode: Mode;
  wallMs: number;
}
