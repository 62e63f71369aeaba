// The sandbox's front door: run a program against a problem's tests and return verdicts as data.
// stdio: each test is one execution on a warm container from the pool (tests of one submission spread over
// the pool). Assert and call style: one execution runs all of a program's tests in order, in one program
// process driven by the trusted evaluator, each test with its own limits and verdict; after a test that
// ended the program's process the rest resume in a new execution (the loop's shape: many programs at once,
// each one request; concurrent requests go to a container back to back, several per write: ./dispatch). An
// infrastructure failure is retried on a fresh container and reported as IE only when the retries are spent. A program must not be able to cause IE (src/sandbox/index.ts, threat model); one that
// repeats after its retries is scored as a failure by every caller and marked IE. A sandbox that cannot
// run anything at all throws SandboxUnavailableError instead: no verdict, the caller retries later. An
// aborted `signal` kills the running executions (their containers are removed, as after any runner
// failure) and rejects with the signal's reason: no verdict, no IE, no retry.
import { createHash, randomBytes } from 'node:crypto';
import type { Problem, TestCase } from '../data/problem';
import { parseJson } from './json';
import { Dispatcher, type DispatchOptions } from './dispatch';
import { SandboxPool, type PoolOptions } from './pool';
import { InfraError, SandboxUnavailableError, type Frame } from './protocol';
import { DEFAULT_LIMITS, type BatchRun, type EvaluatorReport, type Limits, type Mode, type RawRun, type RunReport, type TestResult } from './types';
import { classify } from './verdict';

export interface RunTestsOptions {
  /** Which tests: 'public' (default), 'private', or 'all' (public then private). */
  tests?: 'public' | 'private' | 'all';
  /** Only these indices of the selected list. */
  indices?: number[];
  /** Stop after the first test that is not AC (the report then ends with that test). */
  stopOnFirstFailure?: boolean;
  /** 'process': a fresh interpreter (per test for stdio, per program for assert and call style). 'fork': forked
   *  from the warm runner (faster). Default: the Sandbox's mode ('process' unless started with another). */
  mode?: Mode;
  /** Overrides of the problem's limits (cpuS defaults to time_limit_s, memory to memory_limit_mb). */
  limits?: Partial<Limits>;
  /** Extra attempts after an infrastructure failure (default 2). */
  retries?: number;
  /** Characters kept of stdout, stderr, tracebacks and WA inputs/outputs (default 2000). */
  excerptChars?: number;
  /** Cancels the run: running executions are killed, no new one starts. */
  signal?: AbortSignal;
}

/** One execution, independent of any problem (used by runTests and the bench). */
export interface Execution {
  style: Problem['style'];
  program: string;
  prelude?: string;
  /** assert style: the setup code the evaluator runs before the test. */
  testCode?: string;
  /** assert style, prompt_is_code problems: the dataset's prompt, whose helper functions the tests call. */
  promptCode?: string;
  fnName?: string;
  entryPoint?: string;
  /** stdio: stdin. Assert and call style: one entry per test, in order — the test's code (assert) or its
   *  arguments (call), given to the trusted evaluator, never to the program. */
  input: string | string[];
  mode: Mode;
  limits: Limits;
}

const MiB = 1024 * 1024;

export function limitsFor(problem: Pick<Problem, 'time_limit_s' | 'memory_limit_mb'>, over: Partial<Limits> = {}): Limits {
  const cpuS = over.cpuS ?? problem.time_limit_s;
  return {
    ...DEFAULT_LIMITS,
    memoryBytes: Math.round(problem.memory_limit_mb * MiB),
    ...over,
    cpuS,
    wallS: over.wallS ?? 3 * cpuS,
  };
}

/** The tests a run uses, in order (possibly none: runTests refuses that, a problem is never AC by default). */
export function selectTests(problem: Problem, which: RunTestsOptions['tests'] = 'public'): TestCase[] {
  return which === 'public' ? problem.public_tests : which === 'private' ? problem.private_tests : [...problem.public_tests, ...problem.private_tests];
}

/** Tests that cannot be run as asked (an index out of range, a call-style expected output that is not
 *  JSON, no tests at all): the caller's input, never a verdict, and no retry can mend it. */
