// LeetCodeDataset (newfacade/LeetCodeDataset, e.g. LeetCodeDataset-v0.3.1-test.jsonl.gz): records with
// task_id (slug), problem_description, starter_code, prompt (an import preamble plus the ListNode/TreeNode
// helpers), completion (the reference solution), entry_point ('Solution().method'), test
// ('def check(candidate): assert …') and input_output.
//
// These become assert-style problems: prelude = `prompt`, the program, then `test` and
// check(Solution().method) — exactly SOURCE.md's "prompt + completion + test + check(entry_point)".
// Why not call style from `input_output`: its inputs are Python keyword arguments ("n = 7, queries = …"),
// tree/list arguments need the tree_node()/list_node() helpers, and in v0.3.1 51 of the 228 problems have
// a different number of `input_output` cases than asserts in `test`; `test` is what the reference passes.
// Time limit: the whole `test` runs in one process; the slowest references take ~25 s here, hence 60 s.
import type { FormatSpec } from './types';

const TIME_LIMIT_S = 60;

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
        test_code: f.str('test'),
        entry_point: entryPoint,
        public_tests: [],
        private_tests: [],
        time_limit_s: TIME_LIMIT_S,
        prelude: f.str('prompt'),
      },
      reference: completion === undefined ? undefined : { code: completion, expectedToPass: true },
    };
  },
};

/** The statement followed by the starter code the answer must complete (LeetCode and LiveCodeBench). */
export function withStarterCode(statement: string, starterCode: string): string {
  const text = statement.trimEnd();
  if (starterCode.trim() === '') return `${text}\n`;
  return `${text}\n\nStarter code:\n\`\`\`python\n${starterCode.trimEnd()}\n\`\`\`\n`;
}
