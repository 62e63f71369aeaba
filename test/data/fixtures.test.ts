// The HumanEval and LiveCodeBench loaders on small fixture files (test/fixtures/). The LiveCodeBench fixture,
// including its compressed private tests, is written by scripts/fixtures/make_lcb_fixture.py with CPython's
// own pickle and zlib; expected_private.json holds what each record must decode to.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { detectFormat, loadDataset, loadReferenceSolutions } from '../../src/data';

const HUMANEVAL = join(__dirname, '../fixtures/humaneval/humaneval_sample.jsonl');
const LCB = join(__dirname, '../fixtures/lcb/lcb_sample.jsonl');
const LCB_EXPECTED = join(__dirname, '../fixtures/lcb/expected_private.json');
const REGENERATE = 'regenerate with: python3 scripts/fixtures/make_lcb_fixture.py';

describe('HumanEval loader', () => {
  test('maps task_id, prompt, test and entry_point; the prompt is code that a completion continues; `test` is the one private test', async () => {
    const entries = await loadDataset(HUMANEVAL);
    assert.equal(entries.length, 3);
    const [p] = entries.map((e) => e.problem);
    assert.equal(p.id, 'HumanEval/0');
    assert.equal(p.style, 'assert');
    assert.equal(p.entry_point, 'sum_positive');
    assert.equal(p.prompt_is_code, true);
    assert.ok(p.prompt.startsWith('from typing import List\n\n\ndef sum_positive('));
    assert.equal(p.test_code, '');
    assert.deepEqual(p.public_tests, [], 'the docstring examples are what the model is shown');
    assert.equal(p.private_tests.length, 1);
    assert.ok(p.private_tests[0].input.includes("METADATA = {\n    'author': 'mars2'"));
    assert.ok(p.private_tests[0].input.includes('def check(candidate):\n    assert candidate([1, -2, 3]) == 4\n'));
    assert.equal(p.private_tests[0].output, '');
    assert.equal(entries[0].sourceId, 'HumanEval/0');
  });

  test('the reference is prompt + canonical_solution', async () => {
    const refs = await loadReferenceSolutions(HUMANEVAL);
    assert.equal(refs.length, 3);
    assert.equal(refs[1].problemId, 'HumanEval/1');
    assert.ok(refs[1].code.endsWith("    'HI!'\n    \"\"\"\n    return text.upper() + '!'\n"));
  });

  test('a gzip file is read the same way (detected by its magic bytes, whatever its name)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mars2-data-'));
    const gz = join(dir, 'HumanEval.jsonl.gz');
    const disguised = join(dir, 'HumanEval.jsonl');
    writeFileSync(gz, gzipSync(readFileSync(HUMANEVAL)));
    writeFileSync(disguised, gzipSync(readFileSync(HUMANEVAL)));
    const plain = await loadDataset(HUMANEVAL);
    assert.equal(await detectFormat(gz), 'humaneval');
    assert.deepEqual((await loadDataset(gz)).map((e) => e.problem), plain.map((e) => e.problem));
    assert.deepEqual((await loadDataset(disguised)).map((e) => e.problem), plain.map((e) => e.problem));
  });
});

describe('LiveCodeBench loader', () => {
  test('decodes every private test field (JSON, and pickle protocols 0, 2, 4, 5 under zlib+base64) as CPython wrote it', async () => {
    const expected = JSON.parse(readFileSync(LCB_EXPECTED, 'utf8')) as Record<string, { input: string; output: string }[]>;
    const entries = await loadDataset(LCB);
    assert.equal(entries.length, 5);
    for (const e of entries) {
      const want = expected[e.sourceId].map(({ input, output }) => ({ input, output }));
      assert.deepEqual(e.problem.private_tests, want, `${e.problem.id}: private tests differ from the fixture; ${REGENERATE}`);
    }
  });

  test('a stdin problem is stdio style with the token checker and LiveCodeBench\'s import prelude', async () => {
    const [sum] = (await loadDataset(LCB)).map((e) => e.problem);
    assert.equal(sum.id, 'lcb/abc900_a');
    assert.equal(sum.style, 'stdio');
    assert.deepEqual(sum.public_tests, [{ input: '3\n1 2 3\n', output: '6\n' }]);
    assert.deepEqual(sum.checker, { kind: 'tokens' });
    assert.equal(sum.prompt, 'Read N, then N integers. Print their sum.\n');
    assert.ok(sum.prelude?.startsWith('from string import *\nfrom re import *\n'));
    assert.ok(sum.prelude?.endsWith('import json\nsys.setrecursionlimit(50000)\n'));
  });

  test('a functional LeetCode problem is call style with fn_name Solution().<func_name> and the starter code in the prompt', async () => {
    const p = (await loadDataset(LCB)).find((e) => e.sourceId === '9001')?.problem;
    assert.ok(p);
    assert.equal(p.style, 'call');
    assert.equal(p.fn_name, 'Solution().twoSumSorted');
    assert.deepEqual(p.public_tests, [{ input: '[2,7,11,15]\n9', output: '[0, 1]' }]);
    assert.equal(p.private_tests.length, 38);
    assert.ok(p.prompt.includes('```python\nclass Solution:\n    def twoSumSorted(self, nums: List[int], target: int) -> List[int]:\n```'));
  });

  test('non-ASCII and backslashes survive protocol 0 (raw-unicode-escape) and protocol 2 (UTF-8)', async () => {
    const entries = await loadDataset(LCB);
    const echo = entries.find((e) => e.sourceId === '2000A')?.problem;
    const upper = entries.find((e) => e.sourceId === 'abc900_b')?.problem;
    assert.equal(echo?.private_tests[0].input, 'a\\b \u03bb \u{1F600}\n');
    assert.equal(upper?.private_tests[0].output, 'ÜNÏCODE\n');
  });

  test('LiveCodeBench carries no reference solutions', async () => {
    assert.deepEqual(await loadReferenceSolutions(LCB), []);
  });
});
