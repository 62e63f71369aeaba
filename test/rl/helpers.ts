// Test helpers for the RL math: a small seeded PRNG (mulberry32) so property tests are deterministic,
// and float comparison with a message that shows both values.
import assert from 'node:assert/strict';

export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** |actual − expected| <= abs + rel·|expected|. */
export function assertClose(actual: number, expected: number, abs = 1e-12, rel = 0, what = 'value'): void {
  const tol = abs + rel * Math.abs(expected);
  assert.ok(
    Math.abs(actual - expected) <= tol,
    `${what}: expected ${expected}, found ${actual} (|diff| ${Math.abs(actual - expected)} > tol ${tol})`,
  );
}

export function assertAllClose(actual: readonly number[], expected: readonly number[], abs = 1e-12, rel = 0, what = 'array'): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  actual.forEach((a, i) => assertClose(a, expected[i], abs, rel, `${what}[${i}]`));
}
