// Reference policy losses (src/rl/loss.ts): worked examples checked by hand, central finite differences
// in float64 for every gradient, masking properties, and the named edge cases.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  clippedSurrogate,
  defaultPolicyLossConfig,
  grpoLoss,
  gspoLoss,
  k3,
  type PolicyLossConfig,
  type PolicyLossResult,
  type SequenceInput,
} from '../../src/rl/loss';
import { assertAllClose, assertClose, rng } from './helpers';

type LossFn = (batch: readonly SequenceInput[], config: PolicyLossConfig) => PolicyLossResult;
const losses: [string, LossFn][] = [
  ['gspo', gspoLoss],
  ['grpo', grpoLoss],
];

// The worked example: two action tokens and one masked position holding junk.
//   logp = [−1, −2, ·], rollout = [−1.1, −2.1, ·], old = [−1.0, −2.2, ·], ref = [−0.5, −2.5, ·], Â = 1, β = 0.1
const example: SequenceInput = {
  logp: [-1, -2, 99],
  oldLogp: [-1.0, -2.2, 0],
  rolloutLogp: [-1.1, -2.1, 0],
  refLogp: [-0.5, -2.5, 0],
  mask: [1, 1, 0],
  advantage: 1,
};
const exampleConfig: PolicyLossConfig = { ...defaultPolicyLossConfig, klCoef: 0.1 };

describe('worked examples', () => {
  test('GSPO + TIS + k3: loss, gradient and metrics by hand', () => {
    // s = exp(mean(ℓ − ℓ^roll)) = exp(0.1) = 1.10517 (inside [0.8, 1.2], so P = −s·Â)
    // w = [exp(0.1), exp(−0.1)] (both below 2), w̄ = cosh(0.1) = 1.0050042
    // policy = w̄·P = −1.1107014;  KL = mean(e^0.5 − 1.5, e^−0.5 − 0.5) = 0.1276260
    // loss = −1.1107014 + 0.1·0.1276260 = −1.0979388
    // ∂/∂ℓ_t = −w̄·s/2 + 0.1·(1 − e^{d_t})/2 with d = ref − logp = [0.5, −0.5]
    const r = gspoLoss([example], exampleConfig);
    assertClose(r.loss, -1.0979387825594467, 1e-14);
    assertClose(r.policyLoss, -1.1107013790800848, 1e-14);
    assertClose(r.klLoss, 0.1276259652063808, 1e-14);
    assertAllClose(r.dlogp[0], [-0.5877867530750488, -0.5356772225256741, 0], 1e-14);
    assertClose(r.perSequence[0].ratio, 1.1051709180756477, 1e-14);
    assert.equal(r.metrics.clipFraction, 0);
    assert.equal(r.metrics.tisVetoCount, 0);
    assertClose(r.metrics.tisWeightMean, 1.0050041680558035, 1e-14);
  });

  test('GRPO token level: the second token is clipped, its policy gradient is 0', () => {
    // r = exp(ℓ − ℓ^old) = [1, e^0.2 = 1.2214] → token 2 clipped to 1.2 (Â > 0, r > 1.2)
    // policy = (e^0.1·(−1) + e^−0.1·(−1.2))/2 = −1.0954879;  loss = policy + 0.1·0.1276260
    // ∂/∂ℓ_0 = −w_0·r_0/2 + 0.1·(1 − e^0.5)/2;  ∂/∂ℓ_1 = 0 + 0.1·(1 − e^−0.5)/2
    const r = grpoLoss([example], exampleConfig);
    assertClose(r.policyLoss, -1.0954879098593997, 1e-14);
    assertClose(r.loss, -1.0827253133387615, 1e-14);
    assertAllClose(r.dlogp[0], [-0.5850215225728302, 0.01967346701436833, 0], 1e-14);
    assertClose(r.perSequence[0].ratio, 1.1107013790800848, 1e-14);
    assert.equal(r.perSequence[0].clippedTokens, 1);
    assert.equal(r.metrics.clipFraction, 0.5);
  });

  test('clipped surrogate: which branch is active', () => {
    assert.deepEqual(clippedSurrogate(1.1, 2, 0.2, 0.2), { value: -2.2, dr: -2, clipped: false });
    // Â > 0 above 1 + ε: the clipped value 1.2·Â is smaller, so it is taken and the gradient is 0
    assert.deepEqual(clippedSurrogate(1.5, 2, 0.2, 0.2), { value: -2.4, dr: 0, clipped: true });
    // Â > 0 below 1 − ε: r·Â is the smaller one, gradient flows
    assert.deepEqual(clippedSurrogate(0.5, 2, 0.2, 0.2), { value: -1, dr: -2, clipped: false });
    // Â < 0 below 1 − ε: clipped; Â < 0 above 1 + ε: not clipped
    assert.deepEqual(clippedSurrogate(0.5, -1, 0.2, 0.2), { value: 0.8, dr: 0, clipped: true });
    assert.deepEqual(clippedSurrogate(1.5, -1, 0.2, 0.2), { value: 1.5, dr: 1, clipped: false });
    // clip-higher: with ε_hi = 0.28, 1.25 is still inside
    assert.equal(clippedSurrogate(1.25, 1, 0.2, 0.28).clipped, false);
  });

  test('k3 is 0 with gradient 0 at the reference, and clamps at 10 with gradient 0', () => {
    assert.deepEqual(k3(-1.5, -1.5, 10), { value: 0, dlogp: -0 });
    const big = k3(-5, -2, 10); // e^3 − 3 − 1 = 16.09 > 10
    assert.deepEqual(big, { value: 10, dlogp: 0 });
    const small = k3(0, 1e-9, 10); // ≈ d²/2 = 5e−19; exp(d) − d − 1 in floats would give 0 or noise
    assertClose(small.value, 5e-19, 0, 1e-6);
  });
});

