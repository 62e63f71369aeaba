// Typed JSON (spec v1 in src/sandbox/typed.ts): parsing, describing, comparing with a dataset's plain JSON
// (the strict rules, one test per rule, with the attacks each one stops) and exact equality.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compareToExpected, describeTyped, parseTyped, typedEqual, type TypedValue } from '../../src/sandbox/typed';
import type { Checker } from '../../src/data/problem';

function typed(text: string): TypedValue {
  const r = parseTyped(text);
  if (!r.ok) assert.fail(`parseTyped(${text.slice(0, 60)}): ${r.why}`);
  return r.value;
}

const EXACT: Checker = { kind: 'exact' };
const FLOAT: Checker = { kind: 'float', abs: 1e-6, rel: 1e-6 };
const cmp = (actual: string, expected: string, checker = EXACT) => compareToExpected(typed(actual), expected, checker);

describe('parseTyped', () => {
  test('scalars: ints exact at any size (decimal or $int hex), floats by literal form', () => {
    assert.deepEqual(typed('null'), { kind: 'none' });
    assert.deepEqual(typed('true'), { kind: 'bool', value: true });
    assert.deepEqual(typed('2'), { kind: 'int', value: 2n });
    assert.deepEqual(typed('2.0'), { kind: 'float', value: 2 });
    assert.deepEqual(typed('2e0'), { kind: 'float', value: 2 });
    assert.deepEqual(typed('-0'), { kind: 'int', value: 0n });
    assert.deepEqual(typed('9007199254740993'), { kind: 'int', value: 9007199254740993n });
    const digits = '3'.repeat(10_000);
    assert.deepEqual(typed(digits), { kind: 'int', value: BigInt(digits) });
    assert.deepEqual(typed('{"$int": "-0x1f"}'), { kind: 'int', value: -31n });
    const hex = 'f'.repeat(20_000);
    assert.deepEqual(typed(`{"$int": "0x${hex}"}`), { kind: 'int', value: BigInt(`0x${hex}`) });
    assert.ok(Number.isNaN((typed('{"$float": "nan"}') as { value: number }).value));
    assert.deepEqual(typed('{"$float": "-inf"}'), { kind: 'float', value: -Infinity });
    assert.deepEqual(typed('"a\\nb"'), { kind: 'str', value: 'a\nb' });
    assert.deepEqual(typed('{"$bytes": "AP8="}'), { kind: 'bytes', value: new Uint8Array([0, 255]) });
  });

  test('containers and tags', () => {
    assert.deepEqual(typed('[1, [2]]'), { kind: 'list', items: [{ kind: 'int', value: 1n }, { kind: 'list', items: [{ kind: 'int', value: 2n }] }] });
    assert.deepEqual(typed('{"$tuple": []}'), { kind: 'tuple', items: [] });
    assert.equal(typed('{"$set": [1, 2]}').kind, 'set');
    assert.equal(typed('{"$frozenset": [{"$tuple": [1]}]}').kind, 'frozenset');
    assert.deepEqual(typed('{"$dict": [[{"$tuple": [1, 2]}, "x"]]}'), {
      kind: 'dict',
      entries: [[{ kind: 'tuple', items: [{ kind: 'int', value: 1n }, { kind: 'int', value: 2n }] }, { kind: 'str', value: 'x' }]],
    });
    assert.deepEqual(typed('{"$list_node": [1, 2]}'), { kind: 'list_node', items: [{ kind: 'int', value: 1n }, { kind: 'int', value: 2n }] });
    assert.deepEqual(typed('{"$tree_node": [1, null, 2, null, null]}'), { kind: 'tree_node', items: [{ kind: 'int', value: 1n }, null, { kind: 'int', value: 2n }] });
    assert.deepEqual(typed('{"$unsupported": {"type": "Foo", "repr": "<Foo>"}}'), { kind: 'unsupported', type: 'Foo', repr: '<Foo>' });
    assert.deepEqual(typed('{"$error": "nested too deeply"}'), { kind: 'error', why: 'nested too deeply' });
  });

  test('malformed text is an error value, never an exception', () => {
    const cases: [string, RegExp][] = [
      ['{"a": 1}', /not a tag/],
      ['{}', /not a tag/],
      ['{"$tuple": [1], "$set": [2]}', /not a tag/],
      ['{"$nope": 1}', /unknown tag "\$nope"/],
      ['{"$tuple": 1}', /"\$tuple" expects an array/],
      ['{"$int": "31"}', /"\$int" expects a hex string/],
      ['{"$int": 31}', /"\$int" expects a hex string, found int/],
      ['{"$float": "NaN"}', /"\$float" expects "nan"/],
      ['{"$dict": [[1]]}', /not a \[key, value\] pair/],
      ['{"$dict": [[[1], 2]]}', /unhashable key \(list\)/],
      ['{"$set": [[1]]}', /unhashable element/],
      ['{"$bytes": "not base64!"}', /expects base64/],
      ['{"$unsupported": {"type": "Foo"}}', /not a tag/],
      ['{"$unsupported": "Foo"}', /expects \{"type": str, "repr": str\}/],
      ['[{"type": "Foo", "repr": "x"}]', /element 0: an object that is not a tag/],
      ['{"type": "Foo", "repr": "x"}', /top level is an object that is not a tag/],
      ['1e400', /out of range/],
      ['NaN', /'NaN' is not JSON/],
      ['[1, 2', /expected ',' or ']'/],
      ['', /unexpected end of text/],
      ['['.repeat(1100), /nested more than 1000 deep/],
    ];
    for (const [text, why] of cases) {
      const r = parseTyped(text);
      assert.equal(r.ok, false, text);
      assert.match(r.ok ? '' : r.why, why, text);
    }
  });
});

