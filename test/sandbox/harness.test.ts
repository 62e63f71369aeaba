// Every harness style passes a correct program and fails a broken one, in both execution modes (one
// conformance suite for the two modes, STYLE 5), plus the run options: stop at first failure, subsets.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Sandbox, type Mode } from '../../src/sandbox';
import { problemSchema } from '../../src/data/problem';

let sandbox: Sandbox;
before(async () => {
  sandbox = await Sandbox.start({ size: 2 });
});
after(async () => {
  await sandbox?.close();
});

const stdioProblem = problemSchema.parse({
  id: 'sum',
  prompt: '',
  style: 'stdio',
  public_tests: [
    { input: '1 2\n', output: '3\n' },
    { input: '5 7\n', output: '12\n' },
  ],
  private_tests: [
    { input: '10 -3\n', output: '7\n' },
    { input: '0 0\n', output: '0\n' },
  ],
});

const lcbCall = problemSchema.parse({
  id: 'lcb',
  prompt: '',
  style: 'call',
  fn_name: 'maxPair',
  public_tests: [
    { input: '[1, 5, 3]\n2\n', output: '[5, 3]' },
    { input: '[4]\n1\n', output: '[4]' },
  ],
  private_tests: [{ input: '[9, 8, 7]\n3\n', output: '[9, 8, 7]' }],
});

const leetcodeCall = problemSchema.parse({
  id: 'lc',
  prompt: '',
  style: 'call',
  fn_name: 'Solution().twoSum',
  prelude: 'from typing import *',
  public_tests: [
    { input: '[2, 7, 11, 15]\n9\n', output: '[0, 1]' },
    { input: '[3, 2, 4]\n6\n', output: '[1, 2]' },
  ],
  private_tests: [],
});

const humanEval = problemSchema.parse({
  id: 'he',
  prompt: '',
  style: 'assert',
  entry_point: 'add',
  test_code: '',
  public_tests: [{ input: 'def check(candidate):\n    assert candidate(1, 2) == 3\n    assert candidate(-1, 1) == 0\n', output: '' }],
  private_tests: [],
});

const mbpp = problemSchema.parse({
  id: 'mbpp',
  prompt: '',
  style: 'assert',
  test_code: 'import math',
  public_tests: [
    { input: 'assert square(2) == 4', output: '' },
    { input: 'assert square(3) == 9', output: '' },
  ],
  private_tests: [],
});

