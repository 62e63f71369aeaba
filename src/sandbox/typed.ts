// Typed values: a Python return value as the harness encodes it ("typed JSON", spec v1), parsed on the host
// and compared there (the expected output never enters the sandbox). Under RL every way a wrong value
// passes is learned, so the comparison is strict where Python's `==` is loose.
//
// Typed JSON v1 (written by docker/harness.py):
//   null, true, false                   None, True, False
//   a number literal without . e E      int, any size (kept exact as BigInt); {"$int": "-0x1f"} in hex for
//                                       ints past ~4000 digits (Python's int→str limit)
//   a number literal with . or e/E      float (finite); {"$float": "nan" | "inf" | "-inf"}
//   a string, an array                  str, list
//   {"$tuple"|"$set"|"$frozenset": [...]}, {"$dict": [[k, v], ...]} (keys typed, hashable),
//   {"$bytes": "<base64>"}, {"$list_node": [v, ...]} (a LeetCode ListNode's values in order),
//   {"$tree_node": [v | null, ...]} (a LeetCode TreeNode in level order, trailing nulls trimmed),
//   {"$unsupported": {"type": "Foo", "repr": "<first 200 chars>"}} (an object mars2 cannot carry),
//   {"$error": "why"} (the encoder failed: too deep, too large).
//   Every object is a tag (exactly one key, one of the above); anything else is malformed.
//
// compareToExpected: a typed return value against a dataset's plain JSON (LiveCodeBench functional tests,
// native call problems). Rules, stricter than Python's `==` (which lcb_runner uses):
//   1. bool equals only bool (True ≠ 1).
//   2. int vs int exactly; int vs float by exact numeric value (2 == 2.0, 1000000 ≠ 1000000.5 at any
//      tolerance); the float checker's tolerance only when both are floats; NaN never equals.
//   3. a tuple compares as a list (lcb_runner converts tuples to lists); a dict with str keys as a JSON
//      object (same key set); set, frozenset, bytes, list_node and tree_node never equal plain JSON.
//   4. unsupported and error values are always wrong, with a reason that says what was returned.
import type { Checker } from '../data/problem';
import { JsonError, scanJson, type JsonBuilder, type Parsed } from './json';
import { floatsClose } from './tolerance';

type Sequence = 'list' | 'tuple' | 'set' | 'frozenset' | 'list_node';

export type TypedValue =
  | { kind: 'none' }
  | { kind: 'bool'; value: boolean }
  | { kind: 'int'; value: bigint }
  | { kind: 'float'; value: number }
  | { kind: 'str'; value: string }
  | { kind: 'bytes'; value: Uint8Array }
  | { kind: Sequence; items: TypedValue[] }
  /** Level order; null is a missing child. */
  | { kind: 'tree_node'; items: (TypedValue | null)[] }
  | { kind: 'dict'; entries: [TypedValue, TypedValue][] }
  | { kind: 'unsupported'; type: string; repr: string }
  | { kind: 'error'; why: string };

export interface Comparison {
  ok: boolean;
  /** Why not, for a person: the first differing place (`return value[2][0]: expected 3, got 4`). */
  why?: string;
}

// ---- parsing ---------------------------------------------------------------------------------------

/** $unsupported's payload: the only plain object typed JSON has. */
type Node = TypedValue | { kind: 'payload'; entries: [string, Node][] };

const HEX_INT = /^-?0x[0-9a-fA-F]+$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const SEQUENCE_TAGS: Record<string, Sequence> = { $tuple: 'tuple', $set: 'set', $frozenset: 'frozenset', $list_node: 'list_node' };
const HASHABLE = new Set(['none', 'bool', 'int', 'float', 'str', 'bytes', 'tuple', 'frozenset', 'unsupported', 'error']);

function malformed(what: string): never {
  throw new JsonError(what);
}

function value(n: Node, where: string): TypedValue {
  if (n.kind === 'payload') malformed(`${where}: an object that is not a tag (expected exactly one key such as "$tuple")`);
  return n;
}

