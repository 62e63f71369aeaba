// The loaders on the real datasets in ../shared/data: counts match each SOURCE.md, and fields land where the
// native form (DESIGN §6.1) wants them on hand-checked problems.
import { SHARED_DATA } from '../helpers/data';
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { detectFormat, loadDataset, loadReferenceSolutions, type DatasetEntry } from '../../src/data';

const DATA = SHARED_DATA;
const MBPP = `${DATA}/mbpp/mbpp.jsonl`;
const MBPP_SANITIZED = `${DATA}/mbpp/sanitized-mbpp.json`;
const LEETCODE = `${DATA}/leetcodedataset_v0.3.1_test/LeetCodeDataset-v0.3.1-test.jsonl.gz`;
const CONTESTS = `${DATA}/codecontests_subset300/codecontests_subset300.jsonl`;

function byId(entries: DatasetEntry[], id: string): DatasetEntry {
  const e = entries.find((x) => x.problem.id === id);
  assert.ok(e, `problem ${id} is missing`);
  return e;
}

describe('format detection on the shared data', () => {
  test('each file is recognised', async () => {
    assert.equal(await detectFormat(MBPP), 'mbpp');
    assert.equal(await detectFormat(MBPP_SANITIZED), 'mbpp');
    assert.equal(await detectFormat(LEETCODE), 'leetcode');
    assert.equal(await detectFormat(CONTESTS), 'contest');
  });
});

describe('MBPP mbpp.jsonl', () => {
  test('974 assert-style problems, task ids 1–974, every reference expected to pass', async () => {
    const entries = await loadDataset(MBPP);
    assert.equal(entries.length, 974);
    assert.deepEqual(
      entries.map((e) => e.problem.id),
      Array.from({ length: 974 }, (_, i) => `mbpp/${i + 1}`),
    );
    assert.ok(entries.every((e) => e.problem.style === 'assert' && e.problem.entry_point === undefined));
    const refs = await loadReferenceSolutions(MBPP);
    assert.equal(refs.length, 974);
    assert.ok(refs.every((r) => r.expectedToPass && !r.code.includes('\r')));
  });

  test('task 11: the prompt shows the text and the public assert only; the other two are private; challenge tests unused', async () => {
    const e = byId(await loadDataset(MBPP), 'mbpp/11');
    assert.equal(e.sourceId, '11');
    assert.equal(
      e.problem.prompt,
      'Write a python function to remove first and last occurrence of a given character from the string.\n' +
        'Your code should pass this test:\n\n' +
        'assert remove_Occ("hello","l") == "heo"\n',
    );
    assert.equal(e.problem.test_code, '');
    assert.deepEqual(e.problem.public_tests, [{ input: 'assert remove_Occ("hello","l") == "heo"\n', output: '' }]);
    assert.deepEqual(e.problem.private_tests, [
      { input: 'assert remove_Occ("abcda","a") == "bcd"\n', output: '' },
      { input: 'assert remove_Occ("PHP","P") == "H"\n', output: '' },
    ]);
    for (const t of e.problem.private_tests) assert.ok(!e.problem.prompt.includes(t.input.trim()), 'no private assert in the prompt');
    assert.ok(!JSON.stringify(e.problem).includes('hellolloll'));
    assert.ok(e.reference?.code.startsWith('def remove_Occ(s,ch): \n'));
    assert.deepEqual(e.problem.checker, { kind: 'exact' });
    assert.equal(e.problem.time_limit_s, 6);
  });

  test('every task: one public assert, two private, and no private assert in its prompt (unless it repeats the public one)', async () => {
    const repeats: string[] = [];
    for (const { problem: p } of await loadDataset(MBPP)) {
      assert.equal(p.public_tests.length, 1, p.id);
      assert.equal(p.private_tests.length, 2, p.id);
      for (const t of p.private_tests) {
        if (t.input === p.public_tests[0].input) repeats.push(p.id);
        else assert.ok(!p.prompt.includes(t.input.trim()), `${p.id}: a private assert is in the prompt`);
      }
    }
    assert.equal(new Set(repeats).size, 5, 'test_list repeats its first assert in 5 tasks (mbpp/37 …)');
  });

  test('task 367: test_setup_code (CRLF turned into LF) is the set-up run before each assert', async () => {
    const e = byId(await loadDataset(MBPP), 'mbpp/367');
    assert.ok(e.problem.test_code?.startsWith('root = Node(1) \nroot.left = Node(2) \n'));
    assert.ok(e.problem.test_code?.endsWith('\n'));
    assert.ok(!e.problem.test_code?.includes('\r'));
    assert.ok(!e.problem.test_code?.includes('assert '));
    assert.match(e.problem.public_tests[0].input, /^assert [^\n]+\n$/);
  });
});