for (const mode of ['process', 'fork'] as Mode[]) {
  describe(`harness styles, ${mode} mode`, () => {
    test('stdio: a correct program passes every test, a broken one fails', async () => {
      const good = await sandbox.runTests(stdioProblem, 'a, b = map(int, input().split())\nprint(a + b)', { mode, tests: 'all' });
      assert.equal(good.verdict, 'AC');
      assert.equal(good.passed, 4);
      const bad = await sandbox.runTests(stdioProblem, 'a, b = map(int, input().split())\nprint(a - b)', { mode, tests: 'all' });
      assert.equal(bad.verdict, 'WA');
      assert.equal(bad.tests[0].input, '1 2\n');
      assert.equal(bad.tests[0].expected, '3\n');
      assert.equal(bad.tests[0].actual, '-1\n');
    });
    test('stdio: a crash gives RE with the traceback; a syntax error gives CE once', async () => {
      const re = await sandbox.runTests(stdioProblem, 'def f(x):\n    return 1 // x\nf(0)', { mode });
      assert.equal(re.verdict, 'RE');
      assert.match(re.tests[0].traceback ?? '', /File "main.py", line 2, in f\n +return 1 \/\/ x\n[\s\S]*ZeroDivisionError/);
      const ce = await sandbox.runTests(stdioProblem, 'print(', { mode, tests: 'all' });
      assert.equal(ce.verdict, 'CE');
      assert.equal(ce.tests.length, 1);
    });
    test('call (LiveCodeBench fn_name): JSON-lines arguments, return value compared as JSON', async () => {
      const good = await sandbox.runTests(lcbCall, 'class Solution:\n    def maxPair(self, xs, k):\n        return sorted(xs, reverse=True)[:k]', { mode, tests: 'all' });
      assert.equal(good.verdict, 'AC');
      const plain = await sandbox.runTests(lcbCall, 'def maxPair(xs, k):\n    return tuple(sorted(xs, reverse=True)[:k])', { mode, tests: 'all' });
      assert.equal(plain.verdict, 'AC'); // a tuple serialises as a JSON list, as LiveCodeBench compares it
      const bad = await sandbox.runTests(lcbCall, 'def maxPair(xs, k):\n    return sorted(xs)[:k]', { mode });
      assert.equal(bad.verdict, 'WA');
      assert.match(bad.tests[0].detail, /return value\[0\]: expected 5, got 1/);
      const tuple = await sandbox.runTests(lcbCall, 'def maxPair(xs, k):\n    return tuple(sorted(xs)[:k])', { mode });
      assert.equal(tuple.tests[0].actual, '(1, 3)'); // what the model is shown: Python's repr, not typed JSON
    });
    test('call (LeetCode Solution().method with a prelude): passes and fails', async () => {
      const good = await sandbox.runTests(
        leetcodeCall,
        'class Solution:\n    def twoSum(self, nums: List[int], target: int) -> List[int]:\n        seen = {}\n        for i, x in enumerate(nums):\n            if target - x in seen:\n                return [seen[target - x], i]\n            seen[x] = i',
        { mode },
      );
      assert.equal(good.verdict, 'AC');
      const bad = await sandbox.runTests(leetcodeCall, 'class Solution:\n    def twoSum(self, nums, target):\n        return [0, 0]', { mode });
      assert.equal(bad.verdict, 'WA');
      const raises = await sandbox.runTests(leetcodeCall, 'class Solution:\n    def twoSum(self, nums, target):\n        return nums[99]', { mode });
      assert.equal(raises.verdict, 'RE');
      assert.match(raises.tests[0].detail, /IndexError/);
    });
    test('assert (HumanEval: a test defining check(candidate), run by the evaluator): passes and fails', async () => {
      assert.equal((await sandbox.runTests(humanEval, 'def add(a, b):\n    return a + b', { mode })).verdict, 'AC');
      const bad = await sandbox.runTests(humanEval, 'def add(a, b):\n    return a * b', { mode });
      assert.equal(bad.verdict, 'WA');
      assert.match(bad.tests[0].traceback ?? '', /assert candidate\(1, 2\) == 3/);
    });
    test('assert (MBPP: one assert per test case): per-test verdicts', async () => {
      const good = await sandbox.runTests(mbpp, 'def square(x):\n    return x * x', { mode });
      assert.deepEqual(good.tests.map((t) => t.verdict), ['AC', 'AC']);
      const half = await sandbox.runTests(mbpp, 'def square(x):\n    return 4', { mode });
      assert.deepEqual(half.tests.map((t) => t.verdict), ['AC', 'WA']);
      assert.equal(half.verdict, 'WA');
    });
  });
}

