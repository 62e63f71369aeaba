// Per-agent buffers and the asynchronous trigger rule (src/rl/buffers.ts): the rule by example, purity,
// JSON round trips, and the remainder options.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { addRollout, bufferThreshold, initBuffers, type BufferConfig, type BufferedSample } from '../../src/rl/buffers';

const config: BufferConfig = { rolloutBatchSize: 4, trainBatchSize: 2, remainder: 'drop' };
let counter = 0;
const samples = (agent: string, n: number): BufferedSample[] =>
  Array.from({ length: n }, () => {
    counter += 1;
    return { agent, treeId: `t${counter}`, nodeId: 0, advantage: 0.5, ref: `sha256:${counter}` };
  });

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

describe('trigger rule', () => {
  test('threshold is max(rolloutBatchSize, trainBatchSize)', () => {
    assert.equal(bufferThreshold(config), 4);
    assert.equal(bufferThreshold({ ...config, trainBatchSize: 8 }), 8);
    assert.throws(() => bufferThreshold({ ...config, trainBatchSize: 0 }), /positive integer batch sizes/);
  });

  test('agents fire independently; an agent below the threshold waits; leftovers are dropped', () => {
    let state = initBuffers(['qwen', 'areal']);
    const round1 = [...samples('qwen', 3), ...samples('areal', 5)];
    const r1 = addRollout(state, round1, config);
    // areal reached 5 ≥ 4: trains on the first 4, the fifth is dropped; qwen holds 3 and skips
    assert.equal(r1.updates.length, 1);
    assert.equal(r1.updates[0].agent, 'areal');
    assert.equal(r1.updates[0].step, 1);
    assert.deepEqual(r1.updates[0].samples, round1.slice(3, 7));
    assert.equal(r1.updates[0].dropped, 1);
    assert.deepEqual(r1.state.agents.map((b) => [b.agent, b.samples.length, b.updates]), [
      ['qwen', 3, 0],
      ['areal', 0, 1],
    ]);
    state = r1.state;

    const round2 = [...samples('qwen', 6), ...samples('areal', 1)];
    const r2 = addRollout(state, round2, config);
    // qwen: 3 + 6 = 9 → two whole batches (8 samples, oldest first), 1 dropped
    assert.deepEqual(r2.updates.map((u) => [u.agent, u.step, u.samples.length, u.dropped]), [['qwen', 1, 8, 1]]);
    assert.deepEqual(r2.updates[0].samples, [...round1.slice(0, 3), ...round2.slice(0, 5)]);
    assert.deepEqual(r2.state.agents.map((b) => [b.agent, b.samples.length, b.updates]), [
      ['qwen', 0, 1],
      ['areal', 1, 1],
    ]);
  });

  test("remainder 'keep' carries the leftovers into the next round", () => {
    const round = samples('qwen', 6);
    const r = addRollout(initBuffers(['qwen']), round, { ...config, remainder: 'keep' });
    assert.deepEqual(r.updates.map((u) => [u.samples.length, u.dropped]), [[4, 0]]);
    assert.deepEqual(r.state.agents[0].samples, round.slice(4));
  });

  test('a round with nothing for an agent leaves its buffer as it was', () => {
    const r = addRollout(initBuffers(['qwen', 'areal']), [], config);
    assert.deepEqual(r.updates, []);
    assert.deepEqual(r.state, initBuffers(['qwen', 'areal']));
  });
});

describe('state machine', () => {
  test('pure: the input state and samples are not modified', () => {
    const state = deepFreeze(addRollout(initBuffers(['qwen', 'areal']), samples('qwen', 2), config).state);
    const round = deepFreeze(samples('qwen', 5));
    assert.doesNotThrow(() => addRollout(state, round, config));
    assert.equal(state.agents[0].samples.length, 2);
  });

  test('the state survives a JSON round trip, and continuing from it gives the same result', () => {
    const agents = ['qwen', 'areal', 'deepcoder'];
    const rounds = [0, 1, 2, 3, 4].map((k) => agents.flatMap((a, i) => samples(a, (k * 3 + i * 2) % 5)));
    let direct = initBuffers(agents);
    let revived = initBuffers(agents);
    for (const round of rounds) {
      const a = addRollout(direct, round, config);
      const b = addRollout(JSON.parse(JSON.stringify(revived)) as typeof revived, round, config);
      assert.deepEqual(b.updates, a.updates);
      direct = a.state;
      revived = b.state;
    }
    assert.deepEqual(revived, direct);
    assert.ok(direct.agents.some((b) => b.updates > 0), 'some agent trained');
  });

  test('every sample is either trained on, dropped, or still buffered', () => {
    let state = initBuffers(['qwen', 'areal']);
    let trained = 0;
    let dropped = 0;
    let total = 0;
    for (let k = 0; k < 7; k++) {
      const round = [...samples('qwen', k % 4), ...samples('areal', (2 * k) % 7)];
      total += round.length;
      const r = addRollout(state, round, config);
      for (const u of r.updates) {
        assert.equal(u.samples.length % 4, 0);
        trained += u.samples.length;
        dropped += u.dropped;
      }
      state = r.state;
    }
    const held = state.agents.reduce((s, b) => s + b.samples.length, 0);
    assert.equal(trained + dropped + held, total);
  });

  test('an unknown agent and duplicate agent names are errors that list what is known', () => {
    assert.throws(() => addRollout(initBuffers(['qwen']), samples('gpt', 1), config), /agent "gpt", which has no buffer; known agents: \["qwen"\]/);
    assert.throws(() => initBuffers(['qwen', 'qwen']), /distinct agent names/);
  });
});