function list(n: Node, tag: string): TypedValue[] {
  if (n.kind !== 'list') malformed(`"${tag}" expects an array, found ${n.kind}`);
  return n.items;
}

function hashable(v: TypedValue): boolean {
  if (!HASHABLE.has(v.kind)) return false;
  return v.kind === 'tuple' || v.kind === 'frozenset' ? v.items.every(hashable) : true;
}

function tag(key: string, n: Node): TypedValue {
  const text = (what: string): string => (n.kind === 'str' ? n.value : malformed(`"${key}" expects ${what}, found ${n.kind}`));
  switch (key) {
    case '$int': {
      const s = text('a hex string');
      if (!HEX_INT.test(s)) malformed(`"$int" expects a hex string like "-0x1f", found '${s.slice(0, 40)}'`);
      const neg = s.startsWith('-');
      const mag = BigInt(neg ? s.slice(1) : s);
      return { kind: 'int', value: neg ? -mag : mag };
    }
    case '$float': {
      const s = text('"nan", "inf" or "-inf"');
      if (s === 'nan') return { kind: 'float', value: NaN };
      if (s === 'inf' || s === '-inf') return { kind: 'float', value: s === 'inf' ? Infinity : -Infinity };
      return malformed(`"$float" expects "nan", "inf" or "-inf", found '${s.slice(0, 40)}'`);
    }
    case '$dict': {
      const entries = list(n, key).map((pair, i): [TypedValue, TypedValue] => {
        if (pair.kind !== 'list' || pair.items.length !== 2) malformed(`"$dict" entry ${i} is not a [key, value] pair`);
        if (!hashable(pair.items[0])) malformed(`"$dict" entry ${i} has an unhashable key (${pair.items[0].kind})`);
        return [pair.items[0], pair.items[1]];
      });
      return { kind: 'dict', entries };
    }
    case '$tree_node': {
      const items = list(n, key).map((v) => (v.kind === 'none' ? null : v));
      while (items.length && items[items.length - 1] === null) items.pop();
      return { kind: 'tree_node', items };
    }
    case '$bytes': {
      const s = text('a base64 string');
      if (!BASE64.test(s)) malformed(`"$bytes" expects base64, found '${s.slice(0, 40)}'`);
      return { kind: 'bytes', value: new Uint8Array(Buffer.from(s, 'base64')) };
    }
    case '$unsupported': {
      const entries = n.kind === 'payload' ? new Map(n.entries) : undefined;
      const type = entries?.get('type');
      const repr = entries?.get('repr');
      if (type?.kind !== 'str' || repr?.kind !== 'str') malformed('"$unsupported" expects {"type": str, "repr": str}');
      return { kind: 'unsupported', type: type.value, repr: repr.value };
    }
    case '$error':
      return { kind: 'error', why: text('a string') };
  }
  const kind = SEQUENCE_TAGS[key];
  if (!kind) return malformed(`unknown tag "${key.slice(0, 40)}"`);
  const items = list(n, key);
  if ((kind === 'set' || kind === 'frozenset') && !items.every(hashable)) malformed(`"${key}" holds an unhashable element`);
  return { kind, items };
}

const TYPED: JsonBuilder<Node> = {
  null: () => ({ kind: 'none' }),
  bool: (b) => ({ kind: 'bool', value: b }),
  number: (literal, integer) => {
    if (integer) return { kind: 'int', value: BigInt(literal) };
    const x = Number(literal);
    if (!Number.isFinite(x)) malformed(`the float literal '${literal.slice(0, 40)}' is out of range (non-finite floats are {"$float": …})`);
    return { kind: 'float', value: x };
  },
  string: (s) => ({ kind: 'str', value: s }),
  array: (items) => ({ kind: 'list', items: items.map((x, i) => value(x, `element ${i}`)) }),
  object: (entries) => {
    if (entries.length === 1 && entries[0][0].startsWith('$')) return tag(entries[0][0], entries[0][1]);
    const keys = entries.map(([k]) => k).sort().join(',');
    if (keys === 'repr,type') return { kind: 'payload', entries };
    return malformed(`an object with keys ${keys.slice(0, 60) || '(none)'} is not a tag (expected exactly one key such as "$tuple")`);
  },
};

