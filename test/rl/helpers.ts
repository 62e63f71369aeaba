// Test helpers for the RL math: a small seeded PRNG (uniformStream) so property tests are deterministic,
// and float comparison with a message that shows both values.
import assert from 'node:assert/strict';
import { uniformStream } from '../../src/search/rng';

export const rng = uniformStream;

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