describe('TIS', () => {
  test('weights are truncated at the threshold', () => {
    const seq: SequenceInput = { ...example, oldLogp: [0, -2.1, 0], rolloutLogp: [-1, -2.1, 0] }; // ρ = [e, 1]
    const r = gspoLoss([seq], exampleConfig);
    assertClose(r.perSequence[0].tisWeightMean, (2 + 1) / 2, 1e-15);
  });

  test('one action token below the veto zeroes the whole sequence; only the KL gradient is left', () => {
    const seq: SequenceInput = { ...example, oldLogp: [-1.0, -2.1 + Math.log(1e-5), 0] };
    for (const [name, loss] of losses) {
      const r = loss([seq], exampleConfig);
      assert.equal(r.metrics.tisVetoCount, 1, name);
      assert.equal(r.policyLoss, 0, name);
      const klOnly = loss([seq], { ...exampleConfig, tis: null, clipLow: 0, clipHigh: 0, klCoef: 0.1 });
      const d = [0.5, -0.5].map((x) => (0.1 * -Math.expm1(x)) / 2);
      assertAllClose(r.dlogp[0], [d[0], d[1], 0], 1e-15, 0, name);
      assert.ok(klOnly.policyLoss !== 0, `${name}: without TIS the policy term is back`);
    }
  });

  test('a masked position below the veto does not veto', () => {
    const seq: SequenceInput = { ...example, oldLogp: [-1.0, -2.2, -50], rolloutLogp: [-1.1, -2.1, 0] };
    assert.equal(gspoLoss([seq], exampleConfig).metrics.tisVetoCount, 0);
  });

  test('with TIS off the GSPO ratio is taken against the old log-probs and all weights are 1', () => {
    const r = gspoLoss([example], { ...exampleConfig, tis: null });
    assertClose(r.perSequence[0].ratio, Math.exp((0 + 0.2) / 2), 1e-15); // ℓ − ℓ^old = [0, 0.2]
    assert.equal(r.perSequence[0].tisWeightMean, 1);
  });
});

// Random batches with sequences of mixed length and masking; a third of them shifted so that their
// ratio lands well outside the clip range, so both branches are exercised.
function randomBatch(seed: number, B = 6, maxT = 9): SequenceInput[] {
  const u = rng(seed);
  const range = (lo: number, hi: number) => lo + (hi - lo) * u();
  return Array.from({ length: B }, () => {
    const T = 1 + Math.floor(u() * maxT);
    const shift = [-0.6, 0, 0.6][Math.floor(u() * 3)];
    const logp = Array.from({ length: T }, () => -range(0.05, 3));
    const oldLogp = logp.map((x) => x - shift + range(-0.15, 0.15));
    const rolloutLogp = oldLogp.map((x) => x + range(-0.3, 0.3));
    const refLogp = logp.map((x) => x + range(-1, 1));
    const mask = logp.map((_, t) => (t === 0 || u() < 0.7 ? 1 : 0));
    return { logp, oldLogp, rolloutLogp, refLogp, mask, advantage: range(-2, 2) };
  });
}

