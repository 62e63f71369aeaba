// Bad dataset records: every error is a DatasetError naming the file, the line (or JSON-array item) and the
// field, with a message saying what was expected and what was found.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { DatasetError, loadDataset, type DatasetFormat } from '../../src/data';

const dir = mkdtempSync(join(tmpdir(), 'mars2-bad-'));
let n = 0;

function file(lines: (string | object)[], ext = 'jsonl'): string {
  const path = join(dir, `bad${n++}.${ext}`);
  writeFileSync(path, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n');
  return path;
}

async function expectError(
  path: string,
  want: { line?: number; item?: number; field?: string; message: RegExp },
  format?: DatasetFormat,
): Promise<void> {
  await assert.rejects(loadDataset(path, { format }), (err: unknown) => {
    assert.ok(err instanceof DatasetError, `expected a DatasetError, got ${String(err)}`);
    assert.equal(err.file, path);
    assert.equal(err.line, want.line);
    assert.equal(err.item, want.item);
    assert.equal(err.field, want.field);
    assert.ok(err.message.startsWith(path), err.message);
    if (want.field) assert.ok(err.message.includes(`field '${want.field}'`), err.message);
    assert.match(err.message, want.message);
    return true;
  });
}

const mbpp = (task_id: number, extra: object = {}) => ({
  text: 'Write a function.',
  code: 'def f(): return 1',
  task_id,
  test_setup_code: '',
  test_list: ['assert f() == 1'],
  challenge_test_list: [],
  ...extra,
});

const lcb = (extra: object = {}) => ({
  question_title: 't',
  question_content: 'Print 1.',
  platform: 'atcoder',
  question_id: 'abc1_a',
  contest_id: 'abc1',
  contest_date: '2024-01-01T00:00:00',
  starter_code: '',
  difficulty: 'easy',
  public_test_cases: JSON.stringify([{ input: '', output: '1\n', testtype: 'stdin' }]),
  private_test_cases: '[]',
  metadata: '{}',
  ...extra,
});

describe('bad records', () => {
  test('invalid JSON names the line', async () => {
    await expectError(file([mbpp(1), mbpp(2), '{"text": "oops",']), { line: 3, message: /not valid JSON/ });
  });

  test('a line that is JSON but not an object', async () => {
    await expectError(file([mbpp(1), '[1, 2]']), { line: 2, message: /expected a JSON object, found an array of 2/ });
  });

  test('blank lines are skipped but still counted', async () => {
    await expectError(file([mbpp(1), '', mbpp(3, { test_list: ['assert f() == 1', 7] })]), {
      line: 3,
      field: 'test_list[1]',
      message: /expected a string, found number 7/,
    });
  });

  test('MBPP with an empty test_list', async () => {
    await expectError(file([mbpp(1, { test_list: [] })]), { line: 1, field: 'test_list', message: /at least one assert/ });
  });

  test('a sanitized-MBPP array item without code names the item', async () => {
    const items = [
      { task_id: 2, prompt: 'p', code: 'x = 1', test_imports: [], test_list: ['assert x == 1'] },
      { task_id: 3, prompt: 'p', test_imports: [], test_list: ['assert x == 1'] },
    ];
    await expectError(file([JSON.stringify(items)], 'json'), { item: 1, field: 'code', message: /found nothing \(field missing\)/ });
  });

  test('LeetCode without its test', async () => {
    const rec = {
      task_id: 'two-sum',
      problem_description: 'd',
      starter_code: 'class Solution: ...',
      prompt: 'from typing import *\n',
      completion: 'class Solution: ...',
      entry_point: 'Solution().twoSum',
      input_output: [],
    };
    await expectError(file([rec]), { line: 1, field: 'test', message: /expected a string/ });
  });

  test('LeetCode with an entry point that is not a method or function name', async () => {
    const rec = { task_id: 'x', problem_description: 'd', starter_code: '', prompt: '', test: 'def check(candidate):\n    assert 1\n', entry_point: 'os.system("x")', input_output: [] };
    await expectError(file([rec]), { line: 1, field: 'entry_point', message: /expected 'Solution\(\)\.method'/ });
  });

  test('LiveCodeBench private tests that are neither JSON nor the compressed form (zlib of plain bytes, not a pickle)', async () => {
    await expectError(file([lcb(), lcb({ question_id: 'abc1_b', private_test_cases: 'eJzLSM3JyQcABiwCFQ==' })]), {
      line: 2,
      field: 'private_test_cases',
      message: /neither JSON nor LiveCodeBench's compressed form.*unsupported pickle opcode/,
    });
  });

  test('LiveCodeBench test with an unknown testtype', async () => {
    const bad = lcb({ public_test_cases: JSON.stringify([{ input: '', output: '1', testtype: 'interactive' }]) });
    await expectError(file([bad]), { line: 1, field: 'public_test_cases[0].testtype', message: /expected 'stdin' or 'functional', found the string "interactive"/ });
  });

  test('LiveCodeBench functional problem without metadata.func_name', async () => {
    const bad = lcb({ public_test_cases: JSON.stringify([{ input: '1', output: '1', testtype: 'functional' }]) });
    await expectError(file([bad]), { line: 1, field: 'metadata.func_name', message: /need a function name, found nothing/ });
  });

  test('contest test whose output is not a string', async () => {
    const tests = [{ input: '1\n', output: '1\n' }, { input: '2\n', output: '2\n' }, { input: '3\n', output: 3 }];
    await expectError(file([{ problem_id: 'p1', description: 'Echo.', tests }]), { line: 1, field: 'tests[2].output', message: /found number 3/ });
  });

  test('native call-style problem without fn_name names the native field', async () => {
    const ok = { id: 'a', prompt: 'p', style: 'stdio', public_tests: [{ input: '', output: '1\n' }], private_tests: [] };
    const bad = { id: 'b', prompt: 'p', style: 'call', public_tests: [], private_tests: [{ input: '1', output: '1' }] };
    await expectError(file([ok, bad]), { line: 2, field: 'fn_name', message: /required when style is 'call'/ });
  });

  test("a native problem's reference must be a program (a string)", async () => {
    const bad = { id: 'b', prompt: 'p', style: 'stdio', public_tests: [{ input: '', output: '1\n' }], private_tests: [], reference: ['print(1)'] };
    await expectError(file([bad]), { line: 1, field: 'reference', message: /expected a string, found/ });
  });

  test('native problem with an unknown key', async () => {
    const bad = { id: 'b', prompt: 'p', style: 'stdio', public_tests: [{ input: '', output: '' }], private_tests: [], timeout: 3 };
    await expectError(file([bad]), { line: 1, field: '', message: /timeout/ });
  });

  test('a native problem with no tests at all is refused: zero tests is not AC', async () => {
    const bad = { id: 'b', prompt: 'p', style: 'assert', test_code: '', public_tests: [], private_tests: [] };
    await expectError(file([bad]), { line: 1, field: 'public_tests', message: /expected at least one test in public_tests or private_tests, found none/ });
  });

  test('LeetCode whose test has a line after check() that is not one assert names the line', async () => {
    const rec = {
      task_id: 'two-sum',
      problem_description: 'd',
      starter_code: 'class Solution: ...',
      prompt: 'from typing import *\n',
      entry_point: 'Solution().twoSum',
      test: 'def check(candidate):\n    assert candidate([1]) == 1\n    for x in []:\n        assert x\n',
      input_output: [],
    };
    await expectError(file([rec]), { line: 1, field: 'test', message: /expected one '    assert …' per line .*found "    for x in \[\]:" on line 3/ });
    await expectError(file([{ ...rec, test: 'import math\ndef check(candidate):\n    assert 1\n' }]), { line: 1, field: 'test', message: /expected 'def check\(candidate\):' on its first line/ });
  });

  test('a duplicate problem id points at the first one', async () => {
    const path = file([mbpp(5), mbpp(5)]);
    await expectError(path, { line: 2, message: new RegExp(`duplicate problem id 'mbpp/5' \\(first at ${path.replace(/[.]/g, '\\.')}:1\\)`) });
  });

  test('an unrecognisable first record lists the formats', async () => {
    await expectError(file([{ question: 'q', answer: 'a' }]), { line: 1, message: /cannot tell the dataset format.*humaneval, mbpp, leetcode, lcb, contest, native/ });
  });

  test('an explicit format that does not fit names the missing field', async () => {
    await expectError(file([mbpp(1)]), { line: 1, field: 'prompt', message: /expected a string/ }, 'humaneval');
  });

  test('a truncated gzip file', async () => {
    const path = join(dir, 'truncated.jsonl.gz');
    const whole = gzipSync(Buffer.from(Array.from({ length: 50 }, (_, i) => JSON.stringify(mbpp(i + 1))).join('\n')));
    writeFileSync(path, whole.subarray(0, whole.length - 20));
    await assert.rejects(loadDataset(path), (err: unknown) => {
      assert.ok(err instanceof DatasetError);
      assert.equal(err.file, path);
      assert.match(err.message, /cannot read the file \(unexpected end of file\)/);
      return true;
    });
  });

  test('a missing file', async () => {
    const path = join(dir, 'nope.jsonl');
    await expectError(path, { message: /cannot open the file \(ENOENT/ });
  });
});
