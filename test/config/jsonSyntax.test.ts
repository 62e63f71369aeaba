// The JSON syntax locator agrees with JSON.parse on what is valid, and points at the first bad character.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findJsonSyntaxError, lineColumn } from '../../src/config/jsonSyntax';

const valid = [
  '{}',
  '[]',
  ' {"a": [1, -2.5e+3, 0, true, false, null, "x\\n\\u00e9\\"\\\\"]}\n',
  '"just a string"',
  '0',
  '-0.0E-0',
  '{"nested": {"deep": [[[]], {}]}}',
];
const invalid: Array<[string, number, number, string]> = [
  ['{"a": 1,}', 1, 9, `expected another key after ',' (JSON has no trailing commas), found "}"`],
  ['[1, 2,]', 1, 7, `expected another value after ',' (JSON has no trailing commas), found "]"`],
  ['{\n  "a": 1\n  "b": 2\n}', 3, 3, `expected ',' or '}', found "\\""`],
  ["{'a': 1}", 1, 2, 'expected a double-quoted key, found "\'"'],
  ['{"a": tru}', 1, 10, `expected 'true', found "}"`],
  ['{"a": 01}', 1, 8, `expected ',' or '}', found "1"`],
  ['{"a": .5}', 1, 7, 'expected a value (object, array, string, number, true, false or null), found "."'],
  ['{"a": "x\ty"}', 1, 9, 'expected no control character inside a string (write \\n, \\t), found "\\t"'],
  ['{"a": "\\x"}', 1, 9, 'expected an escape (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX), found "x"'],
  ['{"a": 1', 1, 8, `expected ',' or '}', found the end of the file`],
  ['{"a": "unterminated', 1, 20, `expected a closing '"', found the end of the file`],
  ['{} {}', 1, 4, 'expected the end of the file after the top-level value, found "{"'],
  ['', 1, 1, 'expected a value (object, array, string, number, true, false or null), found the end of the file'],
  ['// comment\n{}', 1, 1, 'expected a value (object, array, string, number, true, false or null), found "/"'],
];

test('valid JSON has no syntax error, and JSON.parse agrees', () => {
  for (const text of valid) {
    assert.doesNotThrow(() => JSON.parse(text), text);
    assert.equal(findJsonSyntaxError(text), null, text);
  }
});

test('each invalid text is located at its first bad character, and JSON.parse rejects it too', () => {
  for (const [text, line, column, message] of invalid) {
    assert.throws(() => JSON.parse(text), SyntaxError, text);
    assert.deepEqual(findJsonSyntaxError(text), { line, column, message }, JSON.stringify(text));
  }
});

test('lineColumn counts lines from 1 and columns from 1', () => {
  assert.deepEqual(lineColumn('ab\ncd', 0), { line: 1, column: 1 });
  assert.deepEqual(lineColumn('ab\ncd', 4), { line: 2, column: 2 });
  assert.deepEqual(lineColumn('ab\n', 3), { line: 2, column: 1 });
});