function withLogp(batch: readonly SequenceInput[], b: number, t: number, value: number): SequenceInput[] {
  return batch.map((seq, i) => {
    if (i !== b) return seq;
    const logp = Array.from(seq.logp);
    logp[t] = value;
    return { ...seq, logp };
  });
}

/** Central differences of L at every position of every sequence, compared with the analytic dL/dℓ. */
function checkGradient(loss: LossFn, batch: readonly SequenceInput[], config: PolicyLossConfig, what: string): void {
  const h = 1e-6;
  const analytic = loss(batch, config).dlogp;
  batch.forEach((seq, b) => {
    for (let t = 0; t < seq.logp.length; t++) {
      const x = seq.logp[t];
      const fd = (loss(withLogp(batch, b, t, x + h), config).loss - loss(withLogp(batch, b, t, x - h), config).loss) / (2 * h);
      assertClose(analytic[b][t], fd, 1e-8, 1e-6, `${what} dL/dlogp[${b}][${t}]`);
    }
  });
}

const configs: [string, PolicyLossConfig][] = [
  ['shipped defaults', defaultPolicyLossConfig],
  ['TIS off', { ...defaultPolicyLossConfig, tis: null }],
  ['clip-higher, strong KL', { ...defaultPolicyLossConfig, clipHigh: 0.28, klCoef: 0.5 }],
  ['tight TIS truncation', { ...defaultPolicyLossConfig, tis: { threshold: 1.05, vetoBelow: 1e-4 }, klCoef: 0.05 }],
];

describe('gradients match central finite differences of the reference loss (float64)', () => {
  for (const [name, loss] of losses) {
    for (const [configName, config] of configs) {
      test(`${name}, ${configName}`, () => {
        for (const seed of [1, 2, 3]) {
          const batch = randomBatch(seed);
          const r = loss(batch, config);
          assert.ok(r.metrics.clipFraction > 0 && r.metrics.clipFraction < 1, 'both clip branches are exercised');
          checkGradient(loss, batch, config, `${name}/${configName}/seed ${seed}`);
        }
      });
    }
    test(`${name}: length-1 sequences`, () => {
      const batch = randomBatch(7, 5, 1);
      assert.ok(batch.every((seq) => seq.logp.length === 1));
      checkGradient(loss, batch, defaultPolicyLossConfig, `${name}/length 1`);
    });
    test(`${name}: in the KL clamp the KL gradient is 0`, () => {
      const seq: SequenceInput = { ...example, refLogp: [2, -2.5, 0], advantage: 0 }; // d = 3 → k3 = 16 > 10
      const r = loss([seq], exampleConfig);
      assertClose(r.dlogp[0][0], 0, 0);
      checkGradient(loss, [seq], exampleConfig, `${name}/KL clamp`);
    });
  }
});