/** A typed value from the harness's typed JSON, or why the text is malformed. Never throws. */
export function parseTyped(text: string): Parsed<TypedValue> {
  const r = scanJson(text, TYPED);
  if (!r.ok) return r;
  if (r.value.kind === 'payload') return { ok: false, why: 'the top level is an object that is not a tag' };
  return { ok: true, value: r.value };
}

// The dataset side: plain JSON as typed values (objects become str-keyed dicts; NaN/Infinity words are floats).
const PLAIN: JsonBuilder<TypedValue> = {
  ...(TYPED as unknown as JsonBuilder<TypedValue>),
  array: (items) => ({ kind: 'list', items }),
  object: (entries) => ({ kind: 'dict', entries: entries.map(([k, v]): [TypedValue, TypedValue] => [{ kind: 'str', value: k }, v]) }),
  number: (literal, integer) => (integer ? { kind: 'int', value: BigInt(literal) } : { kind: 'float', value: Number(literal) }),
  nonFinite: (word) => ({ kind: 'float', value: word === 'NaN' ? NaN : word === 'Infinity' ? Infinity : -Infinity }),
};

// ---- describing ------------------------------------------------------------------------------------

const TYPE_NAMES: Record<TypedValue['kind'], string> = {
  none: 'None',
  bool: 'bool',
  int: 'int',
  float: 'float',
  str: 'str',
  bytes: 'bytes',
  list: 'list',
  tuple: 'tuple',
  set: 'set',
  frozenset: 'frozenset',
  dict: 'dict',
  list_node: 'ListNode',
  tree_node: 'TreeNode',
  unsupported: 'object',
  error: 'encoding error',
};

/** Python's repr of a float (shortest round-trip digits; exponent form below 1e-4 and from 1e16). */
function floatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mantissa, expText] = x.toExponential().split('e');
  const e = Number(expText);
  const sign = mantissa.startsWith('-') ? '-' : '';
  const digits = mantissa.replace(/^-/, '').replace('.', '');
  if (e < -4 || e >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  if (e < 0) return `${sign}0.${'0'.repeat(-e - 1)}${digits}`;
  const whole = digits.slice(0, e + 1).padEnd(e + 1, '0');
  return `${sign}${whole}.${digits.slice(e + 1) || '0'}`;
}

function intRepr(v: bigint): string {
  const mag = v < 0n ? -v : v;
  const hexDigits = mag.toString(16).length; // linear; decimal conversion of a huge int is not
  if (hexDigits <= 1024) return v.toString();
  return `<an int of about ${Math.floor(hexDigits * Math.log10(16))} decimal digits>`;
}

