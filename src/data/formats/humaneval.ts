// HumanEval (openai/human-eval `HumanEval.jsonl.gz`; also HumanEval+ which adds fields): records
// {task_id, prompt, canonical_solution, test, entry_point}. The prompt is the opening of the program
// (imports, signature, docstring); the program is prompt + completion, then `test` and check(entry_point).
//
// Split rule (the dataset declares none): no public tests — the docstring examples in the prompt are what
// the model is shown — and one private test, `test` (it defines check(candidate); METADATA and helpers
// with it), with test_code ''. A search over HumanEval therefore has no public score to go on, and a
// training reward of rewards.tests 'public' is refused for it.
import type { FormatSpec } from './types';

export const humanEvalFormat: FormatSpec = {
  name: 'humaneval',
  detect: (f) => f.has('task_id') && f.has('prompt') && f.has('test') && f.has('entry_point') && !f.has('input_output'),
  convert(f) {
    const id = f.id('task_id');
    const prompt = f.str('prompt');
    const canonical = f.optStr('canonical_solution');
    return {
      sourceId: id,
      problem: {
        id,
        prompt,
        style: 'assert',
        test_code: '',
        entry_point: f.str('entry_point'),
        public_tests: [],
        private_tests: [{ input: f.str('test'), output: '' }],
        prompt_is_code: true,
      },
      reference: canonical === undefined ? undefined : { code: prompt + canonical, expectedToPass: true },
    };
  },
};
