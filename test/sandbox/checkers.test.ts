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
  assert.equal(checkOutput({ kind: 'tokens' }, '100', '100.0').ok, false); // tokens compares text
});

test('float: tolerance between float tokens; non-numbers exact', () => {
  const f = { kind: 'float' as const, abs: 1e-6, rel: 1e-6 };
  assert.equal(checkOutput(f, '0.3\n', '0.30000000000000004\n').ok, true);
  assert.equal(checkOutput(f, '1000000.0\n', '1000000.5\n').ok, true); // relative
  assert.equal(checkOutput(f, '2.5e-3', '0.0025000001').ok, true);
  assert.equal(checkOutput(f, '0.3\n', '0.31\n').ok, false);
  assert.equal(checkOutput(f, 'YES 0.5', 'YES 0.5000001').ok, true);
  assert.equal(checkOutput(f, 'YES 0.5', 'NO 0.5').ok, false);
  assert.equal(checkOutput(f, 'banana 1.0', 'banana 1.0').ok, true); // a word containing "nan" is a word
});

test('float: an integer token (either side) must equal the other in exact value — no tolerance', () => {
  const f = { kind: 'float' as const, abs: 1e-6, rel: 1e-6 };
  assert.equal(checkOutput(f, '100', '100.0').ok, true);
  assert.equal(checkOutput(f, '100', '1e2').ok, true);
  assert.equal(checkOutput(f, '100', '+100').ok, true);
  assert.equal(checkOutput(f, '0', '-0.000').ok, true);
  assert.equal(checkOutput(f, '100.000', '100').ok, true);
  // tolerance on integer tokens
  assert.equal(checkOutput(f, '100', '100.0000001').ok, false);
  assert.equal(checkOutput(f, '1000000.5', '1000000').ok, false); // within rel 1e-6, but an int answer
  assert.equal(checkOutput(f, '1000000', '1000000.5').ok, false);
  assert.equal(checkOutput(f, '7', '6.9999999999').ok, false); // an int for a float, equal only after rounding
  assert.equal(checkOutput(f, '3', '2.9999999999999999999999').ok, false); // rounds to 3.0 as a double
  assert.equal(checkOutput({ kind: 'float', abs: 1, rel: 1 }, '5', '6').ok, false);
});

test('float: NaN never matches; overflowing and huge numbers are compared exactly', () => {
  const f = { kind: 'float' as const };
  assert.equal(checkOutput(f, 'nan\n', 'nan\n').ok, false);
  assert.equal(checkOutput(f, '1.5', 'NaN').ok, false);
  assert.equal(checkOutput(f, '1.5', '-nan').ok, false);
  assert.equal(checkOutput(f, '1e308', '1e400').ok, false); // 1e400 is Infinity as a double
  assert.equal(checkOutput(f, '1e400', '1e401').ok, false); // two Infinities, different values
  assert.equal(checkOutput(f, '1e400', '10e399').ok, true);
  assert.equal(checkOutput(f, '1.0', `1e${'9'.repeat(2000)}`).ok, false);
  const big = '1' + '0'.repeat(30);
  assert.equal(checkOutput(f, big, `${big.slice(0, -1)}1`).ok, false); // same double, different integers
  assert.equal(checkOutput(f, big, '1e30').ok, true);
  const digits = '9'.repeat(10_000);
  assert.equal(checkOutput(f, digits, digits).ok, true);
  assert.equal(checkOutput(f, digits, `${digits.slice(0, -1)}8`).ok, false);
});

test('checkers stay linear on adversarial output (long whitespace runs, long digit runs)', () => {
  const n = 1_000_000;
  const started = performance.now();
  assert.equal(checkOutput({ kind: 'exact' }, 'x\n', `${' '.repeat(n)}x\n`).ok, false);
  assert.equal(checkOutput({ kind: 'float' }, '1.0', `${'1'.repeat(n)}x`).ok, false);
  assert.equal(checkOutput({ kind: 'float' }, '1', `1${'0'.repeat(n)}1e-${n + 1}`).ok, false);
  const ms = performance.now() - started;
  assert.ok(ms < 2000, `checkers took ${ms.toFixed(0)} ms on 1 MB tokens`);
});

test('call values: typed JSON against plain JSON (the rules are in test/sandbox/typed.test.ts)', () => {
  assert.equal(checkValue({ kind: 'exact' }, '100000000000000000000', '100000000000000000001').ok, false);
  assert.equal(checkValue({ kind: 'exact' }, '[1, 2]', '[1.0,2]').ok, true);
  assert.equal(checkValue({ kind: 'exact' }, '{"a": [true, null]}', '{"$dict":[["a",[true,null]]]}').ok, true);
  assert.equal(checkValue({ kind: 'exact' }, 'true', '1').ok, false);
  assert.equal(checkValue({ kind: 'exact' }, '[1, 2]', '[1, 2, 3]').ok, false);
  assert.equal(checkValue({ kind: 'float' }, '[0.3]', '[0.30000000000000004]').ok, true);
  assert.equal(checkValue({ kind: 'exact' }, '1.5', '{"$float":"nan"}').ok, false);
});

test('checkValue never throws on a malformed record; it is a wrong answer that says so', () => {
  for (const bad of ['', '[1', '{"a": 1}', '{"__float__": "nan"}', '1e400', 'NaN', '[1] x', '"\u0001"', '{"$int": "12"}', '['.repeat(5000)]) {
    const r = checkValue({ kind: 'exact' }, '1', bad);
    assert.equal(r.ok, false, bad.slice(0, 20));
    assert.match(r.why ?? '', /^the harness record is malformed: /, bad.slice(0, 20));
  }
  assert.match(checkValue({ kind: 'exact' }, 'not json', '1').why ?? '', /the test's expected output is not JSON/);
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