describe('masking', () => {
  for (const [name, loss] of losses) {
    test(`${name}: masked tokens contribute nothing, whatever they hold`, () => {
      const batch = randomBatch(11);
      const junk = [Number.NaN, 1e6, -Infinity, -1e6];
      const garbled = batch.map((seq, b) => {
        const put = (arr: ArrayLike<number>, k: number) =>
          Array.from(arr, (x, t) => (seq.mask[t] === 0 ? junk[(b + t + k) % junk.length] : x));
        return {
          ...seq,
          logp: put(seq.logp, 0),
          oldLogp: put(seq.oldLogp, 1),
          rolloutLogp: put(seq.rolloutLogp, 2),
          refLogp: put(seq.refLogp, 3),
        };
      });
      assert.ok(batch.some((seq) => Array.from(seq.mask).includes(0)), 'the batch has masked positions');
      const a = loss(batch, defaultPolicyLossConfig);
      const g = loss(garbled, defaultPolicyLossConfig);
      assert.equal(g.loss, a.loss);
      assert.deepEqual(g.dlogp, a.dlogp);
      assert.deepEqual(g.metrics, a.metrics);
      batch.forEach((seq, b) => {
        for (let t = 0; t < seq.mask.length; t++) if (seq.mask[t] === 0) assert.equal(a.dlogp[b][t], 0);
      });
    });

    test(`${name}: a fully masked sequence is left out of the batch mean`, () => {
      const batch = randomBatch(12, 4);
      const empty: SequenceInput = { ...batch[0], mask: Array.from(batch[0].mask, () => 0) };
      const a = loss(batch, defaultPolicyLossConfig);
      const b = loss([...batch.slice(0, 2), empty, ...batch.slice(2)], defaultPolicyLossConfig);
      assert.equal(b.loss, a.loss);
      assert.deepEqual(b.dlogp[2], Array.from(empty.logp, () => 0));
      assert.deepEqual([...b.dlogp.slice(0, 2), ...b.dlogp.slice(3)], a.dlogp);
      assert.equal(b.metrics.sequences, 4);
      assert.equal(b.perSequence[2].tokens, 0);
    });

    test(`${name}: a batch with no action tokens has loss 0 and zero gradients`, () => {
      const seq: SequenceInput = { ...example, mask: [0, 0, 0] };
      const r = loss([seq, seq], defaultPolicyLossConfig);
      assert.equal(r.loss, 0);
      assert.deepEqual(r.dlogp, [
        [0, 0, 0],
        [0, 0, 0],
      ]);
      assert.equal(r.metrics.sequences, 0);
    });
  }
});

describe('algebra', () => {
  test('batch loss is the mean of the sequence losses, and its gradient the sequence gradient over B', () => {
    const batch = randomBatch(21, 3);
    for (const [name, loss] of losses) {
      const all = loss(batch, defaultPolicyLossConfig);
      const single = batch.map((seq) => loss([seq], defaultPolicyLossConfig));
      assertClose(all.loss, single.reduce((s, r) => s + r.loss, 0) / 3, 1e-15, 0, name);
      batch.forEach((_, b) => assertAllClose(all.dlogp[b], single[b].dlogp[0].map((g) => g / 3), 1e-16, 0, name));
    }
  });

  test('with TIS off, GSPO and GRPO agree on length-1 sequences', () => {
    const batch = randomBatch(31, 6, 1);
    const config = { ...defaultPolicyLossConfig, tis: null };
    const a = gspoLoss(batch, config);
    const b = grpoLoss(batch, config);
    assertClose(a.loss, b.loss, 1e-15);
    a.dlogp.forEach((row, i) => assertAllClose(row, b.dlogp[i], 1e-15));
  });

  test('a zero advantage leaves only the KL term', () => {
    const batch = randomBatch(41).map((seq) => ({ ...seq, advantage: 0 }));
    for (const [name, loss] of losses) {
      const r = loss(batch, defaultPolicyLossConfig);
      assertClose(r.policyLoss, 0, 0, 0, name);
      assertClose(r.loss, defaultPolicyLossConfig.klCoef * r.klLoss, 1e-15, 0, name);
    }
  });

  test('inputs may be typed arrays', () => {
    const seq: SequenceInput = {
      ...example,
      logp: Float64Array.from(example.logp as number[]),
      mask: Float32Array.from(example.mask as number[]),
    };
    assert.equal(gspoLoss([seq], exampleConfig).loss, gspoLoss([example], exampleConfig).loss);
  });
});

describe('validation', () => {
  test('mismatched lengths, a non-binary mask and a bad config are errors that name the field', () => {
    assert.throws(() => gspoLoss([{ ...example, refLogp: [0, 0] }]), /refLogp of length 3/);
    assert.throws(() => gspoLoss([{ ...example, mask: [1, 0.5, 0] }]), /mask\[1\] = 0.5; expected 0 or 1/);
    assert.throws(() => gspoLoss([{ ...example, advantage: Number.NaN }]), /finite advantage/);
    assert.throws(() => grpoLoss([example], { ...defaultPolicyLossConfig, clipLow: 1 }), /clipLow=1/);
    assert.throws(
      () => grpoLoss([example], { ...defaultPolicyLossConfig, tis: { threshold: 0, vetoBelow: 1e-4 } }),
      /tis.threshold=0/,
    );
  });
});
