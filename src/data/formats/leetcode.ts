// LeetCodeDataset (newfacade/LeetCodeDataset, e.g. LeetCodeDataset-v0.3.1-test.jsonl.gz): records with
// task_id (slug), problem_description, starter_code, prompt (an import preamble plus the ListNode/TreeNode
// helpers), completion (the reference solution), entry_point ('Solution().method'), test
// ('def check(candidate): assert …') and input_output.
//
// These become assert-style problems: prelude = `prompt`, then the program, then a test that defines
// check(candidate), called with Solution().method — SOURCE.md's "prompt + completion + test +
// check(entry_point)", with `test` split in two.
// Why not call style from `input_output`: its inputs are Python keyword arguments ("n = 7, queries = …"),
// tree/list arguments need the tree_node()/list_node() helpers, and in v0.3.1 51 of the 228 problems have
// a different number of `input_output` cases than asserts in `test`; `test` is what the reference passes.
//
// Split rule (the dataset declares none): every line of `test` after `def check(candidate):` is one
// `    assert …` (so in all 228 problems of v0.3.1; a record that is not is refused). The public test is
// check() with the first assert; the private test is one check() with all the remaining asserts (one
// execution, as the dataset runs them). A problem with a single assert has no private test. test_code is ''.
// Time limit: the private test runs up to ~265 asserts in one process; the slowest references take ~25 s
// here, hence 60 s.
import type { Fields } from '../fields';
import type { TestCase } from '../problem';
import type { FormatSpec } from './types';

const TIME_LIMIT_S = 60;
const CHECK = 'def check(candidate):\n';

export const leetCodeFormat: FormatSpec = {
  name: 'leetcode',
  detect: (f) => f.has('entry_point') && (f.has('input_output') || f.has('problem_description')),
  convert(f) {
    const sourceId = f.id('task_id');
    const entryPoint = f.str('entry_point');
    if (!/^Solution\(\)\.\w+$/.test(entryPoint) && !/^\w+$/.test(entryPoint))
      f.fail('entry_point', `expected 'Solution().method' or a function name, found ${JSON.stringify(entryPoint)}`);
    const completion = f.optStr('completion');
    return {
      sourceId,
      problem: {
        id: `leetcode/${sourceId}`,
        prompt: withStarterCode(f.str('problem_description'), f.str('starter_code')),
        style: 'assert',
        test_code: '',
        entry_point: entryPoint,
        ...splitAsserts(f),
        time_limit_s: TIME_LIMIT_S,
        prelude: f.str('prompt'),
      },
      reference: completion === undefined ? undefined : { code: completion, expectedToPass: true },
    };
  },
};

/** `test` as a public check() of its first assert and a private check() of the others. */
function splitAsserts(f: Fields): { public_tests: TestCase[]; private_tests: TestCase[] } {
  const [head, ...body] = f.str('test').split('\n');
  if (`${head}\n` !== CHECK) f.fail('test', `expected 'def check(candidate):' on its first line, found ${JSON.stringify(head.slice(0, 60))}`);
  const asserts: string[] = [];
  body.forEach((l, i) => {
    if (l.trim() === '') return;
    if (!/^ {4}assert /.test(l)) f.fail('test', `expected one '    assert …' per line after 'def check(candidate):', found ${JSON.stringify(l.slice(0, 60))} on line ${i + 2}`);
    asserts.push(l);
  });
  if (asserts.length === 0) f.fail('test', "expected at least one assert after 'def check(candidate):', found none");
  const check = (lines: string[]): TestCase => ({ input: `${CHECK}${lines.join('\n')}\n`, output: '' });
  return { public_tests: [check(asserts.slice(0, 1))], private_tests: asserts.length > 1 ? [check(asserts.slice(1))] : [] };
}

/** The statement followed by the starter code the answer must complete (LeetCode and LiveCodeBench). */
export function withStarterCode(statement: string, starterCode: string): string {
  const text = statement.trimEnd();
  if (starterCode.trim() === '') return `${text}\n`;
  return `${text}\n\nStarter code:\n\`\`\`python\n${starterCode.trimEnd()}\n\`\`\`\n`;
}
