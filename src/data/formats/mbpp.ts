// MBPP, both files in ../shared/data/mbpp:
// - mbpp.jsonl: {text, code, task_id, test_setup_code, test_list, challenge_test_list}
// - sanitized-mbpp.json (a JSON array): {source_file, task_id, prompt, code, test_imports, test_list}
// Both become assert-style problems with id 'mbpp/<task_id>'. There is no check() function, so
// entry_point is absent: each test calls the program's function by name.
//
// Split rule (MBPP declares none): the first assert of `test_list` is the public test, each remaining
// assert one private test (mbpp.jsonl: 1 public + 2 private for every task). test_code, the set-up run
// before each test, is test_setup_code (or the test imports, one per line). In 5 tasks of mbpp.jsonl
// (mbpp/37 …) test_list repeats its first assert, so a private test there is the public one again.
// The prompt is the task text followed by the public assert only.
//
// Departures:
//  1. The MBPP paper's prompt shows all three asserts — the very tests the task is scored on, so a lookup
//     table of their answers passes 969 of the 974 tasks. Here only the first is shown: it still gives the
//     function's name and signature (why the paper shows asserts at all), and the held-out asserts stay
//     unseen, so Pass@1 measures solving rather than copying.
//  2. `challenge_test_list` (11 tasks) is not used.
//  3. CRLF (and 4 lone CRs) in `code` and `test_setup_code` become LF.
import type { Fields } from '../fields';
import type { Converted, FormatSpec } from './types';

export const mbppFormat: FormatSpec = {
  name: 'mbpp',
  detect: (f) => f.has('test_list') && (f.has('text') || f.has('test_imports')),
  convert: (f) => (f.has('text') ? convertFull(f) : convertSanitized(f)),
};

function convertFull(f: Fields): Converted {
  return build(f, f.str('text'), line(lf(f.optStr('test_setup_code') ?? '')));
}

function convertSanitized(f: Fields): Converted {
  const imports = f.strArray('test_imports');
  return build(f, f.str('prompt'), line(imports.join('\n')));
}

function build(f: Fields, text: string, setup: string): Converted {
  const sourceId = f.id('task_id');
  const asserts = f.strArray('test_list');
  if (asserts.length === 0) f.fail('test_list', 'expected at least one assert, found an empty list');
  const [first, ...rest] = asserts.map((a) => ({ input: line(a), output: '' }));
  return {
    sourceId,
    problem: {
      id: `mbpp/${sourceId}`,
      prompt: mbppPrompt(text, asserts[0]),
      style: 'assert',
      test_code: setup,
      public_tests: [first],
      private_tests: rest,
    },
    reference: { code: lf(f.str('code')), expectedToPass: true },
  };
}

/** The task text and the one test the model is shown. */
export function mbppPrompt(text: string, publicAssert: string): string {
  return `${text.trim()}\nYour code should pass this test:\n\n${publicAssert.trimEnd()}\n`;
}

/** Code ending in one newline ('' stays ''). */
function line(code: string): string {
  return code === '' || code.endsWith('\n') ? code : `${code}\n`;
}

function lf(s: string): string {
  return s.replace(/\r\n?/g, '\n');
}
