// Python's value semantics where JavaScript's differ, for the synthetic families' evaluators: % and //
// floor (the result of % has the divisor's sign: -7 % 3 == 2, -7 // 3 == -3), sorted() is stable (so is
// Array.prototype.sort since ES2019, and reverse=True keeps equal keys in their original order, which is
// not the reverse of the ascending sort), and repr() of the values the families use. Ints are JS numbers
// kept within ±LIMIT so that every value is exact; a value outside throws OutOfRange and the generator
// draws another input (test/sandbox/synthetic.test.ts runs the Python references against these values).
import type { Value } from './family';

export const LIMIT = 1_000_000;

export class OutOfRange extends Error {
  override name = 'OutOfRange';
}

/** An int result, checked to stay within ±LIMIT. */
export function int(x: number): number {
  if (!Number.isSafeInteger(x) || Math.abs(x) > LIMIT) throw new OutOfRange(`value ${x} is outside ±${LIMIT}`);
  return x + 0; // -0 (from -x, or x * 0) is Python's 0
}

/** Python's a % b (floor modulo). */
export function mod(a: number, b: number): number {
  const r = a % b;
  return (r !== 0 && r < 0 !== b < 0 ? r + b : r) + 0; // + 0: JavaScript's -6 % 3 is -0
}

/** Python's a // b (floor division). */
export function div(a: number, b: number): number {
  return Math.floor(a / b);
}

/** Python's sorted(xs, key=key, reverse=reverse): stable in both directions. */
export function sorted<T>(xs: readonly T[], key: (x: T) => number | string = (x) => x as number, reverse = false): T[] {
  const cmp = (a: T, b: T) => {
    const ka = key(a);
    const kb = key(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  };
  return [...xs].sort(reverse ? (a, b) => cmp(b, a) : cmp);
}

/** Python's repr() of a family value (strings hold no quote or backslash: see str.ts's alphabet). */
export function repr(v: Value): string {
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'string') return `'${v}'`;
  if (Array.isArray(v)) return `[${v.join(', ')}]`;
  return String(v);
}
