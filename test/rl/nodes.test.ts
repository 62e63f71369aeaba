// nodeScore (the reward a node gets from its test results, per rewards.tests) and toEvalNodes (the form
// the evaluation metrics read), on hand-made verdict summaries.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { NodeSummary, VerdictSummary } from '../../src/contracts';
import { nodeScore, toEvalNodes } from '../../src/rl/nodes';

const pass: VerdictSummary = { verdict: 'AC', passed: 2, total: 2 };
const fail: VerdictSummary = { verdict: 'WA', passed: 1, total: 2 };

describe('nodeScore', () => {
  test("'public', 'private' and 'all' count their sets: passing what was shown is not enough for 'all'", () => {
    assert.equal(nodeScore('public', pass, fail), 1);
    assert.equal(nodeScore('private', pass, fail), 0);
    assert.equal(nodeScore('all', pass, fail), 0);
    assert.equal(nodeScore('all', pass, pass), 1);
    assert.equal(nodeScore('all', fail, pass), 0);
    assert.equal(nodeScore('private', fail, pass), 1);
  });

  test("'all' on a problem without public tests (HumanEval) is its private result", () => {
    assert.equal(nodeScore('all', undefined, pass), 1);
    assert.equal(nodeScore('all', undefined, fail), 0);
  });

  test('no reward given (evaluation and solve trees): the public tests decide, 0 without any', () => {
    assert.equal(nodeScore(undefined, pass, fail), 1);
    assert.equal(nodeScore(undefined, fail, pass), 0);
    assert.equal(nodeScore(undefined, undefined, pass), 0);
  });

  test('a reward with no result to count throws, naming the set', () => {
    assert.throws(() => nodeScore('public', undefined, pass), /reward 'public' counts the public tests, and the node has no result for them/);
    assert.throws(() => nodeScore('private', pass, undefined), /reward 'private'/);
    assert.throws(() => nodeScore('all', undefined, undefined), /reward 'all'/);
  });
});

describe('toEvalNodes', () => {
  const node = (nodeId: number, score: number, publicTests?: VerdictSummary, privateTests?: VerdictSummary): NodeSummary => ({
    treeId: 't',
    nodeId,
    parentId: null,
    depth: 1,
    agent: 'a',
    policyVersion: 0,
    score,
    responseTokens: 1,
    truncated: false,
    ...(publicTests && { publicTests }),
    ...(privateTests && { privateTests }),
    refs: { generation: 'sha256:x' as NodeSummary['refs']['generation'] },
  });

  test('creation order, the score as public score, the private result, and both tallies', () => {
    assert.deepEqual(toEvalNodes([node(1, 0, fail, pass), node(0, 1, pass, fail)]), [
      { agent: 'a', publicScore: 1, privateScore: 0, publicTests: { passed: 2, total: 2 }, privateTests: { passed: 1, total: 2 } },
      { agent: 'a', publicScore: 0, privateScore: 1, publicTests: { passed: 1, total: 2 }, privateTests: { passed: 2, total: 2 } },
    ]);
  });

  test('a problem without private tests scores 0; one without public tests has no public tally', () => {
    assert.deepEqual(toEvalNodes([node(0, 1, pass)]), [{ agent: 'a', publicScore: 1, privateScore: 0, publicTests: { passed: 2, total: 2 } }]);
    assert.deepEqual(toEvalNodes([node(0, 0, undefined, pass)]), [{ agent: 'a', publicScore: 0, privateScore: 1, privateTests: { passed: 2, total: 2 } }]);
  });
});
