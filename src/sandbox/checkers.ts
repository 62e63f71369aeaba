// Output checkers, run on the host (expected outputs never enter the sandbox). sandbox.md §9.1 #7.
//   exact  — after normalising line endings, trailing whitespace per line and trailing blank lines, the
//            same number of lines and the same lines (case-sensitive; a prefix of the answer is WA).
//   tokens — the same whitespace-separated tokens.
//   float  — tokens; where both are float tokens (a number with '.' or an exponent), |a−b| ≤ abs or
//            |a−b| ≤ rel·|b|. Where either is an integer token, the two must be equal in exact decimal value
//            (100 vs 100.0 passes; 100 vs 100.0000001 and 1000000.5 vs 1000000 do not, whatever the
//            tolerance). A NaN token never matches; an overflowing float (1e400) matches only the same value.
// Call-style return values: ./typed (typed JSON from the harness against the dataset's plain JSON).
// Every function here reads program output: none throws, and none is worse than linear in its length
// (no backtracking regex over a whole line or token).
import type { Checker } from '../data/problem';
import { compareToExpected, parseTyped } from './typed';
import { floatsClose } from './tolerance';

export interface CheckResult {
  ok: boolean;
  /** Why not, for a person: the first differing line or token. */
  why?: string;
}

function lines(text: string): string[] {
  const out = text.replace(/\r\n?/g, '\n').split('\n').map((l) => l.trimEnd()); // trimEnd strips what \s matches
  while (out.length && out[out.length - 1] === '') out.pop();
  return out;
}

function tokens(text: string): string[] {
  return text.split(/\s+/).filter(Boolean);
}

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/; // unambiguous: linear on a long digit run
const PARTS = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
const NAN = /^[+-]?nan$/i;

/**
 * A number token's exact value as text, `[-]digits e exponent` with no leading or trailing zeros in the
 * digits ('0' for zero), so equal texts mean equal values. Null when the exponent has more than 1000
 * digits: such a token is equal to no integer token anyone prints.
 */
function exactDecimal(token: string): string | null {
  const [, sign, whole, frac = '', exp = '0'] = PARTS.exec(token) as RegExpExecArray;
  const digits = whole + frac;
  let start = 0;
  while (start < digits.length && digits[start] === '0') start++;
  if (start === digits.length) return '0';
  let end = digits.length;
  while (digits[end - 1] === '0') end--;
  if (exp.length > 1002) return null;
  const e = BigInt(exp) - BigInt(frac.length) + BigInt(digits.length - end);
  return `${sign === '-' ? '-' : ''}${digits.slice(start, end)}e${e}`;
}

function clip(s: string, n = 80): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}

/** Whether two number tokens match under the float checker (rules in the header). */
function numbersMatch(expected: string, actual: string, checker: Checker): boolean {
  const bothFloats = /[.eE]/.test(expected) && /[.eE]/.test(actual);
  if (bothFloats) {
    const e = Number(expected);
    const a = Number(actual);
    if (Number.isFinite(e) && Number.isFinite(a)) return floatsClose(a, e, checker);
  }
  const e = exactDecimal(expected);
  return e !== null && e === exactDecimal(actual);
}

export function checkOutput(checker: Checker, expected: string, actual: string): CheckResult {
  if (checker.kind === 'exact') {
    const e = lines(expected);
    const a = lines(actual);
    for (let i = 0; i < Math.min(e.length, a.length); i++) {
      if (e[i] !== a[i]) return { ok: false, why: `line ${i + 1}: expected '${clip(e[i])}', got '${clip(a[i])}'` };
    }
    if (e.length !== a.length) return { ok: false, why: `expected ${e.length} line(s), got ${a.length}` };
    return { ok: true };
  }
  const e = tokens(expected);
  const a = tokens(actual);
  for (let i = 0; i < Math.min(e.length, a.length); i++) {
    if (checker.kind === 'float') {
      if (NAN.test(e[i]) || NAN.test(a[i])) return { ok: false, why: `token ${i + 1}: expected '${clip(e[i])}', got '${clip(a[i])}' (NaN never matches)` };
      if (NUMBER.test(e[i]) && NUMBER.test(a[i]) && numbersMatch(e[i], a[i], checker)) continue;
    }
    if (e[i] === a[i]) continue;
    return { ok: false, why: `token ${i + 1}: expected '${clip(e[i])}', got '${clip(a[i])}'` };
  }
  if (e.length !== a.length) return { ok: false, why: `expected ${e.length} token(s), got ${a.length}` };
  return { ok: true };
}

/**
 * Compares a call-style return value (the harness's typed JSON text, see ./typed) with the test's expected
 * output (plain JSON). Never throws: a record that is not typed JSON is a wrong answer saying so.
 */
export function checkValue(checker: Checker, expectedJson: string, actualTypedJson: string): CheckResult {
  const actual = parseTyped(actualTypedJson);
  if (!actual.ok) return { ok: false, why: `the harness record is malformed: ${actual.why}` };
  return compareToExpected(actual.value, expectedJson, checker);
}
