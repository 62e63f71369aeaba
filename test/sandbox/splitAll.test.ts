// splitAll (src/sandbox/sandbox.ts): a run on 'all' reported as the runs on 'public' and 'private' would
// report it — the expand activity's one sandbox run for both sets of a training node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitAll, type RunReport, type TestResult, type Verdict } from '../../src/sandbox';

const result = (index: number, verdict: Verdict): TestResult => ({
  index, verdict, detail: verdict, cpuMs: 1, wallMs: 2, memoryBytes: 0, exitCode: 0, signal: null,
  stdout: '', stdoutTruncated: false, stderr: '', stderrTruncated: false, attempts: 1,
});
const report = (verdicts: Verdict[], total = verdicts.length): RunReport => ({
  verdict: verdicts.find((v) => v !== 'AC') ?? 'AC', passed: verdicts.filter((v) => v === 'AC').length, total,
  tests: verdicts.map((v, i) => result(i, v)), mode: 'fork', wallMs: 50,
});

test('each set keeps its own indices, counts and verdict', () => {
  const split = splitAll(report(['AC', 'AC', 'WA', 'AC', 'TLE']), 2)!;
  assert.deepEqual([split.public.verdict, split.public.passed, split.public.total], ['AC', 2, 2]);
  assert.deepEqual(split.public.tests.map((t) => t.index), [0, 1]);
  assert.deepEqual([split.private.verdict, split.private.passed, split.private.total], ['WA', 1, 3]);
  assert.deepEqual(split.private.tests.map((t) => [t.index, t.verdict]), [[0, 'WA'], [1, 'AC'], [2, 'TLE']]);
  assert.equal(split.private.wallMs, 6, "a set's wall is its tests'");
});

test('an IE anywhere in a set makes that set IE, and only that set', () => {
  const split = splitAll(report(['WA', 'AC', 'AC', 'IE']), 1)!;
  assert.equal(split.public.verdict, 'WA');
  assert.equal(split.private.verdict, 'IE');
});

test('a set whose tests were not all judged (a stop inside the public set) is not made up: null', () => {
  assert.equal(splitAll(report(['AC', 'CE'], 5), 3), null);
  assert.equal(splitAll(report(['AC', 'AC', 'AC', 'AC'], 5), 3), null, 'a private test is missing');
});
