// Tree-consistent reward shaping and the overlong penalty (src/rl/shaping.ts): a worked example by hand,
// every case of the baseline, and the edge cases.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { overlongPenalty, shapeTreeRewards, shapingBaselines, type ShapingNode } from '../../src/rl/shaping';
import { assertAllClose } from './helpers';

//          root
//        /      \
//     0 (r=1)   1 (r=0)
//     /    \        \
//  2 (r=0) 3 (r=1)  4 (r=1)
const tree: ShapingNode[] = [
  { nodeId: 0, parentId: null, score: 1 },
  { nodeId: 1, parentId: null, score: 0 },
  { nodeId: 2, parentId: 0, score: 0 },
  { nodeId: 3, parentId: 0, score: 1 },
  { nodeId: 4, parentId: 1, score: 1 },
];

describe('tree-consistent shaping', () => {
  test('worked example, γ = λ = 0.5', () => {
    // node 0: root child, sibling mean {1} = 0       → b = 0,                 Δ = 1,  r̂ = 1 + 0.5 = 1.5
    // node 1: root child, sibling mean {0} = 1       → b = 1,                 Δ = −1, r̂ = −0.5
    // node 2: parent r = 1, sibling mean {3} = 1     → b = 0.5·1 + 0.5·1 = 1, Δ = −1, r̂ = −0.5
    // node 3: parent r = 1, sibling mean {2} = 0     → b = 0.5·1 + 0.5·0 = 0.5, Δ = 0.5, r̂ = 1.25
    // node 4: parent r = 0, no siblings              → b = 0,                 Δ = 1,  r̂ = 1.5
    assert.deepEqual(shapingBaselines(tree, 0.5), [0, 1, 1, 0.5, 0]);
    assert.deepEqual(shapeTreeRewards(tree, { gamma: 0.5, lambda: 0.5 }), [1.5, -0.5, -0.5, 1.25, 1.5]);
  });

  test('λ = 0 compares with the parent only, λ = 1 with the siblings only', () => {
    assert.deepEqual(shapingBaselines(tree, 0), [0, 1, 1, 1, 0]);
    assert.deepEqual(shapingBaselines(tree, 1), [0, 1, 1, 0, 0]);
  });

  test('siblings created after a node count in its leave-one-out mean', () => {
    const nodes: ShapingNode[] = [
      { nodeId: 0, parentId: null, score: 0 },
      { nodeId: 1, parentId: null, score: 1 },
      { nodeId: 2, parentId: null, score: 1 },
    ];
    assert.deepEqual(shapingBaselines(nodes, 0.5), [1, 0.5, 0.5]);
  });

  test('the parent term reads the raw parent score, not its shaped reward', () => {
    // node 0's shaped reward is 1.5, but node 4's sibling-free baseline is its parent's raw score
    const chain: ShapingNode[] = [
      { nodeId: 0, parentId: null, score: 1 },
      { nodeId: 1, parentId: null, score: 0 },
      { nodeId: 2, parentId: 0, score: 0 },
    ];
    assert.deepEqual(shapingBaselines(chain, 0.5), [0, 1, 1]);
    assert.deepEqual(shapeTreeRewards(chain, { gamma: 0.5, lambda: 0.5 }), [1.5, -0.5, -0.5]);
  });

  test('a single-node tree is not shaped', () => {
    const single: ShapingNode[] = [{ nodeId: 7, parentId: null, score: 1 }];
    assert.deepEqual(shapingBaselines(single, 0.5), [null]);
    assert.deepEqual(shapeTreeRewards(single, { gamma: 0.5, lambda: 0.5 }), [1]);
  });

  test('input order does not matter', () => {
    const reversed = [...tree].reverse();
    const shaped = shapeTreeRewards(reversed, { gamma: 0.3, lambda: 0.7 });
    assertAllClose([...shaped].reverse(), shapeTreeRewards(tree, { gamma: 0.3, lambda: 0.7 }), 1e-15);
  });

  test('γ = 0 leaves the rewards as they are', () => {
    assert.deepEqual(shapeTreeRewards(tree, { gamma: 0, lambda: 0.5 }), [1, 0, 0, 1, 1]);
  });

  test('a dangling parent, a duplicate id and a bad λ are errors that say what was expected', () => {
    assert.throws(
      () => shapeTreeRewards([{ nodeId: 0, parentId: 5, score: 1 }], { gamma: 0.5, lambda: 0.5 }),
      /node 0 names parent 5, which is not a node of this tree/,
    );
    assert.throws(
      () => shapingBaselines([...tree, { nodeId: 3, parentId: null, score: 0 }], 0.5),
      /nodeId 3 appears twice/,
    );
    assert.throws(() => shapeTreeRewards(tree, { gamma: 0.5, lambda: 2 }), /lambda in \[0, 1\]/);
  });
});

describe('overlong penalty', () => {
  const config = { maxResponseTokens: 100, bufferTokens: 20, penaltyFactor: 1 };
  test('zero up to L_exp, linear over the buffer, capped at the factor', () => {
    // L_exp = 100 − 20 = 80
    assert.equal(overlongPenalty(10, config), 0);
    assert.equal(overlongPenalty(80, config), 0);
    assert.equal(overlongPenalty(90, config), -0.5);
    assert.equal(overlongPenalty(100, config), -1);
    assert.equal(overlongPenalty(150, config), -1);
    assert.equal(overlongPenalty(90, { ...config, penaltyFactor: 0.5 }), -0.25);
  });

  test('MARTI defaults: 32768 tokens with a 2048 buffer', () => {
    const marti = { maxResponseTokens: 32768, bufferTokens: 2048, penaltyFactor: 1 };
    assert.equal(overlongPenalty(30720, marti), 0);
    assert.equal(overlongPenalty(30720 + 512, marti), -0.25);
  });

  test('a buffer longer than the budget is an error', () => {
    assert.throws(() => overlongPenalty(1, { maxResponseTokens: 10, bufferTokens: 20, penaltyFactor: 1 }), /bufferTokens/);
  });
});
