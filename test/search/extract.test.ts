// MARTI's two extraction rules against what Python's `re` returns for the same answers
// (fixtures/marti-extract.json; regenerate with `python3 scripts/golden/marti_extract.py`).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { extractFeedbackCode, extractProgram } from '../../src/search/extract';

interface Case {
  text: string;
  program: string | null;
  feedback: string | null;
}

const fixture = path.join(__dirname, 'fixtures', 'marti-extract.json');
const cases: Case[] = JSON.parse(readFileSync(fixture, 'utf8')).cases;
const regenerate = 'regenerate with: python3 scripts/golden/marti_extract.py';

describe('extraction matches MARTI (Python re) on every fixture answer', () => {
  cases.forEach((c, i) => {
    test(`case ${i}: ${JSON.stringify(c.text.slice(0, 40))}`, () => {
      assert.equal(extractProgram(c.text), c.program, `sandbox rule; ${regenerate}`);
      assert.equal(extractFeedbackCode(c.text), c.feedback, `feedback rule; ${regenerate}`);
    });
  });
});

test('the syntax check drops blocks that do not parse, so an earlier valid block wins', () => {
  const text = '```python\nprint("valid program here")\n```\n```python\nprint("broken program (\n```';
  const isValidPython = (code: string) => (code.match(/\(/g) ?? []).length === (code.match(/\)/g) ?? []).length;
  assert.equal(extractProgram(text), 'print("broken program (');
  assert.equal(extractProgram(text, { isValidPython }), 'print("valid program here")');
  assert.equal(extractProgram(text, { isValidPython: () => false }), null);
});

test('minLength is configurable', () => {
  assert.equal(extractProgram('```python\nx=1\n```'), null);
  assert.equal(extractProgram('```python\nx=1\n```', { minLength: 3 }), 'x=1');
});
