// LiveCodeBench code generation (livecodebench/code_generation_lite test*.jsonl): records with
// question_title, question_content, platform, question_id, contest_id, contest_date, starter_code, difficulty,
// public_test_cases and private_test_cases (JSON text of [{input, output, testtype}]; private ones are often
// compressed as base64(zlib(pickle(json_text))) — lcb_runner/benchmarks/code_generation.py tries JSON first,
// then that), and metadata (JSON text, {"func_name": …} for functional problems).
//
// testtype 'stdin' → stdio style; 'functional' → call style, arguments one JSON value per line, output JSON.
// LeetCode problems' starter code is `class Solution`, so fn_name becomes 'Solution().<func_name>'
// (lcb_runner's testing_util does the same by looking for "class Solution" in the code).
// Prelude: lcb_runner's import_string, which it prepends to every program.
// Departure: LiveCodeBench compares stdio output line by line (stripped), then token-wise as Decimals; the
// nearest native checker is 'tokens' (whitespace-separated tokens equal), which does not equate 1.0 and 1.
import type { Fields } from '../fields';
import { describe, isRecord, testCaseAt } from '../fields';
import { decodeLcbCompressed } from '../pickle';
import type { TestCase } from '../problem';
import { withStarterCode } from './leetcode';
import type { FormatSpec } from './types';

const LCB_MODULES = [
  'string', 're', 'datetime', 'collections', 'heapq', 'bisect', 'copy', 'math', 'random', 'statistics',
  'itertools', 'functools', 'operator', 'io', 'sys', 'json',
];

/** lcb_runner/evaluation/testing_util.py `import_string`. */
export const LCB_PRELUDE =
  [...LCB_MODULES.map((m) => `from ${m} import *`), 'from builtins import *', 'from typing import *']
    .concat(LCB_MODULES.map((m) => `import ${m}`))
    .join('\n') + '\nsys.setrecursionlimit(50000)\n';

type TestType = 'stdin' | 'functional';

export const lcbFormat: FormatSpec = {
  name: 'lcb',
  detect: (f) => f.has('question_content') && f.has('public_test_cases'),
  convert(f) {
    const sourceId = f.id('question_id');
    const pub = lcbTests(f, 'public_test_cases');
    const priv = lcbTests(f, 'private_test_cases');
    const types = new Set([...pub, ...priv].map((t) => t.testtype));
    if (types.size !== 1)
      f.fail('public_test_cases', `expected every test to have the same testtype, found ${[...types].join(', ') || 'no tests'}`);
    const starter = f.optStr('starter_code') ?? '';
    const base = {
      id: `lcb/${sourceId}`,
      prompt: withStarterCode(f.str('question_content'), starter),
      public_tests: pub.map(({ input, output }) => ({ input, output })),
      private_tests: priv.map(({ input, output }) => ({ input, output })),
      prelude: LCB_PRELUDE,
    };
    if (types.has('stdin')) return { sourceId, problem: { ...base, style: 'stdio', checker: { kind: 'tokens' } } };
    const funcName = lcbFuncName(f);
    const fnName = /\bclass\s+Solution\b/.test(starter) ? `Solution().${funcName}` : funcName;
    return { sourceId, problem: { ...base, style: 'call', fn_name: fnName } };
  },
};

function lcbTests(f: Fields, field: string): (TestCase & { testtype: TestType })[] {
  const raw = f.record[field];
  let list: unknown = raw;
  if (typeof raw === 'string') list = parseTestField(f, field, raw);
  if (!Array.isArray(list)) f.fail(field, `expected a list of tests (or its JSON text), found ${describe(list)}`);
  return list.map((t, i) => {
    const at = `${field}[${i}]`;
    const tc = testCaseAt(f, at, t);
    const testtype = isRecord(t) ? t.testtype : undefined;
    if (testtype !== 'stdin' && testtype !== 'functional')
      f.fail(`${at}.testtype`, `expected 'stdin' or 'functional', found ${describe(testtype)}`);
    return { ...tc, testtype };
  });
}

function parseTestField(f: Fields, field: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // Not JSON: the compressed form.
  }
  let json: string;
  try {
    json = decodeLcbCompressed(text);
  } catch (err) {
    f.fail(field, `neither JSON nor LiveCodeBench's compressed form (base64 → zlib → pickle): ${(err as Error).message}`);
  }
  try {
    return JSON.parse(json);
  } catch (err) {
    f.fail(field, `decompressed, but the pickled text is not JSON (${(err as Error).message})`);
  }
}

function lcbFuncName(f: Fields): string {
  let meta: unknown = f.record.metadata;
  if (typeof meta === 'string') {
    try {
      meta = JSON.parse(meta);
    } catch (err) {
      f.fail('metadata', `expected JSON text, found invalid JSON (${(err as Error).message})`);
    }
  }
  const name = isRecord(meta) ? meta.func_name : undefined;
  if (typeof name !== 'string' || !/^\w+$/.test(name))
    f.fail('metadata.func_name', `functional tests need a function name, found ${describe(name)}`);
  return name;
}