describe('MBPP sanitized-mbpp.json', () => {
  test('427 problems, ids shared with mbpp.jsonl, every reference expected to pass', async () => {
    const entries = await loadDataset(MBPP_SANITIZED);
    assert.equal(entries.length, 427);
    assert.equal(entries[0].problem.id, 'mbpp/2');
    assert.equal(entries[0].where.item, 0);
    assert.equal((await loadReferenceSolutions(MBPP_SANITIZED)).length, 427);
  });

  test('task 82: the test imports are the set-up; the first assert public, the others private', async () => {
    const e = byId(await loadDataset(MBPP_SANITIZED), 'mbpp/82');
    assert.equal(e.problem.test_code, 'import math\n');
    assert.ok(e.problem.prompt.includes(`Your code should pass this test:\n\n${e.problem.public_tests[0].input}`));
    assert.equal(e.problem.public_tests.length, 1);
    assert.equal(e.problem.private_tests.length, 2);
  });
});

describe('LeetCodeDataset v0.3.1 test', () => {
  test('228 problems with 228 references, all assert style with the LeetCode preamble as prelude', async () => {
    const entries = await loadDataset(LEETCODE);
    assert.equal(entries.length, 228);
    assert.ok(entries.every((e) => e.problem.style === 'assert' && e.problem.prelude?.includes('from typing import *')));
    assert.ok(entries.every((e) => /^Solution\(\)\.\w+$/.test(e.problem.entry_point ?? '')));
    const refs = await loadReferenceSolutions(LEETCODE);
    assert.equal(refs.length, 228);
  });

  test('every test splits into a public check() of its first assert and a private check() of the rest (227 problems; one has a single assert)', async () => {
    const entries = await loadDataset(LEETCODE);
    assert.ok(entries.every((e) => e.problem.public_tests.length === 1 && e.problem.public_tests[0].input.split('\n').filter(Boolean).length === 2));
    assert.equal(entries.filter((e) => e.problem.private_tests.length === 1).length, 227);
    assert.equal(entries.filter((e) => e.problem.private_tests.length === 0).length, 1);
    for (const { problem: p } of entries) {
      for (const t of [...p.public_tests, ...p.private_tests]) assert.match(t.input, /^def check\(candidate\):\n( {4}assert [^\n]*\n)+$/, p.id);
    }
  });

  test('shortest-distance-after-road-addition-queries-i is mapped field by field', async () => {
    const e = byId(await loadDataset(LEETCODE), 'leetcode/shortest-distance-after-road-addition-queries-i');
    assert.equal(e.sourceId, 'shortest-distance-after-road-addition-queries-i');
    assert.equal(e.problem.entry_point, 'Solution().shortestDistanceAfterQueries');
    assert.equal(e.problem.test_code, '');
    assert.deepEqual(e.problem.public_tests, [{ input: 'def check(candidate):\n    assert candidate(n = 7,queries = [[0, 5], [1, 6], [2, 4]]) == [2, 2, 2]\n', output: '' }]);
    assert.equal(e.problem.private_tests.length, 1, 'the remaining asserts are one test');
    assert.ok(e.problem.private_tests[0].input.startsWith('def check(candidate):\n    assert candidate(n = 8,queries = [[1, 5], [2, 6], [3, 7], [0, 4], [0, 6], [0, 7]]) == [4, 4, 4, 4, 2, 1]\n'));
    assert.ok(e.problem.prompt.startsWith('You are given an integer n and a 2D integer array queries.\n'));
    assert.ok(e.problem.prompt.includes('```python\nclass Solution:\n    def shortestDistanceAfterQueries(self, n: int, queries: List[List[int]]) -> List[int]:\n```'));
    assert.ok(e.problem.prelude?.startsWith('import random\n'));
    assert.ok(e.problem.prelude?.includes('def tree_node(values: list):'));
    assert.ok(e.reference?.code.startsWith('class Solution:\n    def shortestDistanceAfterQueries('));
    assert.equal(e.problem.time_limit_s, 60);
  });
});

