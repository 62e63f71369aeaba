// From what the runner measured to a verdict (sandbox.md §9.1 #6). Priority, highest first:
// CE > MLE > TLE > OLE > RE > WA/AC (IE is decided earlier, by the caller, and never reaches here).
//   CE  the harness could not compile the program (a record with this run's nonce says so);
//   MLE an OOM kill in the container's cgroup or peak RSS over the limit (even if a clock stopped it:
//       thrashing at the cap is the memory's doing), or a MemoryError;
//   TLE the runner killed it at the CPU limit (cgroup time, children included) or the wall limit;
//   OLE killed for too much stdout, stderr or result data;
//   RE  non-zero exit or a signal; assert style: the program raised and the test did not catch it;
//   WA  wrong output; call style also "ended without returning"; assert style: whatever the trusted
//       evaluator's report says short of ok (a failed assertion, a test crashed by a wrong value, a missing
//       function, a reply that is not typed JSON, the program's process gone mid-test with exit code 0).
// Assert style takes the verdict from the evaluator's report only: nothing the program's process writes
// can make an AC.
import { constants } from 'node:os';
import type { Checker, Problem, TestCase } from '../data/problem';
import { checkOutput, checkValue } from './checkers';
import { describeTyped, parseTyped } from './typed';
import type { EvaluatorReport, Limits, RawRun, TestResult, Verdict } from './types';

const SIGNAL_NAMES = new Map(Object.entries(constants.signals).map(([name, n]) => [n as number, name]));

/** Text cut to `max` characters, with a marker saying how much was dropped. */
export function excerpt(text: string, max: number): { text: string; truncated: boolean } {
  if (text.length <= max) return { text, truncated: false };
  return { text: `${text.slice(0, max)}\n…[${text.length - max} more characters]`, truncated: true };
}

function lastTraceback(stderr: string): string | undefined {
  const at = stderr.lastIndexOf('Traceback (most recent call last):');
  return at >= 0 ? stderr.slice(at) : stderr.trim() ? stderr : undefined;
}

export type Classified = Omit<TestResult, 'index' | 'attempts'>;

export function classify(
  raw: RawRun,
  problem: Pick<Problem, 'style'> & { checker: Checker },
  test: TestCase,
  limits: Limits,
  excerptChars: number,
): Classified {
  const stdoutText = raw.stdout.toString('utf8');
  const stderrText = raw.stderr.toString('utf8');
  const out = excerpt(stdoutText, excerptChars);
  const err = excerpt(stderrText, excerptChars);
  const base = {
    cpuMs: Math.round(raw.cpuS * 1000),
    wallMs: Math.round(raw.wallS * 1000),
    memoryBytes: raw.maxRssBytes,
    exitCode: raw.exitCode,
    signal: raw.signal === null ? null : (SIGNAL_NAMES.get(raw.signal) ?? String(raw.signal)),
    stdout: out.text,
    stdoutTruncated: out.truncated || raw.stdoutTotal > raw.stdout.length,
    stderr: err.text,
    stderrTruncated: err.truncated || raw.stderrTotal > raw.stderr.length,
  };
  const verdict = (v: Verdict, detail: string, extra: Partial<TestResult> = {}): Classified => ({ verdict: v, detail, ...base, ...extra });
  const rec = (kind: string) => raw.records.find((r) => r.kind === kind);

  const ev = problem.style !== 'stdio' ? (raw.evaluation ?? { kind: 'none', why: 'no report from the evaluator' }) : undefined;
  const ce = ev ? (ev.kind === 'ce' ? { value: ev.ce } : undefined) : rec('ce');
  if (ce) return verdict('CE', `${ce.value.file}: ${ce.value.message}`.slice(0, excerptChars));
  // Memory before time: a program over its memory limit is MLE even when it was stopped by a clock, because
  // near the cgroup's cap the kernel reclaims and refaults, and that time is the memory's doing.
  if (raw.oom || ev?.kind === 'memory') return verdict('MLE', `out of memory: killed by the kernel at the ${limits.memoryBytes >> 20} MiB limit`);
  if (raw.maxRssBytes > limits.memoryBytes)
    return verdict('MLE', `peak memory ${raw.maxRssBytes >> 20} MiB over the ${limits.memoryBytes >> 20} MiB limit`);
  if (raw.killed === 'cpu' || raw.signal === constants.signals.SIGXCPU)
    return verdict('TLE', `killed at the ${limits.cpuS} s CPU limit`);
  if (raw.killed === 'wall') {
    const idle = raw.cpuS < 0.5 * limits.cpuS;
    return verdict('TLE', `killed at the ${limits.wallS} s wall-clock limit${idle ? ' while mostly idle (sleeping or blocked)' : ''}`, { idle });
  }
  const exc = ev ? (ev.kind === 'program_exc' ? { value: { type: ev.type, message: ev.message } } : undefined) : rec('exc');
  if (exc?.value.type === 'MemoryError')
    return verdict('MLE', `MemoryError (the ${limits.memoryBytes >> 20} MiB limit)`, { traceback: lastTraceback(stderrText) });
  if (raw.killed === 'stdout') return verdict('OLE', `more than ${limits.stdoutBytes} bytes on stdout`);
  if (raw.killed === 'stderr') return verdict('OLE', `more than ${limits.stderrKillBytes} bytes on stderr`);
  if (raw.killed === 'result') return verdict('OLE', `a return value over ${limits.resultBytes} bytes`);

  const failed = raw.exitCode !== 0;
  const crash = (): Classified => {
    const own = ev?.kind === 'program_exc' ? ev.traceback : undefined; // the program's, from its reply
    const tb = excerpt(own ?? lastTraceback(stderrText) ?? '', excerptChars).text || undefined;
    const how = raw.signal !== null ? `killed by ${base.signal}` : `exit code ${raw.exitCode}`;
    const what = exc ? `${exc.value.type}${exc.value.message ? `: ${exc.value.message}` : ''}` : how;
    return verdict('RE', what.slice(0, 500), { traceback: tb });
  };
  const wrong = (why: string, expected: string, actual: string): Classified =>
    verdict('WA', why, {
      input: excerpt(test.input, excerptChars).text,
      expected: excerpt(expected, excerptChars).text,
      actual: excerpt(actual, excerptChars).text,
    });

  if (problem.style === 'stdio') {
    if (failed) return crash();
    const check = checkOutput(problem.checker, test.output, stdoutText);
    return check.ok ? verdict('AC', 'accepted') : wrong(check.why ?? 'wrong output', test.output, stdoutText);
  }
  if (problem.style === 'call' && ev?.kind === 'ret') {
    const check = checkValue(problem.checker, test.output, ev.value);
    if (check.ok) return verdict('AC', 'accepted');
    const typed = parseTyped(ev.value); // shown as Python writes it: (1, 2), not {"$tuple": …}
    return wrong(check.why ?? 'wrong return value', test.output, typed.ok ? describeTyped(typed.value, excerptChars) : ev.value);
  }
  return assertVerdict(ev!, raw, test, excerptChars, verdict, crash);
}

