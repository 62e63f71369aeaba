// Root, MARTI-compatible and T+ refinement prompts. The MARTI strings are written out from
// code_prompt.py::transform_feedback_prompt, quirks included.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { martiRefinementPrompt, rootPrompt, tplusRefinementPrompt, type TestFeedback } from '../../src/search/prompts';

const problem = 'Read two integers and print their sum.';
const answer = 'Sure.\n```python\na, b = map(int, input().split())\n\tprint(a + b)\n```';
const code = 'a, b = map(int, input().split())\n    print(a + b)';

test('the root prompt is the problem text, unchanged', () => {
  assert.equal(rootPrompt(problem), problem);
});

describe('MARTI refinement prompt', () => {
  test('one failing record, MARTI exact text', () => {
    assert.equal(
      martiRefinementPrompt({ problem, parentOutput: answer, results: [false], includeProblem: false }),
      `\nYour previous code:\n\`\`\`\n${code}\n\`\`\`\n\nHere are the results based on the code above.\n` +
        '# Example 0\n\n\n\nResult: Wrong# Summary\n\nYour solution is correct for 0 problems among 1!\n\n',
    );
  });

  test('all records correct, and a mixed pair', () => {
    const head = `\nYour previous code:\n\`\`\`\n${code}\n\`\`\`\n\nHere are the results based on the code above.\n`;
    assert.equal(
      martiRefinementPrompt({ problem, parentOutput: answer, results: [true], includeProblem: false }),
      `${head}# Example 0\n\n\n\nResult: Correct\n\n# Summary\n\nYour solution is correct for all the problems!\n\n`,
    );
    assert.equal(
      martiRefinementPrompt({ problem, parentOutput: answer, results: [true, false], includeProblem: false }),
      `${head}# Example 0\n\n\n\nResult: Correct\n\n# Example 1\n\n\n\nResult: Wrong` +
        '# Summary\n\nYour solution is correct for 1 problems among 2!\n\n',
    );
  });

  test('the problem statement is prepended by default', () => {
    const p = martiRefinementPrompt({ problem, parentOutput: answer, results: [false] });
    assert.ok(p.startsWith(`${problem}\n\nYour previous code:\n`), p);
  });

  test('no code, or no results: the no-code branch with the problem text', () => {
    const want =
      "### Answer: Your answer doesn't include any code.\n\n" +
      '# Again, here we show the input and output grids for the problem.\n\n' +
      problem;
    assert.equal(martiRefinementPrompt({ problem, parentOutput: 'I cannot solve it.', results: [false] }), want);
    assert.equal(martiRefinementPrompt({ problem, parentOutput: answer, results: null }), want);
    assert.equal(martiRefinementPrompt({ problem, parentOutput: '```python\n\n```', results: [false] }), want);
  });

  test('no public tests (results []): the previous code, no results and no summary', () => {
    assert.equal(martiRefinementPrompt({ problem, parentOutput: answer, results: [], includeProblem: false }), `\nYour previous code:\n\`\`\`\n${code}\n\`\`\`\n\n`);
    assert.ok(!/Example|Result|Summary|correct/.test(martiRefinementPrompt({ problem, parentOutput: answer, results: [] })));
  });
});

describe('T+ refinement prompt', () => {
  test('no public tests (total 0): the statement and the previous code, nothing about tests', () => {
    const p = tplusRefinementPrompt({ problem, parentCode: code, failures: [], passed: 0, total: 0 });
    assert.ok(p.startsWith(`${problem}\n\n## Your previous attempt\n\n\`\`\`python\n${code}\n\`\`\``), p);
    assert.ok(!/test/i.test(p.slice(problem.length)), p);
    assert.ok(p.endsWith('Reply with the complete corrected program in a single ```python code block.'));
  });

  const wa: TestFeedback = { verdict: 'WA', input: '1 2\n', expected: '3', actual: '12' };
  const re: TestFeedback = {
    verdict: 'RE',
    input: '5\n',
    errorType: 'IndexError',
    traceback: 'Traceback (most recent call last):\n  File "main.py", line 3, in <module>\nIndexError: list index out of range',
  };

  test('problem, code, summary, and each failure with its details', () => {
    const p = tplusRefinementPrompt({ problem, parentCode: code, failures: [wa, re], passed: 3, total: 5 });
    assert.ok(p.startsWith(`${problem}\n\n## Your previous attempt\n\n\`\`\`python\n${code}\n\`\`\``), p);
    assert.match(p, /Your program passed 3 of 5 public tests\./);
    assert.match(p, /### Failing test 1: WA \(wrong answer\)\nInput:\n```\n1 2\n\n```\nExpected output:\n```\n3\n```\nYour output:\n```\n12\n```/);
    assert.match(p, /### Failing test 2: RE \(runtime error\)\nInput:\n```\n5\n\n```\nError: IndexError\nTraceback:\n```\nTraceback/);
    assert.match(p, /IndexError: list index out of range\n```/);
    assert.ok(p.endsWith('in a single ```python code block.'));
  });

  test('a parent without code says so; unknown verdicts are shown as given', () => {
    const p = tplusRefinementPrompt({ problem, parentCode: null, failures: [{ verdict: 'XYZ', actual: '' }] });
    assert.match(p, /Your previous answer contained no code\./);
    assert.match(p, /### Failing test 1: XYZ\n/);
    assert.doesNotMatch(p, /passed \d+ of/);
  });

  test('long fields keep their head (data) or tail (traceback), marked', () => {
    const input = 'x'.repeat(5000);
    const traceback = `${'frame\n'.repeat(1000)}ValueError: bad`;
    const p = tplusRefinementPrompt({ problem, parentCode: code, failures: [{ input, traceback }], fieldMaxChars: 100 });
    assert.match(p, new RegExp(`\`\`\`\\n${'x'.repeat(100)}\\n… \\[4900 more characters\\]\\n\`\`\``));
    assert.match(p, /… \[\d+ earlier characters\]\n[\s\S]*ValueError: bad\n```/);
  });

  test('failures beyond the budget are counted, not shown; the section stays within budget', () => {
    const failures = Array.from({ length: 10 }, (_, i) => ({ verdict: 'WA', input: `${i}`.repeat(300), expected: 'a', actual: 'b' }));
    const p = tplusRefinementPrompt({ problem, parentCode: code, failures, feedbackBudgetChars: 1500 });
    const section = p.slice(p.indexOf('### Failing test 1'), p.lastIndexOf('\n\nFind the mistake'));
    const shown = (section.match(/### Failing test/g) ?? []).length;
    assert.ok(shown >= 1 && shown < 10, `${shown} shown`);
    assert.ok(section.includes(`(${10 - shown} more failing tests not shown)`));
    assert.ok(section.length <= 1500 + 40, `section ${section.length} chars`);
  });

  test('a first failure larger than the budget is shrunk to fit, not dropped', () => {
    const p = tplusRefinementPrompt({
      problem,
      parentCode: code,
      failures: [{ verdict: 'WA', input: 'y'.repeat(4000), expected: 'z'.repeat(4000), actual: 'w' }],
      feedbackBudgetChars: 600,
    });
    const section = p.slice(p.indexOf('### Failing test 1'), p.lastIndexOf('\n\nFind the mistake'));
    assert.ok(section.length <= 600, `section ${section.length} chars`);
    assert.match(section, /more characters/);
  });

  test('backticks in program output cannot close the fence', () => {
    const p = tplusRefinementPrompt({ problem, parentCode: code, failures: [{ verdict: 'WA', actual: 'a ``` b ```` c' }] });
    assert.match(p, /Your output:\n`````\na ``` b ```` c\n`````/);
  });
});