export class RunInputError extends Error {
  override name = 'RunInputError';
}

/** Running a problem on zero tests: a caller's mistake (no verdict can mean anything), never an AC. */
export class NoTestsError extends RunInputError {
  override name = 'NoTestsError';
}

function parseRecords(data: Buffer, nonce: string): RawRun['records'] {
  const out: RawRun['records'] = [];
  for (const line of data.toString('utf8').split('\n')) {
    if (!line.startsWith(`${nonce} `)) continue;
    const rest = line.slice(nonce.length + 1);
    const sp = rest.indexOf(' ');
    if (sp < 0) continue;
    const kind = rest.slice(0, sp);
    const text = rest.slice(sp + 1);
    try {
      out.push({ kind, value: kind === 'ret' ? text : JSON.parse(text) });
    } catch {
      // a malformed record cannot have come from the harness intact; ignore it
    }
  }
  return out;
}

/** The trusted evaluator's reports, one JSON line per test (its start lines are left out). */
function parseEvaluations(data: Buffer): (EvaluatorReport & { i: number })[] {
  const out: (EvaluatorReport & { i: number })[] = [];
  for (const line of data.toString('utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const r = JSON.parse(line) as EvaluatorReport & { i: number };
      if (r && typeof r === 'object' && typeof r.kind === 'string' && Number.isInteger(r.i)) out.push(r);
    } catch {
      // written by the evaluator alone; a cut line (the runner's cap) is left out and its test judged again
    }
  }
  return out;
}

/** A batch's run of test j (of those it started): its report, its share of the time; the process's own
 *  fate (exit, kill, memory, output) belongs to the last test it started. */
function testOfBatch(raw: BatchRun, j: number, last: number): RawRun {
  const mark = (i: number) => raw.marks.find((m) => m[0] === i);
  const from = mark(j) ?? [j, 0, 0];
  const to = j < last ? (mark(j + 1) ?? [j + 1, raw.wallS, raw.cpuS]) : [j, raw.wallS, raw.cpuS];
  const evaluation = raw.evaluations.find((r) => r.i === j) ?? { kind: 'none' as const, why: `the evaluator ended without a verdict (exit ${String((raw as { evaluatorExit?: unknown }).evaluatorExit)})` };
  const timing = { cpuS: Math.max(0, to[2] - from[2]), wallS: Math.max(0, to[1] - from[1]) };
  if (j === last) return { ...raw, ...timing, evaluation };
  const empty = Buffer.alloc(0);
  return { ...raw, ...timing, evaluation, exitCode: null, signal: null, killed: null, oom: false, maxRssBytes: 0, stdout: empty, stdoutTotal: 0, stderr: empty, stderrTotal: 0 };
}

/** The report of a run on 'all' (public then private) as the two runs on 'public' and 'private' would have
 *  reported it: indices and counts per set, each set's verdict by runTests' rule. Null when a set's tests
 *  were not all judged (a CE that stopped the run inside the public set): run that set on its own. */
export function splitAll(report: RunReport, publicCount: number): { public: RunReport; private: RunReport } | null {
  const part = (from: number, to: number): RunReport | null => {
    const tests = report.tests.filter((t) => t.index >= from && t.index < to).map((t) => ({ ...t, index: t.index - from }));
    if (tests.length !== to - from) return null;
    const firstBad = tests.findIndex((t) => t.verdict !== 'AC');
    const verdict = tests.some((t) => t.verdict === 'IE') ? 'IE' : firstBad >= 0 ? tests[firstBad].verdict : 'AC';
    const wallMs = tests.reduce((s, t) => s + t.wallMs, 0);
    return { verdict, passed: tests.filter((t) => t.verdict === 'AC').length, total: tests.length, tests, mode: report.mode, wallMs };
  };
  const pub = part(0, publicCount);
  const priv = part(publicCount, report.total);
  return pub && priv ? { public: pub, private: priv } : null;
}

export class Sandbox {
  readonly dispatcher: Dispatcher;
  private evaluatorNames = new Map<string, string>();

