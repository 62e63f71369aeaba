// MBPP, both files in ../shared/data/mbpp:
// - mbpp.jsonl: {text, code, task_id, test_setup_code, test_list, challenge_test_list}
// - sanitized-mbpp.json (a JSON array): {source_file, task_id, prompt, code, test_imports, test_list}
// Both become assert-style problems with id 'mbpp/<task_id>' and test_code = setup (or the test imports) then
// the asserts, one per line, run after the program (SOURCE.md "How to run a task"). There is no check()
// function, so entry_point is absent. The prompt is the task text followed by the asserts, as in the MBPP
// paper — the asserts are how the model learns the function's name and signature.
// Departures: `challenge_test_list` (11 tasks) is not used; CRLF (and 4 lone CRs) in `code` and
// `test_setup_code` become LF.
import type { Fields } from '../fields';
import type { Converted, FormatSpec } from './types';

export const mbppFormat: FormatSpec = {
  name: 'mbpp',
  detect: (f) => f.has('test_list') && (f.has('text') || f.has('test_imports')),
  convert: (f) => (f.has('text') ? convertFull(f) : convertSanitized(f)),
};

function convertFull(f: Fields): Converted {
  const setup = lf(f.optStr('test_setup_code') ?? '');
  return build(f, f.str('text'), setup === '' ? [] : [setup]);
}

function convertSanitized(f: Fields): Converted {
  return build(f, f.str('prompt'), f.strArray('test_imports'));
}

function build(f: Fields, text: string, before: string[]): Converted {
  const sourceId = f.id('task_id');
  const asserts = f.strArray('test_list');
  if (asserts.length === 0) f.fail('test_list', 'expected at least one assert, found an empty list');
  return {
    sourceId,
    problem: {
      id: `mbpp/${sourceId}`,
      prompt: mbppPrompt(text, asserts),
      style: 'assert',
      test_code: [...before, ...asserts].join('\n') + '\n',
      public_tests: [],
      private_tests: [],
    },
    reference: { code: lf(f.str('code')), expectedToPass: true },
  };
}

export function mbppPrompt(text: string, asserts: string[]): string {
  return `${text.trim()}\nYour code should pass these tests:\n\n${asserts.join('\n')}\n`;
}

function lf(s: string): string {
  return s.replace(/\r\n?/g, '\n');
}
