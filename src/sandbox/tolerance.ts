// The float checker's tolerance, shared by stdio tokens (./checkers) and call-style values (./typed). It
// applies only where both sides are floats; an integer on either side is compared exactly (those callers).
import type { Checker } from '../data/problem';

export const DEFAULT_TOLERANCE = 1e-6;

/**
 * |a − b| ≤ abs or |a − b| ≤ rel·|expected|. NaN never matches; an infinity matches only the same infinity
 * (else rel·∞ would accept any finite answer for an expected inf).
 */
export function floatsClose(actual: number, expected: number, checker: Checker): boolean {
  if (!Number.isFinite(actual) || !Number.isFinite(expected)) return actual === expected;
  const d = Math.abs(actual - expected);
  return d <= (checker.abs ?? DEFAULT_TOLERANCE) || d <= (checker.rel ?? DEFAULT_TOLERANCE) * Math.abs(expected);
}