  /** mode: the default of runTests ('process' unless said). */
  constructor(
    readonly pool: SandboxPool,
    readonly mode: Mode = 'process',
    dispatch: DispatchOptions = {},
  ) {
    this.dispatcher = new Dispatcher(pool, dispatch);
  }

  /** Starts a pool (image ensured, leftovers reaped, containers warm). */
  static async start(options: PoolOptions & DispatchOptions & { mode?: Mode } = {}): Promise<Sandbox> {
    const { mode, depth, ...pool } = options;
    return new Sandbox(await SandboxPool.start(pool), mode, { depth });
  }

  async close(): Promise<void> {
    await this.pool.close();
  }

  /** A name for the evaluator of an execution (assert, call): the same for executions with the same tests,
   *  limits and entry point, so the runner can keep one evaluator for them (docker/runner.py Evaluator). A
   *  random name, not a digest: a digest of the tests in the runner's memory would let a forked program
   *  check guesses of them. */
  private evaluatorName(ex: Execution, inputs: string[]): string {
    const l = ex.limits;
    const key = createHash('sha256')
      .update(JSON.stringify([ex.style, ex.fnName, ex.entryPoint, ex.prelude, ex.promptCode, ex.testCode, inputs, l.cpuS, l.resultBytes]))
      .digest('hex');
    if (this.evaluatorNames.size >= 4096) this.evaluatorNames.clear();
    let name = this.evaluatorNames.get(key);
    if (!name) this.evaluatorNames.set(key, (name = randomBytes(8).toString('hex')));
    return name;
  }

  /** One execution on one container; throws InfraError when the machinery fails, `signal`'s reason when aborted.
   *  Concurrent executions share containers' round trips (./dispatch). */
  async executeOnce(ex: Execution, signal?: AbortSignal): Promise<RawRun & Partial<BatchRun>> {
    signal?.throwIfAborted();
    const nonce = randomBytes(16).toString('hex');
    const blobs: [string, Buffer][] = [['program', Buffer.from(ex.program)]];
    if (ex.prelude) blobs.push(['prelude', Buffer.from(ex.prelude)]);
    if (ex.style === 'assert') {
      // eval_* blobs stay in the runner's memory and reach only the evaluator (docker/runner.py).
      if (ex.prelude) blobs.push(['eval_prelude', Buffer.from(ex.prelude)]);
      if (ex.promptCode) blobs.push(['eval_prompt', Buffer.from(ex.promptCode)]);
      if (ex.testCode) blobs.push(['eval_test_code', Buffer.from(ex.testCode)]);
    }
    const inputs = typeof ex.input === 'string' ? [ex.input] : ex.input;
    if (ex.style === 'stdio') {
      if (inputs.length !== 1) throw new Error('a stdio execution runs one test');
      blobs.push(['stdin', Buffer.from(inputs[0])]);
    } else inputs.forEach((text, i) => blobs.push([`eval_test_${i}`, Buffer.from(text)]));
    const l = ex.limits;
    const header = {
      op: 'run',
      id: nonce.slice(0, 8),
      tests: inputs.length,
      mode: ex.mode,
      style: ex.style,
      fn_name: ex.fnName,
      entry_point: ex.entryPoint,
      evaluator: ex.style === 'stdio' ? undefined : this.evaluatorName(ex, inputs),
      nonce,
      limits: {
        cpu_s: l.cpuS,
        wall_s: l.wallS,
        stdout_bytes: l.stdoutBytes,
        stderr_bytes: l.stderrBytes,
        stderr_kill_bytes: l.stderrKillBytes,
        result_bytes: l.resultBytes,
        fsize_bytes: l.fsizeBytes,
        nofile: l.nofile,
        stack_bytes: l.stackBytes,
      },
    };
    const bytesIn = blobs.reduce((s, [, b]) => s + b.length, 0);
    const timeoutMs = inputs.length * l.wallS * 1000 + 30_000 + bytesIn / 1000; // + 1 s per MB of input
    let frame: Frame;
    try {
      frame = await this.dispatcher.run(header, blobs, l.memoryBytes, timeoutMs, signal);
    } catch (err) {
      if (signal?.aborted) throw signal.reason; // a killed run's container is recycled (./dispatch)
      throw err instanceof InfraError ? err : new InfraError(`sandbox: ${(err as Error).message}`);
    }
    const h = frame.header;
    // Setup errors and anomalies: the dispatcher has recycled the container already.
    if (h.setup_error) throw new InfraError(`sandbox: the runner could not start the program: ${h.setup_error}`);
    const run: RawRun & Partial<BatchRun> & { evaluatorExit?: unknown } = {
      exitCode: h.exit_code,
      signal: h.signal,
      cpuS: h.cpu_s,
      wallS: h.wall_s,
      maxRssBytes: h.max_rss_bytes,
      killed: h.killed,
      oom: h.oom,
      stdout: frame.blobs.get('stdout') ?? Buffer.alloc(0),
      stdoutTotal: h.stdout_total,
      stderr: frame.blobs.get('stderr') ?? Buffer.alloc(0),
      stderrTotal: h.stderr_total,
      records: parseRecords(frame.blobs.get('result') ?? Buffer.alloc(0), nonce),
      anomalies: h.anomalies,
      ...(ex.style !== 'stdio' && {
        evaluations: parseEvaluations(frame.blobs.get('report') ?? Buffer.alloc(0)),
        marks: Array.isArray(h.marks) ? h.marks : [],
        evaluatorExit: h.evaluator_exit,
        programEnded: h.program_ended === true,
      }),
    };
    return run;
  }

