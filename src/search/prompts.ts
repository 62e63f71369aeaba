// The prompts a search node is generated from (research/papers.md §2.3, §3.5(a); DESIGN §6.2). Each
// is one user message; the chat template is applied by the model layer.
//
// rootPrompt            a child of the root: the problem text exactly as stored, nothing added.
// martiRefinementPrompt MARTI's training-time refinement (code_prompt.py, transform_feedback_prompt):
//                       the parent's code (extractFeedbackCode) and one "Correct"/"Wrong" line per
//                       evaluation record, then "correct for all" or "correct for k among n". The text
//                       is MARTI's byte for byte, including its quirks ("Result: Wrong" runs into the
//                       next heading; the no-code branch's leftover ARC heading).
// tplusRefinementPrompt MARS²-T+ error feedback: the problem statement, the parent's code, and for
//                       each failing test its verdict with input, expected and actual output, or the
//                       error type and traceback; the feedback is cut to a character budget.
// The results shown are only ever the public tests' (DESIGN §6.4); a problem without public tests
// (HumanEval) gets refinement prompts that say nothing about tests.
//
// Departures from MARTI:
//  1. The problem statement is prepended by default (includeProblem: false gives MARTI's exact text;
//     MARTI omits it, papers.md §6.5 defect 5).
//  2. An answer without a ```python block takes MARTI's no-code branch. MARTI only takes that
//     branch when extraction raises; a missing block instead prints the code as "None".
//  3. No results (`results: []`, a problem without public tests): the parent's code without the results
//     and the summary; MARTI always has results (all of a training problem's tests).
import { extractFeedbackCode } from './extract';

/** What one failing test reports; every field is optional, the sandbox fills what it knows. */
export interface TestFeedback {
  /** 'WA' | 'RE' | 'TLE' | 'MLE' | 'OLE' | 'CE' | … */
  verdict?: string;
  input?: string;
  expected?: string;
  actual?: string;
  /** e.g. 'IndexError' */
  errorType?: string;
  traceback?: string;
}

export function rootPrompt(problem: string): string {
  return problem;
}

export interface MartiRefinementInput {
  problem: string;
  /** The parent node's full model output. */
  parentOutput: string;
  /**
   * One entry per evaluation record (MARTI training keeps one, for all tests); null if none (the no-code
   * branch); [] when there are no tests to report.
   */
  results: readonly boolean[] | null;
  /** Prepend the problem statement (default true; false = MARTI's exact text). */
  includeProblem?: boolean;
}

export function martiRefinementPrompt(input: MartiRefinementInput): string {
  const code = extractFeedbackCode(input.parentOutput);
  let prompt = '';
  if (code === null || code === '' || input.results === null) {
    prompt += "### Answer: Your answer doesn't include any code.";
    prompt += '\n\n';
    prompt += '# Again, here we show the input and output grids for the problem.';
    prompt += '\n\n';
    prompt += input.problem;
    return prompt;
  }
  prompt += `\nYour previous code:\n\`\`\`\n${code}\n\`\`\`\n\n`;
  if (input.results.length === 0) return input.includeProblem === false ? prompt : `${input.problem}\n${prompt}`;
  prompt += 'Here are the results based on the code above.\n';
  let correct = 0;
  input.results.forEach((ok, i) => {
    prompt += `# Example ${i}\n\n`;
    if (ok) {
      prompt += '\n\nResult: Correct\n\n';
      correct++;
    } else {
      prompt += '\n\nResult: Wrong';
    }
  });
  if (correct === input.results.length) {
    prompt += '# Summary\n\nYour solution is correct for all the problems!\n\n';
  } else {
    prompt += `# Summary\n\nYour solution is correct for ${correct} problems among ${input.results.length}!\n\n`;
  }
  return input.includeProblem === false ? prompt : `${input.problem}\n${prompt}`;
}

export interface TPlusRefinementInput {
  problem: string;
  /** The program the sandbox ran for the parent (extractProgram), or null if it had none. */
  parentCode: string | null;
  /** The failing tests, in test order. */
  failures: readonly TestFeedback[];
  /** Public tests passed and run, for the summary line; total 0 (no public tests): no test section. */
  passed?: number;
  total?: number;
  /** Characters allowed for the failing-test section (default 6000). */
  feedbackBudgetChars?: number;
  /** Characters kept of one field (input, output, traceback; default 1500). */
  fieldMaxChars?: number;
}

