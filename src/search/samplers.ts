// Samplers for the distributions the search draws from, all driven by an Rng passed in.
//
//   normal(μ, σ)          Box–Muller, one variate from two uniforms (the sine half is dropped, so no
//                         hidden cache lives outside the Rng state).
//   gamma(k, θ)           Marsaglia & Tsang (2000) for k ≥ 1; for k < 1 the boost
//                         Gamma(k) = Gamma(k + 1)·U^(1/k), done in log space (see logGamma).
//   beta(a, b)            X/(X + Y), X ~ Gamma(a), Y ~ Gamma(b), as 1/(1 + e^(ln Y − ln X)) so that
//                         tiny shapes (a, b ≪ 1) do not underflow to 0/0.
//   inverseGamma(α, β)    β / Gamma(α, 1): density ∝ x^(−α−1) e^(−β/x), mean β/(α − 1).
//   studentT(ν)           Z / √(G/ν), G ~ Gamma(ν/2, 2) (= χ²_ν).
//
// Departures from numpy/scipy (which TreeQuest uses): the algorithms differ, so the streams differ;
// only the distributions agree. Exact replays of TreeQuest use recorded draws instead (see
// test/search/traceReplay.test.ts).
import type { Rng } from './rng';

/** A standard normal variate. */
export function standardNormal(rng: Rng): number {
  const u1 = 1 - rng.uniform(); // (0, 1], so the log is finite
  const u2 = rng.uniform();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

export function normal(rng: Rng, mean = 0, sd = 1): number {
  if (!(sd >= 0) || !Number.isFinite(sd) || !Number.isFinite(mean)) {
    throw new RangeError(`normal needs a finite mean and a finite sd ≥ 0, got mean=${mean}, sd=${sd}`);
  }
  return mean + sd * standardNormal(rng);
}

/** ln of a Gamma(shape, 1) variate; exact in log space for small shapes. */
export function logGamma(rng: Rng, shape: number): number {
  if (!(shape > 0) || !Number.isFinite(shape)) {
    throw new RangeError(`gamma needs a finite shape > 0, got ${shape}`);
  }
  if (shape < 1) {
    const u = 1 - rng.uniform(); // (0, 1]
    return logGamma(rng, shape + 1) + Math.log(u) / shape;
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = standardNormal(rng);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.uniform();
    const x2 = x * x;
    if (u < 1 - 0.0331 * x2 * x2) return Math.log(d * v);
    if (Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) return Math.log(d * v);
  }
}

export function gamma(rng: Rng, shape: number, scale = 1): number {
  if (!(scale > 0) || !Number.isFinite(scale)) throw new RangeError(`gamma needs a finite scale > 0, got ${scale}`);
  return Math.exp(logGamma(rng, shape)) * scale;
}

export function beta(rng: Rng, a: number, b: number): number {
  const lx = logGamma(rng, a);
  const ly = logGamma(rng, b);
  return 1 / (1 + Math.exp(ly - lx));
}

export function inverseGamma(rng: Rng, shape: number, scale: number): number {
  if (!(scale > 0) || !Number.isFinite(scale)) {
    throw new RangeError(`inverseGamma needs a finite scale > 0, got ${scale}`);
  }
  return scale * Math.exp(-logGamma(rng, shape));
}

export function studentT(rng: Rng, nu: number): number {
  if (!(nu > 0) || !Number.isFinite(nu)) throw new RangeError(`studentT needs finite ν > 0, got ${nu}`);
  const z = standardNormal(rng);
  const chi2 = 2 * Math.exp(logGamma(rng, nu / 2));
  return z / Math.sqrt(chi2 / nu);
}
