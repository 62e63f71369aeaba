// Sampler moments against closed forms (200,000 draws each, tolerance 5 standard errors estimated
// from the sample's own fourth moment), a KS test for the arcsine law Beta(1/2, 1/2), and the
// Thompson posterior draw: its mean/variance (Student-t) and the quartiles of the default prior's
// Cauchy(0, √0.1), which pin TreeQuest's scale convention (σ² ~ InvGamma(ν/2, ν·τ²/2)).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { posteriorParams, samplePosterior, DEFAULT_GAUSSIAN_PRIOR, NO_OBS } from '../../src/search/posterior';
import { Rng } from '../../src/search/rng';
import { beta, gamma, inverseGamma, normal, studentT } from '../../src/search/samplers';

const N = 200_000;

function draws(seed: string, f: (rng: Rng) => number, n = N): Float64Array {
  const rng = Rng.seeded(seed);
  const xs = new Float64Array(n);
  for (let i = 0; i < n; i++) xs[i] = f(rng);
  return xs;
}

function checkMoments(name: string, xs: Float64Array, mean: number, variance: number) {
  const n = xs.length;
  let s = 0;
  for (const x of xs) s += x;
  const m = s / n;
  let m2 = 0;
  let m4 = 0;
  for (const x of xs) {
    const d = (x - m) ** 2;
    m2 += d;
    m4 += d * d;
  }
  m2 /= n;
  m4 /= n;
  const seMean = Math.sqrt(m2 / n);
  const seVar = Math.sqrt(Math.max(m4 - m2 * m2, 0) / n);
  assert.ok(Number.isFinite(m) && Number.isFinite(m2), `${name}: non-finite moments`);
  assert.ok(Math.abs(m - mean) <= 5 * seMean, `${name}: mean ${m}, want ${mean} ± ${5 * seMean}`);
  assert.ok(Math.abs(m2 - variance) <= 5 * seVar, `${name}: variance ${m2}, want ${variance} ± ${5 * seVar}`);
}

function quantile(xs: Float64Array, q: number): number {
  const sorted = Float64Array.from(xs).sort();
  return sorted[Math.floor(q * (sorted.length - 1))];
}

describe('moments against closed forms', () => {
  test('normal(2, 3)', () => {
    checkMoments('normal', draws('normal', (r) => normal(r, 2, 3)), 2, 9);
  });

  for (const k of [0.05, 0.3, 0.5, 1, 2.5, 10]) {
    test(`gamma(shape ${k}, scale 2): mean kθ, variance kθ²`, () => {
      checkMoments(`gamma ${k}`, draws(`gamma ${k}`, (r) => gamma(r, k, 2)), 2 * k, 4 * k);
    });
  }

  for (const [a, b] of [
    [0.5, 0.5],
    [2, 5],
    [0.3, 3],
    [30, 0.7],
    [0.02, 0.03],
  ]) {
    test(`beta(${a}, ${b}): mean a/(a+b), variance ab/((a+b)²(a+b+1))`, () => {
      const xs = draws(`beta ${a} ${b}`, (r) => beta(r, a, b));
      assert.ok(
        xs.every((x) => x >= 0 && x <= 1),
        'a beta draw left [0, 1]',
      );
      const s = a + b;
      checkMoments(`beta ${a} ${b}`, xs, a / s, (a * b) / (s * s * (s + 1)));
    });
  }

  test('inverseGamma(6, 5): mean β/(α−1), variance β²/((α−1)²(α−2))', () => {
    checkMoments('inverseGamma', draws('invgamma', (r) => inverseGamma(r, 6, 5)), 1, 25 / (25 * 4));
  });

  test('studentT(6): mean 0, variance ν/(ν−2)', () => {
    checkMoments('studentT', draws('t', (r) => studentT(r, 6)), 0, 1.5);
  });
});

test('beta(1/2, 1/2) follows the arcsine law (KS statistic < 1.63/√n, α = 1%)', () => {
  const n = 50_000;
  const xs = draws('arcsine', (r) => beta(r, 0.5, 0.5), n).sort();
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = (2 / Math.PI) * Math.asin(Math.sqrt(xs[i]));
    d = Math.max(d, Math.abs(f - i / n), Math.abs(f - (i + 1) / n));
  }
  assert.ok(d < 1.63 / Math.sqrt(n), `KS D = ${d}`);
});

describe('the Thompson draw from a gaussian posterior is m + √(τ²/κ)·t_ν', () => {
  test('mean m and variance (τ²/κ)·ν/(ν−2) for m=0.3, κ=3, ν=7, τ²=0.05', () => {
    const p = { dist: 'gaussian', m: 0.3, kappa: 3, nu: 7, tauSquare: 0.05 } as const;
    checkMoments('posterior', draws('posterior', (r) => samplePosterior(p, r)), 0.3, (0.05 / 3) * (7 / 5));
  });

  test('the default prior gives Cauchy(0, √0.1): median 0, quartiles ±√0.1', () => {
    const p = posteriorParams({ dist: 'gaussian', ...DEFAULT_GAUSSIAN_PRIOR }, NO_OBS);
    const xs = draws('cauchy', (r) => samplePosterior(p, r));
    const scale = Math.sqrt(0.1);
    // The sample q-quantile has standard error √(q(1−q)/n)/f(x_q); f = 1/(2πs) at the quartiles.
    const se = Math.sqrt(0.1875 / N) * 2 * Math.PI * scale;
    assert.ok(Math.abs(quantile(xs, 0.5)) < 5 * Math.sqrt(0.25 / N) * Math.PI * scale, 'median');
    assert.ok(Math.abs(quantile(xs, 0.25) + scale) < 5 * se, `lower quartile ${quantile(xs, 0.25)}`);
    assert.ok(Math.abs(quantile(xs, 0.75) - scale) < 5 * se, `upper quartile ${quantile(xs, 0.75)}`);
  });
});

test('samplers reject invalid parameters with a message naming them', () => {
  const rng = Rng.seeded(0);
  assert.throws(() => gamma(rng, 0), /shape > 0/);
  assert.throws(() => gamma(rng, 1, -1), /scale > 0/);
  assert.throws(() => beta(rng, -1, 1), /shape > 0/);
  assert.throws(() => normal(rng, 0, -1), /sd ≥ 0/);
  assert.throws(() => studentT(rng, 0), /ν > 0/);
});