describe('CodeContests subset (contest stdin/stdout)', () => {
  test('300 stdio problems with 10 tests each (one with 9); 261 references expected to pass', async () => {
    const entries = await loadDataset(CONTESTS);
    assert.equal(entries.length, 300);
    assert.ok(entries.every((e) => e.problem.style === 'stdio'));
    const testCounts = entries.map((e) => e.problem.public_tests.length + e.problem.private_tests.length);
    assert.equal(testCounts.reduce((a, b) => a + b, 0), 2999);
    assert.ok(entries.every((e) => e.problem.public_tests.length >= 1));
    const refs = await loadReferenceSolutions(CONTESTS);
    assert.equal(refs.length, 300);
    assert.equal(refs.filter((r) => r.expectedToPass).length, 261);
  });

  test('checkers follow ref_check.weakest_compare_needed: 23 float, 4 tokens among the passing 261', async () => {
    const entries = (await loadDataset(CONTESTS)).filter((e) => e.reference?.expectedToPass);
    const kinds = entries.map((e) => e.problem.checker.kind);
    assert.equal(kinds.filter((k) => k === 'float').length, 23);
    assert.equal(kinds.filter((k) => k === 'tokens').length, 4);
    assert.equal(kinds.filter((k) => k === 'exact').length, 234);
    assert.deepEqual(byId(entries, 'cc/1086_B').problem.checker, { kind: 'float', abs: 1e-6, rel: 1e-6 });
  });

  test('1041_E: the three statement examples are the public tests, the rest private; the prompt drops the tag sections', async () => {
    const e = byId(await loadDataset(CONTESTS), 'cc/1041_E');
    assert.equal(e.sourceId, '1041_e_tree_reconstruction_8858');
    assert.deepEqual(
      e.problem.public_tests.map((t) => t.input),
      ['3\n1 2\n2 3\n', '4\n3 4\n1 4\n3 4\n', '3\n1 3\n1 3\n'],
    );
    assert.equal(e.problem.private_tests.length, 7);
    assert.equal(e.problem.public_tests[1].output, 'YES\n1 3\n3 2\n2 4\n');
    assert.ok(e.problem.prompt.startsWith('Monocarp has drawn a tree'));
    assert.ok(e.problem.prompt.includes('\nExamples\n'));
    assert.ok(!e.problem.prompt.includes('## Categories') && !e.problem.prompt.includes('## Source'));
    assert.equal(e.reference?.expectedToPass, false);
    assert.equal(e.problem.time_limit_s, 6);
  });

  test('slow references get a longer time limit (1.5 × the measured max_seconds)', async () => {
    const limits = (await loadDataset(CONTESTS)).map((e) => e.problem.time_limit_s);
    assert.equal(Math.max(...limits), Math.ceil(1.5 * 38.42));
    assert.ok(limits.every((s) => s >= 6));
  });
});