  /** Runs `code` against the problem's tests; program failures are verdicts, infrastructure ones IE. */
  async runTests(problem: Problem, code: string, opts: RunTestsOptions = {}): Promise<RunReport> {
    const started = performance.now();
    const all = selectTests(problem, opts.tests);
    if (all.length === 0 || opts.indices?.length === 0)
      throw new NoTestsError(`problem '${problem.id}' has no ${opts.tests ?? 'public'} tests to run: zero tests cannot be a verdict`);
    const chosen = (opts.indices ?? all.map((_, i) => i)).map((i) => {
      if (!Number.isInteger(i) || i < 0 || i >= all.length)
        throw new RunInputError(`test index ${i} is out of range: problem '${problem.id}' has ${all.length} ${opts.tests ?? 'public'} test(s)`);
      return i;
    });
    if (problem.style === 'call') {
      for (const i of chosen) {
        try {
          parseJson(all[i].output);
        } catch (err) {
          throw new RunInputError(`problem '${problem.id}', ${opts.tests ?? 'public'} test ${i}: the expected output of a call-style test must be JSON (${(err as Error).message})`);
        }
      }
    }
    const mode = opts.mode ?? this.mode;
    const limits = limitsFor(problem, opts.limits);
    const retries = opts.retries ?? 2;
    const excerptChars = opts.excerptChars ?? 2000;
    const results: (TestResult | undefined)[] = new Array(chosen.length);
    const execution = (input: Execution['input']): Execution => ({
      style: problem.style,
      program: code,
      prelude: problem.prelude,
      testCode: problem.test_code,
      promptCode: problem.prompt_is_code ? problem.prompt : undefined,
      fnName: problem.fn_name,
      entryPoint: problem.entry_point,
      input,
      mode,
      limits,
    });
    let next = 0;
    let stop = false;
    const runOne = async (k: number): Promise<TestResult> => {
      const index = chosen[k];
      const test = all[index];
      let lastError = '';
      let ran = false; // some attempt got a container: the failure may be the program's doing, so IE
      for (let attempt = 1; attempt <= retries + 1; attempt++) {
        try {
          const raw = await this.executeOnce(execution(test.input), opts.signal);
          return { index, attempts: attempt, ...classify(raw, problem, test, limits, excerptChars) };
        } catch (err) {
          if (!(err instanceof InfraError)) throw err;
          if (!(err instanceof SandboxUnavailableError)) ran = true;
          lastError = err.message;
        }
      }
      if (!ran) throw new SandboxUnavailableError(`${lastError} (after ${retries + 1} attempts)`);
      return ieResult(index, lastError);
    };
    const ieResult = (index: number, lastError: string): TestResult => ({
      index,
      attempts: retries + 1,
      verdict: 'IE',
      detail: `infrastructure failure after ${retries + 1} attempts: ${lastError}`,
      cpuMs: 0,
      wallMs: 0,
      memoryBytes: 0,
      exitCode: null,
      signal: null,
      stdout: '',
      stdoutTruncated: false,
      stderr: '',
      stderrTruncated: false,
    });
    // Assert and call style: one request runs the program once for all its tests, in order, each with its
    // own limits and verdict; after a test that ended the program's process, the rest run in a new one.
    const runBatched = async (): Promise<void> => {
      let k = 0;
      let attempt = 1;
      let lastError = '';
      let ran = false;
      while (k < chosen.length && !stop) {
        const batch = chosen.slice(k);
        let raw: BatchRun;
        try {
          raw = (await this.executeOnce(execution(batch.map((i) => all[i].input)), opts.signal)) as BatchRun;
          ran = true;
        } catch (err) {
          if (!(err instanceof InfraError)) throw err;
          if (!(err instanceof SandboxUnavailableError)) ran = true;
          lastError = err.message;
          if (++attempt > retries + 1) {
            if (!ran) throw new SandboxUnavailableError(`${lastError} (after ${retries + 1} attempts)`);
            results[k] = ieResult(batch[0], lastError);
            k++;
            attempt = 1;
          }
          continue;
        }
        const started = Math.max(-1, ...raw.marks.map((m) => m[0]), ...raw.evaluations.map((r) => r.i));
        const last = started < 0 && (raw.killed || raw.oom) ? 0 : Math.min(started, batch.length - 1);
        let judged = 0;
        for (let j = 0; j <= last && !stop; j++) {
          const one = testOfBatch(raw, j, last);
          if (one.evaluation?.kind === 'none' && !one.killed && !one.oom) {
            // No verdict and no limit hit: the evaluator itself failed — our machinery, not the program (which
            // cannot signal or trace it). This test runs again, on a fresh container; IE after the retries.
            lastError = `sandbox: ${(one.evaluation as { why: string }).why}`;
            break;
          }
          const r: TestResult = { index: batch[j], attempts: attempt, ...classify(one, problem, all[batch[j]], limits, excerptChars) };
          results[k + j] = r;
          judged++;
          if (r.verdict === 'CE' || (opts.stopOnFirstFailure && r.verdict !== 'AC')) stop = true;
          // Failing before any test ran (at import) fails every test the same way: not run again per test.
          if (j === 0 && one.evaluation && 'when' in one.evaluation && one.evaluation.when === 'start') {
            for (let m = 1; m < batch.length; m++) results[k + m] = { ...r, index: batch[m] };
            judged = batch.length;
            break;
          }
        }
        if (judged === 0) {
          if (++attempt > retries + 1) {
            results[k] = ieResult(batch[0], lastError || 'sandbox: no test was judged');
            k++;
            attempt = 1;
          }
          continue;
        }
        k += judged;
        attempt = 1;
      }
    };
    const worker = async () => {
      while (!stop && next < chosen.length) {
        const k = next++;
        const r = await runOne(k);
        results[k] = r;
        if (r.verdict === 'CE' || (opts.stopOnFirstFailure && r.verdict !== 'AC')) stop = true;
      }
    };
    if (problem.style === 'stdio') await Promise.all(Array.from({ length: Math.min(this.pool.size, chosen.length) }, worker));
    else await runBatched();
    let tests = results.filter((r): r is TestResult => r !== undefined);
    const firstBad = tests.findIndex((r) => r.verdict !== 'AC');
    if (stop && firstBad >= 0) tests = tests.slice(0, firstBad + 1); // deterministic whatever the scheduling
    const verdict = tests.some((r) => r.verdict === 'IE') ? 'IE' : firstBad >= 0 ? tests[firstBad].verdict : 'AC';
    return {
      verdict,
      passed: tests.filter((r) => r.verdict === 'AC').length,
      total: chosen.length,
      tests,
      mode,
      wallMs: Math.round(performance.now() - started),
    };
  }
}
