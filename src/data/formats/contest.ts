// Contest stdin/stdout JSONL — the CodeContests subset in ../shared/data/codecontests_subset300: records
// {problem_id, name, cf_contest_id, cf_index, description, solutions: [{language, code}], tests: [{input, output}],
// ref_check: {all_pass, weakest_compare_needed, max_seconds, …}, …}.
//
// - id 'cc/<cf_contest_id>_<cf_index>' (e.g. cc/1041_E) when the Codeforces fields exist, else 'cc/<problem_id>'.
// - prompt: the description without its trailing '## Categories' / '## Source' sections (tags are a hint
//   contest statements do not show).
// - public tests: the tests whose input equals an example input in the statement's Examples section (by
//   whitespace-separated tokens); private: the rest. When no example can be matched (1 of the 300), the first
//   test is public so that a search reward never passes vacuously.
// - checker from ref_check.weakest_compare_needed: lines_rstrip → exact, whitespace_tokens → tokens,
//   float_1e-6 → float (abs and rel 1e-6); absent → exact.
// - time_limit_s: max(6, ⌈1.5 × ref_check.max_seconds⌉) — max_seconds was measured with 14 runs on 2 cores
//   (an overestimate), and 8 references needed more than 10 s there.
// - reference: solutions[0].code, expected to pass when ref_check.all_pass (261 of the 300).
import type { Fields } from '../fields';
import { describe, isRecord } from '../fields';
import type { Checker, TestCase } from '../problem';
import type { FormatSpec } from './types';

const DEFAULT_TIME_LIMIT_S = 6;

export const contestFormat: FormatSpec = {
  name: 'contest',
  detect: (f) => Array.isArray(f.record.tests) && f.has('description'),
  convert(f) {
    const sourceId = f.id('problem_id');
    const tests = f.testCases('tests');
    if (tests.length === 0) f.fail('tests', 'expected at least one test, found an empty list');
    const description = f.str('description');
    const { public_tests, private_tests } = splitPublic(tests, exampleInputs(description));
    const refCheck = f.record.ref_check;
    const ref = isRecord(refCheck) ? refCheck : {};
    const maxSeconds = typeof ref.max_seconds === 'number' ? ref.max_seconds : 0;
    const cf = f.has('cf_contest_id') && f.has('cf_index') ? `${f.id('cf_contest_id')}_${f.id('cf_index')}` : undefined;
    return {
      sourceId,
      problem: {
        id: `cc/${cf ?? sourceId}`,
        prompt: statement(description),
        style: 'stdio',
        public_tests,
        private_tests,
        checker: checkerFor(f, ref.weakest_compare_needed),
        time_limit_s: Math.max(DEFAULT_TIME_LIMIT_S, Math.ceil(1.5 * maxSeconds)),
      },
      reference: referenceOf(f, ref.all_pass === true),
    };
  },
};

function checkerFor(f: Fields, compare: unknown): Checker {
  switch (compare) {
    case undefined:
    case null:
    case 'lines_rstrip':
      return { kind: 'exact' };
    case 'whitespace_tokens':
      return { kind: 'tokens' };
    case 'float_1e-6':
      return { kind: 'float', abs: 1e-6, rel: 1e-6 };
    default:
      f.fail('ref_check.weakest_compare_needed', `expected lines_rstrip, whitespace_tokens or float_1e-6, found ${describe(compare)}`);
  }
}

function referenceOf(f: Fields, allPass: boolean): { code: string; expectedToPass: boolean } | undefined {
  if (!f.has('solutions')) return undefined;
  const solutions = f.array('solutions');
  const index = solutions.findIndex((s) => isRecord(s) && typeof s.language === 'string' && /python\s*3|^python$/i.test(s.language));
  if (index < 0) return undefined;
  const code = (solutions[index] as Record<string, unknown>).code;
  if (typeof code !== 'string') f.fail(`solutions[${index}].code`, `expected a string, found ${describe(code)}`);
  return { code, expectedToPass: allPass };
}

/** The statement without the trailing '## Categories' and '## Source' sections. */
export function statement(description: string): string {
  const cut = description.search(/\n## (Categories|Source)\b/);
  return (cut < 0 ? description : description.slice(0, cut)).trimEnd() + '\n';
}

const tokens = (s: string) => s.split(/\s+/).filter(Boolean).join(' ');

/** The inputs of the statement's Examples section ('Input' / 'Output' headings, up to 'Note'). */
export function exampleInputs(description: string): Set<string> {
  const body = statement(description);
  const start = body.search(/\nExamples?\n/);
  if (start < 0) return new Set();
  const examples = body.slice(start).split(/\nNote\n/)[0];
  const parts = examples.split(/^(Input|Output)$/m);
  const inputs = new Set<string>();
  for (let i = 1; i + 1 < parts.length; i += 2) if (parts[i] === 'Input') inputs.add(tokens(parts[i + 1]));
  return inputs;
}

function splitPublic(tests: TestCase[], examples: Set<string>): { public_tests: TestCase[]; private_tests: TestCase[] } {
  const isPublic = tests.map((t) => examples.has(tokens(t.input)));
  if (!isPublic.includes(true)) isPublic[0] = true;
  return {
    public_tests: tests.filter((_, i) => isPublic[i]),
    private_tests: tests.filter((_, i) => !isPublic[i]),
  };
}
