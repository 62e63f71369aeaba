// `mars2 sandbox run`: one program against one problem's tests in the Docker sandbox, verdicts per test.
// `mars2 sandbox bench`: sandbox throughput on this machine (src/sandbox/bench.ts).
import { existsSync, readFileSync } from 'node:fs';
import { DatasetError, loadDataset } from '../data';
import { InfraError, RunInputError, Sandbox, type RunReport, type TestResult } from '../sandbox';
import { runSandboxBench } from '../sandbox/bench';
import { numberFlag, parseFlags, UsageError, UserError, type Command } from './command';

const RUN_USAGE = `usage: mars2 sandbox run --problem F --code prog.py [options]

  --problem F        a problems file (native JSONL, DESIGN §6.1, or any format src/data loads)
  --id ID            which problem of F (needed when F holds more than one)
  --code prog.py     the program to run ('-' reads stdin)
  --tests SET        public (default) | private | all
  --mode M           process (default: a fresh interpreter per test) | fork (forked from a warm interpreter)
  --stop             stop at the first test that is not AC
  --time-limit S     CPU seconds per test (default: the problem's time_limit_s)
  --json             the full report as JSON (verdicts, times, memory, excerpts, tracebacks)

Exit code 0 when every selected test is AC, 1 otherwise.`;

function verdictLine(t: TestResult): string {
  const figures = `${t.cpuMs} ms cpu, ${t.wallMs} ms wall, ${(t.memoryBytes / 1048576).toFixed(0)} MiB`;
  return `  test ${String(t.index).padStart(3)}  ${t.verdict.padEnd(3)}  ${figures}${t.verdict === 'AC' ? '' : `  ${t.detail}`}`;
}

function humanReport(r: RunReport, problemId: string): string[] {
  const lines = r.tests.map(verdictLine);
  const bad = r.tests.find((t) => t.verdict !== 'AC');
  if (bad?.verdict === 'WA' && bad.expected !== undefined) {
    lines.push('', `first failure (test ${bad.index}):`, `--- input\n${bad.input}`, `--- expected\n${bad.expected}`, `--- got\n${bad.actual}`);
  } else if (bad?.traceback) lines.push('', `first failure (test ${bad.index}):`, bad.traceback.trimEnd());
  lines.push(`${problemId}: ${r.verdict}, ${r.passed}/${r.total} passed (${r.mode} mode, ${r.wallMs} ms)`);
  return lines;
}

export const sandboxRunCommand: Command = {
  name: 'sandbox run',
  summary: 'run a program against a problem\'s tests in the Docker sandbox; verdicts per test',
  usage: RUN_USAGE,
  async run(argv) {
    const { values } = parseFlags(argv, {
      problem: { type: 'string' },
      id: { type: 'string' },
      code: { type: 'string' },
      tests: { type: 'string', default: 'public' },
      mode: { type: 'string', default: 'process' },
      stop: { type: 'boolean', default: false },
      'time-limit': { type: 'string' },
      json: { type: 'boolean', default: false },
    });
    if (!values.problem) throw new UsageError('--problem is required (a problems JSONL file)');
    if (!values.code) throw new UsageError("--code is required (the program's file, or '-' for stdin)");
    const tests = values.tests as 'public' | 'private' | 'all';
    if (!['public', 'private', 'all'].includes(tests)) throw new UsageError(`--tests expects public, private or all, got '${values.tests}'`);
    const mode = values.mode as 'process' | 'fork';
    if (!['process', 'fork'].includes(mode)) throw new UsageError(`--mode expects process or fork, got '${values.mode}'`);
    const timeLimit = values['time-limit'] === undefined ? undefined : numberFlag(values['time-limit'], 'time-limit', 0);
    if (timeLimit !== undefined && !(timeLimit > 0)) throw new UsageError(`--time-limit expects seconds > 0, got '${values['time-limit']}'`);
    if (values.code !== '-' && !existsSync(values.code)) throw new UserError(`--code ${values.code}: no such file; expected the program to run`);
    const code = readFileSync(values.code === '-' ? 0 : values.code, 'utf8');

    let entries;
    try {
      entries = await loadDataset(values.problem);
    } catch (err) {
      if (err instanceof DatasetError || (err as NodeJS.ErrnoException).code === 'ENOENT') throw new UserError((err as Error).message);
      throw err;
    }
    const entry = values.id
      ? entries.find((e) => e.problem.id === values.id || e.sourceId === values.id)
      : entries.length === 1
        ? entries[0]
        : undefined;
    if (!entry) {
      const ids = entries.slice(0, 5).map((e) => e.problem.id).join(', ');
      throw new UserError(
        values.id
          ? `${values.problem} has no problem '${values.id}' (ids look like: ${ids}); pass one of its ids with --id`
          : `${values.problem} holds ${entries.length} problems; choose one with --id (e.g. ${ids})`,
      );
    }

    let sandbox: Sandbox;
    try {
      sandbox = await Sandbox.start();
    } catch (err) {
      if (err instanceof InfraError) throw new UserError(err.message);
      throw err;
    }
    try {
      const report = await sandbox.runTests(entry.problem, code, {
        tests,
        mode,
        stopOnFirstFailure: values.stop,
        limits: timeLimit === undefined ? undefined : { cpuS: timeLimit },
      });
      if (values.json) console.log(JSON.stringify({ problem: entry.problem.id, ...report }, null, 2));
      else for (const line of humanReport(report, entry.problem.id)) console.log(line);
      return report.verdict === 'AC' ? 0 : 1;
    } catch (err) {
      if (err instanceof RunInputError) throw new UserError(err.message);
      throw err;
    } finally {
      await sandbox.close();
    }
  },
};

const BENCH_USAGE = `usage: mars2 sandbox bench [--executions N] [--mbpp PATH] [--json]

Measures executions/s and p50/p99 added latency of a trivial program in process and fork mode, the
docker-exec-per-test and container-per-test designs for comparison, and (with --mbpp) a dataset's
reference solutions end to end (problems/s). Takes about a minute on 2 cores.`;

export const sandboxBenchCommand: Command = {
  name: 'sandbox bench',
  summary: 'measure sandbox throughput (executions/s, added latency) on this machine',
  usage: BENCH_USAGE,
  async run(argv) {
    const { values } = parseFlags(argv, { executions: { type: 'string' }, mbpp: { type: 'string' }, json: { type: 'boolean', default: false } });
    const executions = numberFlag(values.executions, 'executions', 300);
    if (!Number.isInteger(executions) || executions < 1) throw new UsageError(`--executions expects a positive integer, got '${values.executions}'`);
    const references = values.mbpp
      ? (await loadDataset(values.mbpp)).filter((e) => e.reference).map((e) => ({ problem: e.problem, code: e.reference!.code }))
      : [];
    const rows = await runSandboxBench({
      executions,
      references,
      referencesLabel: 'dataset',
      log: values.json ? undefined : (line) => console.log(line),
    }).catch((err: Error) => {
      if (err instanceof InfraError) throw new UserError(err.message);
      throw err;
    });
    if (values.json) console.log(JSON.stringify(rows, null, 2));
    return 0;
  },
};
