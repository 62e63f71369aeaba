// `mars2 evaluate-samples` through the real sandbox (Docker engine and image from scripts/setup): the
// HumanEval fixture (assert style, completions appended to the prompt) and the LiveCodeBench fixture (stdio
// and call style, private tests decoded from the compressed form) — right programs pass, wrong ones fail.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { evaluateSamples, type EvaluateSamplesDeps } from '../../src/cli/evaluateSamples';
import { openSandboxRunner } from '../../src/cli/sampleRunner';

const FIXTURES = join(__dirname, '../fixtures');
const dir = mkdtempSync(join(tmpdir(), 'mars2-eval-sandbox-'));
let fileNo = 0;

async function run(dataset: string, samples: object[], extra: string[] = []) {
  const path = join(dir, `samples${fileNo++}.jsonl`);
  writeFileSync(path, samples.map((s) => JSON.stringify(s)).join('\n') + '\n');
  const out: string[] = [];
  const deps: EvaluateSamplesDeps = { openRunner: openSandboxRunner, out: (l) => out.push(l), err: () => {} };
  const code = await evaluateSamples(['--dataset', dataset, '--samples', path, '--jobs', '2', '--json', ...extra], deps);
  const results = readFileSync(`${path}_results.jsonl`, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  return { code, summary: JSON.parse(out[0]), results };
}

describe('evaluate-samples in the sandbox', () => {
  test('HumanEval fixture: canonical completions pass, a wrong one fails its asserts', async () => {
    const { code, summary, results } = await run(join(FIXTURES, 'humaneval/humaneval_sample.jsonl'), [
      { task_id: 'HumanEval/0', completion: '    return sum(n for n in numbers if n > 0)\n' },
      { task_id: 'HumanEval/0', completion: '    return sum(numbers)\n' },
      { task_id: 'HumanEval/1', completion: "    return text.upper() + '!'\n" },
      { task_id: 'HumanEval/2', code: 'def is_even(n):\n    return n % 2 == 0\n' },
    ], ['--k', '1']);
    assert.equal(code, 0);
    assert.deepEqual(results.map((r) => r.passed), [true, false, true, true]);
    assert.match(results[1].result, /^failed: WA/);
    assert.equal(summary.passAtK['pass@1'], (0.5 + 1 + 1) / 3);
  });

  test('LiveCodeBench fixture: stdio and call-style programs pass all tests, compressed private tests included', async () => {
    const { code, summary, results } = await run(join(FIXTURES, 'lcb/lcb_sample.jsonl'), [
      { task_id: 'abc900_a', code: 'input()\nprint(sum(map(int, input().split())))\n' },
      { task_id: 'abc900_a', code: 'input()\nprint(max(map(int, input().split())))\n' },
      {
        task_id: '9001',
        code:
          'class Solution:\n    def twoSumSorted(self, nums: List[int], target: int) -> List[int]:\n' +
          '        i, j = 0, len(nums) - 1\n        while nums[i] + nums[j] != target:\n' +
          '            if nums[i] + nums[j] < target: i += 1\n            else: j -= 1\n        return [i, j]\n',
      },
      { task_id: 'lcb/2000A', code: 'import sys\nsys.stdout.write(sys.stdin.read())\n' },
      { task_id: 'abc900_b', code: 'print(input().upper())\n' },
      { task_id: 'abc901_b', code: 'print(input()[::-1])\n' },
    ], ['--k', '1']);
    assert.equal(code, 0);
    assert.deepEqual(results.map((r) => [r.task_id, r.passed]), [
      ['abc900_a', true],
      ['abc900_a', false],
      ['9001', true],
      ['lcb/2000A', true],
      ['abc900_b', true],
      ['abc901_b', true],
    ]);
    assert.match(results[1].result, /^failed: WA on test 1 of 3/);
    assert.equal(summary.problemsEvaluated, 5);
    assert.equal(summary.passAtK['pass@1'], (0.5 + 4) / 5);
  });
});
