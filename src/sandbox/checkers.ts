// Output checkers, run on the host (expected outputs never enter the sandbox). sandbox.md §9.1 #7.
//   exact  — after normalising line endings, trailing whitespace per line and trailing blank lines, the
//            same number of lines and the same lines (case-sensitive; a prefix of the answer is WA).
//   tokens — the same whitespace-separated tokens.
//   float  — tokens; where both parse as numbers, |a−b| ≤ abs or |a−b| ≤ rel·|b| (NaN never matches).
// Call-style return values are compared as JSON values (see ./json): numbers numerically (ints exactly,
// as BigInt), floats with the float checker's tolerances, everything else structurally.
import type { Checker } from '../data/problem';
import { parseJson, type JsonValue } from './json';

export interface CheckResult {
  ok: boolean;
  /** Why not, for a person: the first differing line or token. */
  why?: string;
}

const DEFAULT_TOL = 1e-6;

function lines(text: string): string[] {
  const out = text.replace(/\r\n?/g, '\n').split('\n').map((l) => l.replace(/\s+$/, ''));
  while (out.length && out[out.length - 1] === '') out.pop();
  return out;
}

function tokens(text: string): string[] {
  return text.split(/\s+/).filter(Boolean);
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function floatsClose(a: number, b: number, abs: number, rel: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return false;
  if (a === b) return true; // also equal infinities
  const d = Math.abs(a - b);
  return d <= abs || d <= rel * Math.abs(b);
}

function clip(s: string, n = 80): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
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
  const abs = checker.abs ?? DEFAULT_TOL;
  const rel = checker.rel ?? DEFAULT_TOL;
  for (let i = 0; i < Math.min(e.length, a.length); i++) {
    if (e[i] === a[i] && !(checker.kind === 'float' && /nan/i.test(e[i]))) continue;
    if (checker.kind === 'float' && NUMBER.test(e[i]) && NUMBER.test(a[i]) && floatsClose(Number(a[i]), Number(e[i]), abs, rel)) continue;
    return { ok: false, why: `token ${i + 1}: expected '${clip(e[i])}', got '${clip(a[i])}'` };
  }
  if (e.length !== a.length) return { ok: false, why: `expected ${e.length} token(s), got ${a.length}` };
  return { ok: true };
}

function sameJson(e: JsonValue, a: JsonValue, checker: Checker, path: string): string | null {
  const isNum = (v: JsonValue) => typeof v === 'number' || typeof v === 'bigint';
  if (isNum(e) && isNum(a)) {
    if (typeof e === 'bigint' && typeof a === 'bigint') return e === a ? null : `${path}: expected ${e}, got ${a}`;
    const x = Number(e);
    const y = Number(a);
    if (checker.kind === 'float' ? floatsClose(y, x, checker.abs ?? DEFAULT_TOL, checker.rel ?? DEFAULT_TOL) : x === y) return null;
    return `${path}: expected ${e}, got ${a}`;
  }
  if (Array.isArray(e) || Array.isArray(a)) {
    if (!Array.isArray(e) || !Array.isArray(a)) return `${path}: expected ${clip(JSON.stringify(e, big))}, got ${clip(JSON.stringify(a, big))}`;
    if (e.length !== a.length) return `${path}: expected ${e.length} element(s), got ${a.length}`;
    for (let i = 0; i < e.length; i++) {
      const why = sameJson(e[i], a[i], checker, `${path}[${i}]`);
      if (why) return why;
    }
    return null;
  }
  if (e !== null && a !== null && typeof e === 'object' && typeof a === 'object') {
    const ek = Object.keys(e).sort();
    const ak = Object.keys(a).sort();
    if (ek.join('\u0000') !== ak.join('\u0000')) return `${path}: expected keys ${clip(ek.join(','))}, got ${clip(ak.join(','))}`;
    for (const k of ek) {
      const why = sameJson((e as any)[k], (a as any)[k], checker, `${path}.${k}`);
      if (why) return why;
    }
    return null;
  }
  return e === a ? null : `${path}: expected ${clip(JSON.stringify(e, big))}, got ${clip(JSON.stringify(a, big))}`;
}

function big(_k: string, v: unknown): unknown {
  return typeof v === 'bigint' ? v.toString() : v;
}

/** Compares a call-style return value (JSON text from the harness) with the test's expected JSON. */
export function checkValue(checker: Checker, expectedJson: string, actualJson: string): CheckResult {
  const why = sameJson(parseJson(expectedJson), parseJson(actualJson), checker, 'return value');
  return why ? { ok: false, why } : { ok: true };
}