function strRepr(s: string, quote = "'"): string {
  const escaped = s.replace(/[\\'\n\r\t\u0000-\u001f\u007f]/g, (c) => {
    if (c === '\\') return '\\\\';
    if (c === "'") return quote === "'" ? "\\'" : c;
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    return `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
  return `${quote}${escaped}${quote}`;
}

function bytesRepr(b: Uint8Array, max: number): string {
  let out = "b'";
  for (const byte of b.subarray(0, max)) {
    if (byte === 0x5c) out += '\\\\';
    else if (byte === 0x27) out += "\\'";
    else if (byte >= 0x20 && byte < 0x7f) out += String.fromCharCode(byte);
    else out += `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return `${out}'`;
}

/** A Python-like repr for messages, at most `maxChars` characters (then '…'). */
export function describeTyped(v: TypedValue, maxChars = 200): string {
  const parts: string[] = [];
  let length = 0;
  const full = () => length > maxChars;
  const put = (s: string) => {
    parts.push(s);
    length += s.length;
  };
  const seq = (open: string, items: readonly (TypedValue | null)[], close: string, one = '') => {
    put(open);
    items.forEach((x, i) => {
      if (full()) return;
      if (i) put(', ');
      if (x === null) put('None');
      else write(x);
    });
    put(items.length === 1 ? one + close : close);
  };
  const write = (x: TypedValue): void => {
    if (full()) return;
    switch (x.kind) {
      case 'none':
        return put('None');
      case 'bool':
        return put(x.value ? 'True' : 'False');
      case 'int':
        return put(intRepr(x.value));
      case 'float':
        return put(floatRepr(x.value));
      case 'str':
        return put(strRepr(x.value.slice(0, maxChars + 1)));
      case 'bytes':
        return put(bytesRepr(x.value, maxChars + 1));
      case 'list':
        return seq('[', x.items, ']');
      case 'tuple':
        return seq('(', x.items, ')', ',');
      case 'set':
        return x.items.length ? seq('{', x.items, '}') : put('set()');
      case 'frozenset':
        return x.items.length ? seq('frozenset({', x.items, '})') : put('frozenset()');
      case 'list_node':
        return seq('ListNode[', x.items, ']');
      case 'tree_node':
        return seq('TreeNode[', x.items, ']');
      case 'dict':
        put('{');
        x.entries.forEach(([k, val], i) => {
          if (full()) return;
          if (i) put(', ');
          write(k);
          put(': ');
          write(val);
        });
        return put('}');
      case 'unsupported':
        return put(x.repr);
      case 'error':
        return put(`<not encoded: ${x.why}>`);
    }
  };
  write(v);
  const text = parts.join('');
  return text.length > maxChars ? `${text.slice(0, maxChars)}…` : text;
}

// ---- comparing -------------------------------------------------------------------------------------

/** An int and a float are equal when the float is exactly that integer. */
function intEqualsFloat(i: bigint, f: number): boolean {
  return Number.isInteger(f) && BigInt(f) === i;
}

function label(path: string): string {
  return `return value${path}`;
}

function mismatch(path: string, expected: TypedValue, actual: TypedValue): string {
  const types = expected.kind === actual.kind ? '' : ` (${TYPE_NAMES[expected.kind]})`;
  const got = expected.kind === actual.kind ? '' : ` (${TYPE_NAMES[actual.kind]})`;
  return `${label(path)}: expected ${describeTyped(expected, 80)}${types}, got ${describeTyped(actual, 80)}${got}`;
}

function unusable(path: string, actual: TypedValue): string | null {
  if (actual.kind === 'unsupported') {
    const what = `a ${actual.type} object, not a value mars2 can compare (repr: ${actual.repr.slice(0, 80)})`;
    return path ? `${label(path)}: ${what}` : `returned ${what}`;
  }
  if (actual.kind === 'error') return `${label(path)} could not be encoded by the harness: ${actual.why}`;
  return null;
}

/** The first difference of `actual` from the dataset's `expected` (plain JSON as typed values), or null. */
function diff(expected: TypedValue, actual: TypedValue, checker: Checker, path: string): string | null {
  const bad = unusable(path, actual);
  if (bad) return bad;
  const no = () => mismatch(path, expected, actual);
  switch (expected.kind) {
    case 'none':
      return actual.kind === 'none' ? null : no();
    case 'bool':
    case 'str':
      return actual.kind === expected.kind && actual.value === expected.value ? null : no();
    case 'int':
      if (actual.kind === 'int') return actual.value === expected.value ? null : no();
      return actual.kind === 'float' && intEqualsFloat(expected.value, actual.value) ? null : no();
    case 'float':
      if (actual.kind === 'int') return intEqualsFloat(actual.value, expected.value) ? null : no();
      if (actual.kind !== 'float') return no();
      if (checker.kind === 'float') return floatsClose(actual.value, expected.value, checker) ? null : no();
      return actual.value === expected.value ? null : no();
    case 'list': {
      if (actual.kind !== 'list' && actual.kind !== 'tuple') return no();
      if (actual.items.length !== expected.items.length)
        return `${label(path)}: expected ${expected.items.length} element(s), got ${actual.items.length}: ${describeTyped(actual, 80)}`;
      for (let i = 0; i < expected.items.length; i++) {
        const why = diff(expected.items[i], actual.items[i], checker, `${path}[${i}]`);
        if (why) return why;
      }
      return null;
    }
    case 'dict': {
      if (actual.kind !== 'dict') return no();
      const got = new Map<string, TypedValue>();
      for (const [k, v] of actual.entries) {
        if (k.kind !== 'str') return `${label(path)}: a dict with the ${TYPE_NAMES[k.kind]} key ${describeTyped(k, 40)}; expected str keys only`;
        got.set(k.value, v);
      }
      const want = new Map(expected.entries.map(([k, v]) => [(k as { value: string }).value, v]));
      const missing = [...want.keys()].filter((k) => !got.has(k));
      const extra = [...got.keys()].filter((k) => !want.has(k));
      if (missing.length || extra.length) {
        const say = (ks: string[]) => describeTyped({ kind: 'list', items: ks.map((value) => ({ kind: 'str', value })) }, 60);
        return `${label(path)}: ${missing.length ? `missing key(s) ${say(missing)}` : ''}${missing.length && extra.length ? ', ' : ''}${extra.length ? `unexpected key(s) ${say(extra)}` : ''}`;
      }
      for (const [k, v] of want) {
        const why = diff(v, got.get(k) as TypedValue, checker, `${path}[${strRepr(k)}]`);
        if (why) return why;
      }
      return null;
    }
    default:
      return no(); // plain JSON has no other kinds
  }
}

/**
 * A call-style return value against a test's expected output, plain JSON from a dataset. Never throws; an
 * expected output that is not JSON is reported as such (runTests checks them before running anything).
 */
export function compareToExpected(actual: TypedValue, expectedJsonText: string, checker: Checker): Comparison {
  const expected = scanJson(expectedJsonText, PLAIN);
  if (!expected.ok) return { ok: false, why: `the test's expected output is not JSON (${expected.why})` };
  const why = diff(expected.value, actual, checker, '');
  return why ? { ok: false, why } : { ok: true };
}

// ---- exact equality --------------------------------------------------------------------------------

/**
 * A canonical text for a value: equal texts iff the values are equal under typedEqual. NaN, unsupported and
 * error values get a fresh text each time, so they equal nothing (not even themselves).
 */
function canonical(v: TypedValue, fresh: () => string): string {
  const all = (items: readonly (TypedValue | null)[]) => items.map((x) => (x === null ? '_' : canonical(x, fresh)));
  switch (v.kind) {
    case 'none':
      return 'N';
    case 'bool':
      return v.value ? 'T' : 'F';
    case 'int':
      return `i${v.value.toString(16)}`;
    case 'float':
      return Number.isNaN(v.value) ? fresh() : `f${v.value === 0 ? 0 : v.value}`;
    case 'str':
      return `s${JSON.stringify(v.value)}`;
    case 'bytes':
      return `b${Buffer.from(v.value).toString('base64')}`;
    case 'list':
    case 'tuple':
    case 'list_node':
    case 'tree_node':
      return `${v.kind}[${all(v.items).join(',')}]`;
    case 'set':
    case 'frozenset':
      return `${v.kind}{${all(v.items).sort().join(',')}}`;
    case 'dict':
      return `d{${v.entries.map(([k, x]) => `${canonical(k, fresh)}:${canonical(x, fresh)}`).sort().join(',')}}`;
    case 'unsupported':
    case 'error':
      return fresh();
  }
}

/**
 * Exact structural equality of two typed values: the same kinds all the way down (2 ≠ 2.0, (1,) ≠ [1],
 * True ≠ 1), ints exactly, floats by value (0.0 == -0.0), sets, frozensets and dicts regardless of order.
 * NaN, unsupported objects and encoding errors equal nothing.
 */
export function typedEqual(a: TypedValue, b: TypedValue): boolean {
  let n = 0;
  const fresh = () => `?${n++}`;
  return canonical(a, fresh) === canonical(b, fresh);
}
