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

  test('task 11: prompt shows the text and the asserts; test_code is the three asserts; challenge tests unused', async () => {
    const e = byId(await loadDataset(MBPP), 'mbpp/11');
    assert.equal(e.sourceId, '11');
    assert.equal(
      e.problem.prompt,
      'Write a python function to remove first and last occurrence of a given character from the string.\n' +
        'Your code should pass these tests:\n\n' +
        'assert remove_Occ("hello","l") == "heo"\nassert remove_Occ("abcda","a") == "bcd"\nassert remove_Occ("PHP","P") == "H"\n',
    );
    assert.equal(
      e.problem.test_code,
      'assert remove_Occ("hello","l") == "heo"\nassert remove_Occ("abcda","a") == "bcd"\nassert remove_Occ("PHP","P") == "H"\n',
    );
    assert.ok(!e.problem.test_code?.includes('hellolloll'));
    assert.ok(e.reference?.code.startsWith('def remove_Occ(s,ch): \n'));
    assert.deepEqual(e.problem.checker, { kind: 'exact' });
    assert.equal(e.problem.time_limit_s, 6);
  });

  test('task 367: test_setup_code (CRLF turned into LF) comes before the asserts', async () => {
    const e = byId(await loadDataset(MBPP), 'mbpp/367');
    assert.ok(e.problem.test_code?.startsWith('root = Node(1) \nroot.left = Node(2) \n'));
    assert.ok(!e.problem.test_code?.includes('\r'));
    assert.match(e.problem.test_code ?? '', /\nassert [^\n]+\nassert [^\n]+\nassert [^\n]+\n$/);
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

  test('task 82: the test imports come before the asserts', async () => {
    const e = byId(await loadDataset(MBPP_SANITIZED), 'mbpp/82');
    assert.ok(e.problem.test_code?.startsWith('import math\nassert '));
    assert.ok(e.problem.prompt.includes('Your code should pass these tests:'));
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

  test('shortest-distance-after-road-addition-queries-i is mapped field by field', async () => {
    const e = byId(await loadDataset(LEETCODE), 'leetcode/shortest-distance-after-road-addition-queries-i');
    assert.equal(e.sourceId, 'shortest-distance-after-road-addition-queries-i');
    assert.equal(e.problem.entry_point, 'Solution().shortestDistanceAfterQueries');
    assert.ok(e.problem.test_code?.startsWith('def check(candidate):\n    assert candidate(n = 7,queries = [[0, 5], [1, 6], [2, 4]]) == [2, 2, 2]\n'));
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
