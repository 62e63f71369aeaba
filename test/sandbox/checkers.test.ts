// Host-side checkers and the exact-integer JSON parser (no sandbox needed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkOutput, checkValue } from '../../src/sandbox';
import { parseJson, tryParseJson } from '../../src/sandbox/json';

test('exact: line endings, trailing whitespace and trailing blank lines are normalised; line count must match', () => {
  assert.equal(checkOutput({ kind: 'exact' }, '1 2\n3\n', '1 2  \r\n3\r\n\r\n').ok, true);
  assert.equal(checkOutput({ kind: 'exact' }, '1\n2\n', '1\n').ok, false);
  assert.equal(checkOutput({ kind: 'exact' }, 'Yes\n', 'YES\n').ok, false);
  assert.equal(checkOutput({ kind: 'exact' }, '1 2\n', '1  2\n').ok, false);
});

test('tokens: whitespace-insensitive, count must match', () => {
  assert.equal(checkOutput({ kind: 'tokens' }, '1 2\n3\n', '1\n2 3').ok, true);
  assert.equal(checkOutput({ kind: 'tokens' }, '1 2 3', '1 2').ok, false);
});

test('float: absolute or relative tolerance; NaN never matches; non-numbers exact', () => {
  const f = { kind: 'float' as const, abs: 1e-6, rel: 1e-6 };
  assert.equal(checkOutput(f, '0.3\n', '0.30000000000000004\n').ok, true);
  assert.equal(checkOutput(f, '1000000\n', '1000000.5\n').ok, true); // relative
  assert.equal(checkOutput(f, '0.3\n', '0.31\n').ok, false);
  assert.equal(checkOutput(f, 'nan\n', 'nan\n').ok, false);
  assert.equal(checkOutput(f, 'YES 0.5', 'YES 0.5000001').ok, true);
  assert.equal(checkOutput(f, 'YES 0.5', 'NO 0.5').ok, false);
});

test('call values: ints exact beyond 2^53, 1 == 1.0, structure and keys compared', () => {
  assert.equal(checkValue({ kind: 'exact' }, '100000000000000000000', '100000000000000000001').ok, false);
  assert.equal(checkValue({ kind: 'exact' }, '[1, 2]', '[1.0,2]').ok, true);
  assert.equal(checkValue({ kind: 'exact' }, '{"a": [true, null]}', '{"a":[true,null]}').ok, true);
  assert.equal(checkValue({ kind: 'exact' }, 'true', '1').ok, false);
  assert.equal(checkValue({ kind: 'exact' }, '[1, 2]', '[1, 2, 3]').ok, false);
  assert.equal(checkValue({ kind: 'float' }, '[0.3]', '[0.30000000000000004]').ok, true);
  assert.equal(checkValue({ kind: 'exact' }, '1.5', '{"__float__":"nan"}').ok, false);
});

test('parseJson keeps big integers as BigInt and rejects trailing garbage', () => {
  assert.equal(parseJson('123456789012345678901234567890'), 123456789012345678901234567890n);
  assert.deepEqual(parseJson(' [1, "a\\"b", {"k": -2.5e3}] '), [1, 'a"b', { k: -2500 }]);
  assert.throws(() => parseJson('[1] x'), /trailing characters/);
  assert.deepEqual(Object.keys(parseJson('{"__proto__": 1}') as object), ['__proto__']);
});

test('parseJson reads an integer of any length exactly (no 4000-character window)', () => {
  const digits = '7'.repeat(10_000);
  assert.equal(parseJson(digits), BigInt(digits));
  assert.deepEqual(parseJson(`[-${digits}, 1]`), [-BigInt(digits), 1]);
});

test('tryParseJson returns why, never throws', () => {
  for (const bad of ['', '[', '[1,]', '{"a"}', '"abc', '01', '-', 'tru', '"\\x"', '[1] 2', '['.repeat(2000) + ']'.repeat(2000)]) {
    const r = tryParseJson(bad);
    assert.equal(r.ok, false, bad.slice(0, 20));
    assert.ok(!r.ok && /^invalid JSON/.test(r.why), bad.slice(0, 20));
  }
  assert.deepEqual(tryParseJson('[NaN, -Infinity]'), { ok: true, value: [NaN, -Infinity] });
});
