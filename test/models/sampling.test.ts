// Sampling: seeded reproducibility, empirical frequencies against the warped softmax (chi-square) for
// temperature / top-k / top-p, reported log-probs against an independent reference, greedy.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sampleToken, type SamplingParams } from '../../src/models/sampling';
import { Rng } from '../../src/search/rng';

/** Reference: HF warper order with a full sort; returns q over the vocabulary (0 outside the kept set). */
function reference(z: number[], p: SamplingParams): number[] {
  const order = z.map((_, i) => i).sort((a, b) => z[b]! - z[a]! || a - b);
  const zs = z.map((v) => v / p.temperature);
  const m = Math.max(...zs);
  let keep = new Set(order);
  if (p.topK > 0) keep = new Set(order.slice(0, p.topK));
  const w = zs.map((v, i) => (keep.has(i) ? Math.exp(v - m) : 0));
  if (p.topP < 1) {
    const tot = w.reduce((a, b) => a + b, 0);
    let before = 0;
    const kept = new Set<number>();
    for (const i of order) {
      if (!keep.has(i)) continue;
      if (kept.size > 0 && before / tot >= p.topP) break;
      kept.add(i);
      before += w[i]!;
    }
    keep = kept;
  }
  const tot = order.filter((i) => keep.has(i)).reduce((a, i) => a + w[i]!, 0);
  return z.map((_, i) => (keep.has(i) ? w[i]! / tot : 0));
}

// chi-square critical values at p = 0.001 by degrees of freedom
const CHI2_999: Record<number, number> = { 1: 10.83, 2: 13.82, 3: 16.27, 4: 18.47, 5: 20.52, 6: 22.46, 7: 24.32, 8: 26.12, 9: 27.88, 10: 29.59, 11: 31.26, 12: 32.91, 13: 34.53, 14: 36.12, 15: 37.7 };

const logits = [2.1, -0.3, 1.7, 0.2, 3.0, -1.5, 0.9, 1.1, -0.7, 2.6, 0.0, 1.4, -2.2, 0.5, 1.9, -0.1];

describe('sampling', () => {
  test('the PRNG and sampling are reproducible for a seed and differ across seeds', () => {
    const draw = (seed: number) => {
      const rng = Rng.fromSeed(seed);
      return Array.from({ length: 50 }, () => sampleToken(logits, { temperature: 1, topP: 1, topK: 0 }, rng.uniform32()).token);
    };
    assert.deepEqual(draw(7), draw(7));
    assert.notDeepEqual(draw(7), draw(8));
    assert.notDeepEqual(draw(2 ** 40 + 7), draw(7));
    const r = Rng.fromSeed(123);
    const u = Array.from({ length: 1000 }, () => r.uniform32());
    assert.ok(u.every((x) => x >= 0 && x < 1));
    assert.ok(Math.abs(u.reduce((a, b) => a + b, 0) / 1000 - 0.5) < 0.05);
  });

  const cases: SamplingParams[] = [
    { temperature: 1, topP: 1, topK: 0 },
    { temperature: 0.6, topP: 1, topK: 0 },
    { temperature: 1.5, topP: 1, topK: 5 },
    { temperature: 1, topP: 0.8, topK: 0 },
    { temperature: 0.9, topP: 0.7, topK: 8 },
  ];
  for (const p of cases) {
    test(`empirical frequencies match the softmax (T=${p.temperature}, top-p=${p.topP}, top-k=${p.topK})`, () => {
      const q = reference(logits, p);
      const N = 40000;
      const counts = new Array(logits.length).fill(0);
      const rng = Rng.fromSeed(99);
      for (let n = 0; n < N; n++) {
        const s = sampleToken(logits, p, rng.uniform32());
        counts[s.token]++;
        assert.ok(Math.abs(s.logprob - Math.log(q[s.token]!)) < 1e-12, `logprob of ${s.token}`);
      }
      const support = q.map((v, i) => [v, i] as const).filter(([v]) => v > 0);
      q.forEach((v, i) => { if (v === 0) assert.equal(counts[i], 0, `token ${i} outside the kept set was sampled`); });
      const chi2 = support.reduce((a, [v, i]) => a + (counts[i] - N * v) ** 2 / (N * v), 0);
      const df = support.length - 1;
      assert.ok(df >= 1 && chi2 < CHI2_999[df]!, `chi-square ${chi2.toFixed(2)} with ${df} dof exceeds ${CHI2_999[df]}`);
    });
  }

  test('raw log-probs are the temperature-1 log-softmax over the full vocabulary', () => {
    const lse = Math.log(logits.reduce((a, v) => a + Math.exp(v), 0));
    const rng = Rng.fromSeed(5);
    for (let n = 0; n < 100; n++) {
      const s = sampleToken(logits, { temperature: 0.5, topP: 0.6, topK: 3 }, rng.uniform32());
      assert.ok(Math.abs(s.rawLogprob - (logits[s.token]! - lse)) < 1e-12);
    }
  });

  test('greedy takes the first argmax and reports a point mass', () => {
    const s = sampleToken([1, 5, 5, 2], { temperature: 0, topP: 1, topK: 0 }, 0.99);
    assert.equal(s.token, 1);
    assert.equal(s.logprob, 0);
    assert.ok(Math.abs(s.rawLogprob - (5 - Math.log(Math.exp(1) + 2 * Math.exp(5) + Math.exp(2)))) < 1e-12);
  });

  test('top-p over a large vocabulary matches the reference (candidate pruning is exact)', () => {
    const rng = Rng.fromSeed(3);
    const z = Array.from({ length: 5000 }, () => (rng.uniform32() - 0.5) * 12);
    const p = { temperature: 1.1, topP: 0.95, topK: 0 };
    const q = reference(z, p);
    for (let n = 0; n < 200; n++) {
      const s = sampleToken(z, p, rng.uniform32());
      assert.ok(q[s.token]! > 0);
      assert.ok(Math.abs(s.logprob - Math.log(q[s.token]!)) < 1e-9);
    }
  });
});