function assertVerdict(
  ev: EvaluatorReport,
  raw: RawRun,
  test: TestCase,
  excerptChars: number,
  verdict: (v: Verdict, detail: string, extra?: Partial<TestResult>) => Classified,
  crash: () => Classified,
): Classified {
  const input = test.input ? excerpt(test.input, excerptChars).text : undefined;
  const returned = (r: string | null | undefined) => (r ? ` (the program returned ${r}, not a value a test can compare)` : '');
  switch (ev.kind) {
    case 'ok':
      return verdict('AC', 'accepted');
    case 'fail':
    case 'error': {
      const what = ev.kind === 'fail' ? `a test assertion failed${ev.message ? `: ${ev.message}` : ''}` : `the test raised ${ev.type}${ev.message ? `: ${ev.message}` : ''}`;
      return verdict('WA', `${what}${what.includes('the program returned') ? '' : returned(ev.returned)}`.slice(0, 500), { traceback: ev.line ?? undefined, input });
    }
    case 'missing':
      return verdict('WA', ev.message.slice(0, 500), { input });
    case 'program_exc':
      return crash();
    case 'program_gone': {
      const when = ev.when === 'start' ? 'before the tests started' : 'in the middle of a test';
      if (raw.exitCode === 0 && raw.signal === null) return verdict('WA', `the program's process ended (exit code 0) ${when}`, { input });
      if (raw.exitCode === null && raw.signal === null) return verdict('WA', `the program's process closed its channel to the tests ${when}`, { input });
      return crash();
    }
    case 'ole':
      return verdict('OLE', `a reply to the evaluator over the cap: ${ev.why}`.slice(0, 500));
    case 'malformed':
      return verdict('WA', `the program's process sent ${ev.why}`.slice(0, 500), { input });
    case 'test_error':
      return verdict('WA', `the test's own code failed before calling the program (${ev.type}: ${ev.message}): the problem cannot be judged`.slice(0, 500));
    case 'memory':
    case 'ce':
    case 'ret':
    case 'none':
      return verdict('WA', `no verdict from the evaluator: ${'why' in ev ? ev.why : ev.kind}`.slice(0, 500));
  }
}