describe('compareToExpected', () => {
  test('rule 1: bool equals only bool (True ≠ 1, False ≠ 0)', () => {
    assert.equal(cmp('true', 'true').ok, true);
    assert.equal(cmp('true', '1').ok, false);
    assert.equal(cmp('1', 'true').ok, false);
    assert.equal(cmp('[false]', '[0]').ok, false);
    assert.equal(cmp('0.0', 'false').ok, false);
  });

  test('rule 2: ints exactly, int vs float by exact value, tolerance only between floats, NaN never', () => {
    assert.equal(cmp('100000000000000000001', '100000000000000000000').ok, false); // the same double
    assert.equal(cmp('{"$int": "0x56bc75e2d63100000"}', '100000000000000000000').ok, true);
    assert.equal(cmp('2', '2.0').ok, true);
    assert.equal(cmp('2.0', '2').ok, true);
    assert.equal(cmp('1000000', '1000000.5', FLOAT).ok, false); // within rel 1e-6, but an int for a float
    assert.equal(cmp('1000000.5', '1000000', FLOAT).ok, false);
    assert.equal(cmp('3', '2.9999999', FLOAT).ok, false);
    assert.equal(cmp('1e+16', '10000000000000001').ok, false); // 1e16 as a float is not 10**16 + 1
    assert.equal(cmp('1000000.0000001', '1000000.0', FLOAT).ok, true);
    assert.equal(cmp('0.30000000000000004', '0.3', EXACT).ok, false); // exact checker: floats exactly
    assert.equal(cmp('0.30000000000000004', '0.3', FLOAT).ok, true);
    assert.equal(cmp('{"$float": "nan"}', 'NaN', FLOAT).ok, false);
    assert.equal(cmp('{"$float": "inf"}', 'Infinity', FLOAT).ok, true);
    assert.equal(cmp('1e308', 'Infinity', FLOAT).ok, false); // rel·∞ must not accept a finite answer
    assert.equal(cmp('{"$float": "inf"}', '1e308', FLOAT).ok, false);
    assert.equal(cmp('"1"', '1').ok, false);
  });

  test('rule 3: tuple as list, str-keyed dict as object; sets, bytes and nodes never equal plain JSON', () => {
    assert.equal(cmp('{"$tuple": [1, {"$tuple": [2, 3]}]}', '[1, [2, 3]]').ok, true);
    assert.equal(cmp('{"$dict": [["b", 2], ["a", 1]]}', '{"a": 1, "b": 2}').ok, true);
    assert.equal(cmp('{"$dict": [[1, "x"]]}', '{"1": "x"}').ok, false);
    assert.equal(cmp('{"$dict": [["a", 1]]}', '{"a": 1, "b": 2}').ok, false);
    assert.equal(cmp('{"$dict": [["a", 1], ["c", 2]]}', '{"a": 1, "b": 2}').ok, false);
    assert.equal(cmp('{"$set": [1, 2]}', '[1, 2]').ok, false);
    assert.equal(cmp('{"$frozenset": []}', '[]').ok, false);
    assert.equal(cmp('{"$bytes": "YWI="}', '"ab"').ok, false);
    assert.equal(cmp('{"$list_node": [1, 2]}', '[1, 2]').ok, false);
    assert.equal(cmp('{"$tree_node": [1, null, 2]}', '[1, null, 2]').ok, false);
    assert.equal(cmp('[1, 2]', '{"0": 1, "1": 2}').ok, false);
    assert.equal(cmp('null', '[]').ok, false);
  });

  test('rule 4: unsupported and error values are wrong, saying what was returned', () => {
    const foo = cmp('{"$unsupported": {"type": "Foo", "repr": "<__main__.Foo object at 0x7f>"}}', '[1]');
    assert.equal(foo.ok, false);
    assert.match(foo.why ?? '', /^returned a Foo object, not a value mars2 can compare \(repr: <__main__\.Foo object at 0x7f>\)/);
    // even where the expected value is something an object might claim to equal
    const eq = cmp('{"$unsupported": {"type": "AlwaysEqual", "repr": "x"}}', 'null');
    assert.match(eq.why ?? '', /AlwaysEqual object/);
    const nested = cmp('[1, {"$unsupported": {"type": "Foo", "repr": "x"}}]', '[1, 2]');
    assert.match(nested.why ?? '', /^return value\[1\]: a Foo object/);
    assert.match(cmp('{"$error": "nested more than 200 deep"}', '[]').why ?? '', /could not be encoded by the harness: nested more than 200 deep/);
  });

  test('why names the first differing place', () => {
    assert.equal(cmp('[[1], [2, [3, 4]]]', '[[1], [2, [3, 5]]]').why, 'return value[1][1][1]: expected 5, got 4');
    assert.equal(cmp('{"$dict": [["a", [1, 2]]]}', '{"a": [1, 3]}').why, "return value['a'][1]: expected 3, got 2");
    assert.equal(cmp('[1, 2, 3]', '[1, 2]').why, 'return value: expected 2 element(s), got 3: [1, 2, 3]');
    assert.equal(cmp('{"$set": [1]}', '[1]').why, 'return value: expected [1] (list), got {1} (set)');
    assert.equal(cmp('true', '1').why, 'return value: expected 1 (int), got True (bool)');
    assert.match(cmp('{"$dict": [["a", 1]]}', '{"a": 1, "b": 2}').why ?? '', /missing key\(s\) \['b'\]/);
  });

  test('an expected output that is not JSON is reported, not thrown', () => {
    assert.match(cmp('1', '[1').why ?? '', /^the test's expected output is not JSON/);
  });
});

describe('describeTyped', () => {
  test('Python-like reprs', () => {
    const d = (t: string) => describeTyped(typed(t));
    assert.equal(d('[null, true, 2, 2.0, 1e16, 1e-05, 0.0001, 123.5, "it\'s"]'), "[None, True, 2, 2.0, 1e+16, 1e-05, 0.0001, 123.5, 'it\\'s']");
    assert.equal(d('{"$tuple": [1]}'), '(1,)');
    assert.equal(d('{"$set": []}'), 'set()');
    assert.equal(d('{"$frozenset": [1]}'), 'frozenset({1})');
    assert.equal(d('{"$dict": [["a", {"$float": "-inf"}]]}'), "{'a': -inf}");
    assert.equal(d('{"$bytes": "AGE="}'), "b'\\x00a'");
    assert.equal(d('{"$tree_node": [1, null, 2]}'), 'TreeNode[1, None, 2]');
    assert.equal(d('{"$list_node": [1, 2]}'), 'ListNode[1, 2]');
    assert.equal(describeTyped({ kind: 'float', value: -0 }), '-0.0');
  });

  test('bounded length, even for huge values', () => {
    const long = describeTyped(typed(`[${Array.from({ length: 100_000 }, (_, i) => i).join(',')}]`), 50);
    assert.equal(long.length, 51);
    assert.ok(long.endsWith('…'));
    assert.ok(describeTyped(typed(`"${'x'.repeat(1_000_000)}"`)).length <= 201);
    assert.match(describeTyped(typed(`{"$int": "0x${'f'.repeat(100_000)}"}`)), /^<an int of about 120411 decimal digits>$/);
  });
});

describe('typedEqual', () => {
  const eq = (a: string, b: string) => typedEqual(typed(a), typed(b));
  test('exact kinds, exact ints, sets and dicts regardless of order', () => {
    assert.equal(eq('[1, {"$tuple": ["a"]}]', '[1, {"$tuple": ["a"]}]'), true);
    assert.equal(eq('2', '2.0'), false);
    assert.equal(eq('true', '1'), false);
    assert.equal(eq('{"$tuple": [1]}', '[1]'), false);
    assert.equal(eq('{"$set": [1, 2]}', '{"$frozenset": [1, 2]}'), false);
    assert.equal(eq('{"$set": [1, "a", {"$tuple": [2]}]}', '{"$set": [{"$tuple": [2]}, "a", 1]}'), true);
    assert.equal(eq('{"$dict": [[1, 2], [3, 4]]}', '{"$dict": [[3, 4], [1, 2]]}'), true);
    assert.equal(eq('{"$dict": [[1, 2]]}', '{"$dict": [[1, 3]]}'), false);
    assert.equal(eq('{"$int": "0x10"}', '16'), true);
    assert.equal(eq('0.0', '-0.0'), true);
    assert.equal(eq('["a,b"]', '["a", "b"]'), false);
    assert.equal(eq('{"$tree_node": [1, null, 2]}', '{"$tree_node": [1, null, 2, null]}'), true);
    assert.equal(eq('{"$bytes": "YQ=="}', '"a"'), false);
  });

  test('NaN, unsupported objects and encoding errors equal nothing, not even themselves', () => {
    assert.equal(eq('{"$float": "nan"}', '{"$float": "nan"}'), false);
    assert.equal(eq('[{"$float": "nan"}]', '[{"$float": "nan"}]'), false);
    const foo = '{"$unsupported": {"type": "Foo", "repr": "x"}}';
    assert.equal(eq(foo, foo), false);
    assert.equal(eq('{"$error": "x"}', '{"$error": "x"}'), false);
  });
});
