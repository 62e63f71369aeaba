// A JSON scanner that keeps integers exact and never throws on the text it reads. `scanJson` hands each
// value to a builder (so ./typed can tell `2` from `2.0`); `parseJson` builds plain values, with integers
// beyond 2^53 as BigInt (JSON.parse would round 10**20 and 10**20+1 to the same double and pass a wrong
// answer). Python's non-standard NaN/Infinity tokens are accepted by parseJson, as datasets sometimes
// carry them. No length cap short of the caller's: a number literal is matched in place (sticky regex),
// so an integer of any length is read whole.
export type JsonValue = null | boolean | number | bigint | string | JsonValue[] | { [k: string]: JsonValue };

export type Parsed<T> = { ok: true; value: T } | { ok: false; why: string };

/** Builds values bottom-up; a builder refuses a value by throwing a JsonError (which scanJson returns). */
export interface JsonBuilder<T> {
  null(): T;
  bool(b: boolean): T;
  /** `literal` is the number's text; `integer` when it has no fraction and no exponent. */
  number(literal: string, integer: boolean): T;
  string(s: string): T;
  array(items: T[]): T;
  object(entries: [string, T][]): T;
  /** Python's NaN, Infinity, -Infinity words; when absent they are a syntax error. */
  nonFinite?(word: 'NaN' | 'Infinity' | '-Infinity'): T;
}

export class JsonError extends SyntaxError {}

const MAX_DEPTH = 1000;
const NUMBER = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
const WORDS = ['true', 'false', 'null', 'NaN', 'Infinity', '-Infinity'] as const;

/** Scans `text` as one JSON value; any failure (syntax, a builder's refusal, depth) is returned, not thrown. */
export function scanJson<T>(text: string, build: JsonBuilder<T>): Parsed<T> {
  let i = 0;
  const fail = (what: string): never => {
    throw new JsonError(`invalid JSON at offset ${i}: ${what} (text starts '${text.slice(0, 60)}')`);
  };
  const ws = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const str = (): string => {
    const start = i;
    i++;
    let escaped = false;
    while (i < text.length) {
      const ch = text[i];
      if (escaped) escaped = false;
      else if (ch === '\\') escaped = true;
      else if (ch === '"') break;
      i++;
    }
    if (i >= text.length) fail('unterminated string');
    i++;
    try {
      return JSON.parse(text.slice(start, i)) as string;
    } catch {
      i = start;
      return fail('invalid string (a control character or a bad escape)');
    }
  };
  const value = (depth: number): T => {
    if (depth > MAX_DEPTH) fail(`nested more than ${MAX_DEPTH} deep`);
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const entries: [string, T][] = [];
      ws();
      if (text[i] === '}') {
        i++;
        return build.object(entries);
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a key');
        const k = str();
        ws();
        if (text[i] !== ':') fail("expected ':'");
        i++;
        entries.push([k, value(depth + 1)]);
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') {
          i++;
          return build.object(entries);
        } else fail("expected ',' or '}'");
      }
    }
    if (c === '[') {
      i++;
      const items: T[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return build.array(items);
      }
      for (;;) {
        items.push(value(depth + 1));
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') {
          i++;
          return build.array(items);
        } else fail("expected ',' or ']'");
      }
    }
    if (c === '"') return build.string(str());
    for (const word of WORDS) {
      if (!text.startsWith(word, i)) continue;
      i += word.length;
      if (word === 'true' || word === 'false') return build.bool(word === 'true');
      if (word === 'null') return build.null();
      if (!build.nonFinite) {
        i -= word.length;
        return fail(`'${word}' is not JSON`);
      }
      return build.nonFinite(word);
    }
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (!m) return fail(i >= text.length ? 'unexpected end of text' : 'unexpected character');
    i += m[0].length;
    return build.number(m[0], !m[2] && !m[3]);
  };
  try {
    const v = value(0);
    ws();
    if (i !== text.length) fail('trailing characters');
    return { ok: true, value: v };
  } catch (err) {
    // JsonError from the scan or a builder; RangeError should the stack still run out.
    return { ok: false, why: err instanceof JsonError ? err.message : `invalid JSON: ${(err as Error).message}` };
  }
}

const PLAIN: JsonBuilder<JsonValue> = {
  null: () => null,
  bool: (b) => b,
  number: (literal, integer) => {
    if (!integer) return Number(literal);
    const n = Number(literal);
    return Number.isSafeInteger(n) ? n : BigInt(literal);
  },
  string: (s) => s,
  array: (items) => items,
  // fromEntries defines own properties, so a "__proto__" key is a key, not a prototype.
  object: (entries) => Object.fromEntries(entries) as { [k: string]: JsonValue },
  nonFinite: (word) => (word === 'NaN' ? NaN : word === 'Infinity' ? Infinity : -Infinity),
};

/** Plain JSON values, or why the text is not JSON. For text a program produced: never throws. */
export function tryParseJson(text: string): Parsed<JsonValue> {
  return scanJson(text, PLAIN);
}

/** Plain JSON values; throws a JsonError. For trusted text (a dataset's expected outputs). */
export function parseJson(text: string): JsonValue {
  const r = tryParseJson(text);
  if (!r.ok) throw new JsonError(r.why);
  return r.value;
}
