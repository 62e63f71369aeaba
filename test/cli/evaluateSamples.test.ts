// `mars2 evaluate-samples` end to end except the sandbox: the real dataset loader, samples file, results
// file and pass@k, with a runner typed against the same ProgramRunner interface the sandbox adapter
// implements. The runner passes a program exactly when it is the dataset's reference solution, and finishes
// programs out of order, so the results file must still come out in sample order.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { evaluateSamples, type EvaluateSamplesDeps } from '../../src/cli/evaluateSamples';
import { UsageError, UserError } from '../../src/cli/command';
import { loadDataset, loadReferenceSolutions, type Problem } from '../../src/data';
import type { ProgramRunner } from '../../src/data/evaluate';
import type { Verdict } from '../../src/data/problem';
import type { RunSummary } from '../../src/data/samples';

const HUMANEVAL = join(__dirname, '../fixtures/humaneval/humaneval_sample.jsonl');
const dir = mkdtempSync(join(tmpdir(), 'mars2-eval-'));
let fileNo = 0;

function samplesFile(lines: object[]): string {
  const path = join(dir, `samples${fileNo++}.jsonl`);
  writeFileSync(path, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  return path;
}

const ticks = (n: number) => new Promise<void>((resolve) => {
  const step = (left: number) => (left <= 0 ? resolve() : setImmediate(() => step(left - 1)));
  step(n);
});

/** Passes a program iff it is the reference; later samples finish first. `ie` programs give IE. */
async function referenceRunner(ie: Set<string> = new Set()): Promise<ProgramRunner & { calls: { id: string; code: string; tests: string }[] }> {
  const refs = new Map((await loadReferenceSolutions(HUMANEVAL)).map((r) => [r.problemId, r.code]));
  const calls: { id: string; code: string; tests: string }[] = [];
  return {
    calls,
    async run(problem: Problem, code: string, { tests }): Promise<RunSummary> {
      calls.push({ id: problem.id, code, tests });
      await ticks(40 - calls.length * 3);
      const verdict: Verdict = ie.has(code) ? 'IE' : code === refs.get(problem.id) ? 'AC' : 'RE';
      return { total: 1, tests: [{ index: 0, verdict, detail: verdict === 'RE' ? 'AssertionError' : undefined }] };
    },
  };
}

function deps(runner: ProgramRunner, clock = { t: 0 }) {
  const out: string[] = [];
  const err: string[] = [];
  let closed = 0;
  let opened = 0;
  const d: EvaluateSamplesDeps = {
    openRunner: async () => {
      opened++;
      return { runner, close: async () => void closed++ };
    },
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    now: () => (clock.t += 1000),
    progressEveryMs: 5000,
  };
  return { d, out, err, closedCount: () => closed, openedCount: () => opened };
}

const GOOD = ['    return sum(n for n in numbers if n > 0)\n', "    return text.upper() + '!'\n", '    return n % 2 == 0\n'];
const BAD = '    return None\n';

/** 3 problems × 4 samples: problem 0 right 4/4, problem 1 right 1/4, problem 2 right 0/4. */
function humanEvalSamples(): object[] {
  const out: object[] = [];
  for (let s = 0; s < 4; s++) {
    out.push({ task_id: 'HumanEval/0', completion: GOOD[0], s });
    out.push({ task_id: 'HumanEval/1', completion: s === 2 ? GOOD[1] : BAD, s });
    out.push({ task_id: 'HumanEval/2', completion: BAD, s });
  }
  return out;
}

describe('evaluate-samples', () => {
  test('pass@k, results next to the samples in sample order, progress on stderr', async () => {
    const samples = samplesFile(humanEvalSamples());
    const runner = await referenceRunner();
    const { d, out, err, closedCount } = deps(runner);
    const code = await evaluateSamples(['--dataset', HUMANEVAL, '--samples', samples, '--k', '1,2,10', '--jobs', '4'], d);
    assert.equal(code, 0);
    assert.equal(closedCount(), 1);

    assert.equal(out[0], `12 samples on 3 of 3 problems (humaneval); results in ${samples}_results.jsonl`);
    // pass@1 = (1 + 1/4 + 0)/3; pass@2 for n=4, c=1 is 1 − C(3,2)/C(4,2) = 1/2
    assert.equal(out[1], `pass@1   ${((1 + 0.25) / 3).toFixed(4)}`);
    assert.equal(out[2], `pass@2   ${((1 + 0.5) / 3).toFixed(4)}`);
    assert.equal(out[3], 'pass@10  skipped: needs at least 10 samples for every problem; the fewest is 4');

    const results = readFileSync(`${samples}_results.jsonl`, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(results.map((r) => [r.task_id, r.s]), humanEvalSamples().map((s: any) => [s.task_id, s.s]));
    assert.deepEqual(results[0], { task_id: 'HumanEval/0', completion: GOOD[0], s: 0, result: 'passed', passed: true });
    assert.deepEqual(results[1], { task_id: 'HumanEval/1', completion: BAD, s: 0, result: 'failed: RE: AssertionError', passed: false });
    assert.equal(results.filter((r) => r.passed).length, 5);

    // HumanEval completions are run as prompt + completion, on all tests by default.
    const prompts = new Map((await loadDataset(HUMANEVAL)).map((e) => [e.problem.id, e.problem.prompt]));
    assert.ok(runner.calls.every((c) => c.tests === 'all' && c.code.startsWith(prompts.get(c.id) ?? '?')));

    // The fake clock advances 1 s per reading: a progress line every 5 s, and always the last one.
    assert.ok(err.length >= 2 && err.length < 12, err.join('\n'));
    assert.match(err[err.length - 1], /^evaluate-samples: 12\/12 samples \(100%\), 5 passed, \d+\.\d\/s, done$/);
  });

  test('--json prints one machine-readable summary', async () => {
    const samples = samplesFile([{ task_id: 'HumanEval/2', code: 'def is_even(n): return True\n' }, { task_id: 'HumanEval/2', completion: GOOD[2] }]);
    const { d, out } = deps(await referenceRunner());
    assert.equal(await evaluateSamples(['--dataset', HUMANEVAL, '--samples', samples, '--k', '1,2', '--json'], d), 0);
    assert.equal(out.length, 1);
    const s = JSON.parse(out[0]);
    assert.deepEqual(s.passAtK, { 'pass@1': 0.5, 'pass@2': 1 });
    assert.deepEqual(s.skipped, {});
    assert.equal(s.problems, 3);
    assert.equal(s.problemsEvaluated, 1);
    assert.equal(s.samples, 2);
    assert.equal(s.format, 'humaneval');
    assert.equal(s.results, `${samples}_results.jsonl`);
  });

  test('IE samples count as failures in pass@k, are marked ie in the results, and the summary counts them', async () => {
    const wrong = 'def sum_positive(numbers): return 0\n';
    const samples = samplesFile([{ task_id: 'HumanEval/0', code: wrong }, { task_id: 'HumanEval/0', completion: GOOD[0] }]);
    const { d, out, err } = deps(await referenceRunner(new Set([wrong])));
    assert.equal(await evaluateSamples(['--dataset', HUMANEVAL, '--samples', samples, '--k', '1', '--json'], d), 1);
    const s = JSON.parse(out[0]);
    assert.equal(s.infraErrors, 1);
    assert.equal(s.samples, 2);
    assert.deepEqual(s.passAtK, { 'pass@1': 0.5 }, 'the IE sample is a failure, not left out');
    assert.match(err[err.length - 1], /1 samples could not be run \(IE.*counted as failures in pass@k/);
    const results = readFileSync(`${samples}_results.jsonl`, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(results[0], { task_id: 'HumanEval/0', code: wrong, result: 'infrastructure error', passed: false, ie: true });
    assert.equal('ie' in results[1], false);
  });

  test('a problem whose every sample ended IE scores 0, and the human summary says how many were IE', async () => {
    const broken = 'def is_even(n): return True\n';
    const samples = samplesFile([
      { task_id: 'HumanEval/0', completion: GOOD[0] },
      { task_id: 'HumanEval/2', code: broken },
      { task_id: 'HumanEval/2', code: broken },
    ]);
    const { d, out } = deps(await referenceRunner(new Set([broken])));
    assert.equal(await evaluateSamples(['--dataset', HUMANEVAL, '--samples', samples, '--k', '1'], d), 1);
    assert.equal(out[1], '2 of them ended IE (the sandbox failed) and count as failures below');
    assert.equal(out[2], `pass@1  ${(0.5).toFixed(4)}`); // (1 + 0) / 2 problems, not 1/1
  });

  test('a sample for a problem not in the dataset stops before the sandbox starts, naming the line', async () => {
    const samples = samplesFile([{ task_id: 'HumanEval/0', completion: GOOD[0] }, { task_id: 'HumanEval/7', completion: GOOD[0] }]);
    const runner = await referenceRunner();
    const { d, openedCount } = deps(runner);
    await assert.rejects(evaluateSamples(['--dataset', HUMANEVAL, '--samples', samples], d), (e: unknown) => {
      assert.ok(e instanceof UserError);
      assert.match(e.message, new RegExp(`${samples.replace(/[.]/g, '\\.')}:2 field 'task_id': no problem 'HumanEval/7'`));
      return true;
    });
    assert.equal(runner.calls.length, 0);
    assert.equal(openedCount(), 0, 'the sandbox is not started for a bad samples file');
  });

  test('a runner that throws stops the evaluation and the runner is still closed', async () => {
    const samples = samplesFile(humanEvalSamples());
    const broken: ProgramRunner = { run: async () => Promise.reject(new Error('docker engine went away')) };
    const { d, closedCount } = deps(broken);
    await assert.rejects(evaluateSamples(['--dataset', HUMANEVAL, '--samples', samples, '--jobs', '2'], d), /docker engine went away/);
    assert.equal(closedCount(), 1);
  });

  test('usage errors say what was expected', async () => {
    const { d } = deps(await referenceRunner());
    const cases: [string[], RegExp][] = [
      [['--samples', 'x'], /--dataset is required/],
      [['--dataset', HUMANEVAL], /--samples is required/],
      [['--dataset', HUMANEVAL, '--samples', 'x', '--format', 'apps'], /--format expects auto or one of humaneval, mbpp, leetcode, lcb, contest, native, got 'apps'/],
      [['--dataset', HUMANEVAL, '--samples', 'x', '--k', '1,ten'], /--k expected positive integers.*found 'ten'/],
      [['--dataset', HUMANEVAL, '--samples', 'x', '--tests', 'hidden'], /--tests expects all, public or private/],
      [['--dataset', HUMANEVAL, '--samples', 'x', '--jobs', '0'], /--jobs expects a positive integer/],
    ];
    for (const [argv, message] of cases)
      await assert.rejects(evaluateSamples(argv, d), (e: unknown) => e instanceof UsageError && message.test(e.message));
  });

  test('a missing dataset or samples file is a UserError naming the file', async () => {
    const { d } = deps(await referenceRunner());
    await assert.rejects(evaluateSamples(['--dataset', join(dir, 'none.jsonl'), '--samples', 'x'], d), (e: unknown) => e instanceof UserError && /none\.jsonl: cannot open the file/.test(e.message));
    await assert.rejects(evaluateSamples(['--dataset', HUMANEVAL, '--samples', join(dir, 'nos.jsonl')], d), (e: unknown) => e instanceof UserError && /nos\.jsonl: cannot open the file/.test(e.message));
  });
});