const VERDICTS: Record<string, string> = {
  WA: 'wrong answer',
  RE: 'runtime error',
  TLE: 'time limit exceeded',
  MLE: 'memory limit exceeded',
  OLE: 'output limit exceeded',
  CE: 'compile error',
};

/** A code fence longer than any run of backticks in the text (CommonMark), so content cannot close it. */
function fenced(text: string, info = ''): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${info}\n${text}\n${fence}`;
}

/** Keeps the head (data) or the tail (a traceback ends with the error), marking what was cut. */
function cut(text: string, max: number, keep: 'head' | 'tail'): string {
  if (text.length <= max) return text;
  const dropped = text.length - max;
  return keep === 'head'
    ? `${text.slice(0, max)}\n… [${dropped} more characters]`
    : `… [${dropped} earlier characters]\n${text.slice(text.length - max)}`;
}

function failureBlock(f: TestFeedback, index: number, fieldMax: number): string {
  const verdict = f.verdict ? `${f.verdict}${VERDICTS[f.verdict] ? ` (${VERDICTS[f.verdict]})` : ''}` : 'failed';
  const parts = [`### Failing test ${index + 1}: ${verdict}`];
  if (f.input !== undefined) parts.push(`Input:\n${fenced(cut(f.input, fieldMax, 'head'))}`);
  if (f.expected !== undefined) parts.push(`Expected output:\n${fenced(cut(f.expected, fieldMax, 'head'))}`);
  if (f.actual !== undefined) parts.push(`Your output:\n${fenced(cut(f.actual, fieldMax, 'head'))}`);
  if (f.errorType !== undefined) parts.push(`Error: ${cut(f.errorType, fieldMax, 'head')}`);
  if (f.traceback !== undefined) parts.push(`Traceback:\n${fenced(cut(f.traceback, fieldMax, 'tail'))}`);
  return parts.join('\n');
}

/**
 * The failing-test section within `budget` characters: whole blocks in test order while they fit
 * (the first one with its fields cut shorter until it fits), then a count of the ones left out.
 */
function feedbackSection(failures: readonly TestFeedback[], budget: number, fieldMax: number): string {
  const blocks: string[] = [];
  let used = 0;
  for (let i = 0; i < failures.length; i++) {
    let block = failureBlock(failures[i], i, fieldMax);
    for (let max = fieldMax; i === 0 && block.length > budget && max > 16; ) {
      max = Math.floor(max / 2);
      block = failureBlock(failures[i], i, max);
    }
    if (used + block.length + 2 > budget && blocks.length > 0) break;
    if (block.length > budget) break;
    blocks.push(block);
    used += block.length + 2;
  }
  const left = failures.length - blocks.length;
  if (left > 0) blocks.push(`(${left} more failing test${left === 1 ? '' : 's'} not shown)`);
  return blocks.join('\n\n');
}

export function tplusRefinementPrompt(input: TPlusRefinementInput): string {
  const budget = input.feedbackBudgetChars ?? 6000;
  const fieldMax = input.fieldMaxChars ?? 1500;
  const parts = [input.problem, '## Your previous attempt'];
  parts.push(input.parentCode === null ? 'Your previous answer contained no code.' : fenced(input.parentCode, 'python'));
  if (input.total === 0) {
    parts.push('Check it against the problem statement and fix any mistake. Reply with the complete corrected program in a single ```python code block.');
    return parts.join('\n\n');
  }
  parts.push('## Test results');
  if (input.passed !== undefined && input.total !== undefined) {
    parts.push(`Your program passed ${input.passed} of ${input.total} public tests.`);
  }
  if (input.failures.length > 0) parts.push(feedbackSection(input.failures, budget, fieldMax));
  parts.push(
    'Find the mistake and fix it. Reply with the complete corrected program in a single ```python code block.',
  );
  return parts.join('\n\n');
}