describe('run options', () => {
  test('stop at first failure: the report ends at the first failing test, whatever the scheduling', async () => {
    const r = await sandbox.runTests(stdioProblem, 'a, b = map(int, input().split())\nprint(3)', { tests: 'all', stopOnFirstFailure: true });
    assert.equal(r.verdict, 'WA');
    assert.deepEqual(r.tests.map((t) => [t.index, t.verdict]), [[0, 'AC'], [1, 'WA']]);
    assert.equal(r.total, 4);
  });
  test('a subset of tests by index; private tests', async () => {
    const r = await sandbox.runTests(stdioProblem, 'a, b = map(int, input().split())\nprint(a + b)', { tests: 'private', indices: [1] });
    assert.deepEqual(r.tests.map((t) => [t.index, t.verdict]), [[1, 'AC']]);
    await assert.rejects(sandbox.runTests(stdioProblem, 'print(1)', { indices: [5] }), { name: 'RunInputError', message: /test index 5 is out of range/ });
  });
  test('a call-style test whose expected output is not JSON is a dataset error naming the test', async () => {
    const broken = { ...lcbCall, public_tests: [{ input: '1\n', output: 'not json' }] };
    await assert.rejects(sandbox.runTests(broken, 'def maxPair(a): return a'), {
      name: 'RunInputError', message: /problem 'lcb', public test 0: the expected output of a call-style test must be JSON/,
    });
  });
  test('numpy, sortedcontainers and the full standard library are importable', async () => {
    const p = problemSchema.parse({ id: 'np', prompt: '', style: 'stdio', public_tests: [{ input: '', output: '6\n' }], private_tests: [] });
    const code = 'import json, resource, decimal, fractions, statistics, queue, dataclasses, multiprocessing, concurrent.futures\nimport numpy as np\nfrom sortedcontainers import SortedList\nprint(int(np.arange(4).sum()))';
    assert.equal((await sandbox.runTests(p, code)).verdict, 'AC');
  });
});

// Assert and call style run every test of a program in one request and one program process (the trusted
// evaluator drives it); each test still has its own limits and its own verdict.
const batchAssert = problemSchema.parse({
  id: 'batch',
  prompt: '',
  style: 'assert',
  test_code: '',
  public_tests: [0, 1, 2, 3].map((x) => ({ input: `assert f(${x}) == ${x + 1}`, output: '' })),
  private_tests: [],
  time_limit_s: 1,
});
const batchCall = problemSchema.parse({
  id: 'batchc',
  prompt: '',
  style: 'call',
  fn_name: 'f',
  public_tests: [0, 1, 2, 3].map((x) => ({ input: `${x}\n`, output: `${x + 1}` })),
  private_tests: [],
  time_limit_s: 1,
});

for (const mode of ['process', 'fork'] as Mode[]) {
  describe(`one program process for all its tests, ${mode} mode`, () => {
    for (const p of [batchAssert, batchCall]) {
      test(`${p.style}: a test that hangs is TLE on its own limits, the tests after it still run`, async () => {
        const r = await sandbox.runTests(p, 'def f(x):\n    while x == 1:\n        pass\n    return x + 1\n', { mode, limits: { cpuS: 1, wallS: 3 } });
        assert.deepEqual(r.tests.map((t) => t.verdict), ['AC', 'TLE', 'AC', 'AC']);
        assert.ok(r.tests[1].cpuMs >= 900, `the TLE test used ${r.tests[1].cpuMs} ms of CPU`);
        assert.ok(r.tests[2].cpuMs < 900, 'the next test has a budget of its own');
      });
      test(`${p.style}: a test that ends the program's process is judged, the rest run in a new one`, async () => {
        const r = await sandbox.runTests(p, 'import os\ndef f(x):\n    if x == 2:\n        os._exit(3)\n    return x + 1\n', { mode });
        assert.deepEqual(r.tests.map((t) => t.verdict), ['AC', 'AC', 'RE', 'AC']);
        assert.match(r.tests[2].detail, /exit code 3/);
      });
      test(`${p.style}: an exception in one test is that test's RE, with the program's traceback`, async () => {
        const r = await sandbox.runTests(p, 'def f(x):\n    return 10 // (x - 3) if x == 3 else x + 1\n', { mode });
        assert.deepEqual(r.tests.map((t) => t.verdict), ['AC', 'AC', 'AC', 'RE']);
        assert.match(r.tests[3].traceback ?? '', /File "main.py", line 2, in f[\s\S]*ZeroDivisionError/);
      });
      test(`${p.style}: failing at import fails every test, run once`, async () => {
        const r = await sandbox.runTests(p, 'raise ValueError("at import")\ndef f(x):\n    return x + 1\n', { mode });
        assert.deepEqual(r.tests.map((t) => t.verdict), ['RE', 'RE', 'RE', 'RE']);
        assert.ok(r.tests.every((t) => /ValueError: at import/.test(t.detail) && t.attempts === 1));
      });
    }
  });
}
