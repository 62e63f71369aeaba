// Code extraction from a model's answer, with MARTI's two rules (research/papers.md §2.3, §2.6):
//
// extractProgram — what the sandbox runs (MARTI marti/verifiers/areal/code_reward.py,
//   extract_python_code): every match of /```(?:python|py)?\s*\n?(.*?)\n?```/ (case-insensitive,
//   dot matches newline, non-overlapping, left to right); each block stripped; blocks shorter than 20
//   characters dropped; blocks that do not parse as Python dropped; the LAST survivor, or null.
//   Note the pattern accepts any fence: "```cpp\n…" yields "cpp\n…" (which then usually fails the
//   syntax check), exactly as in MARTI.
// extractFeedbackCode — what the MARTI refinement prompt shows (GenerationResult.parse_python_code):
//   a greedy /```python\n(.*)\n```/ (case-sensitive), i.e. from the first "```python\n" to the LAST
//   "\n```", tabs replaced by 4 spaces; null when there is none.
//
// Departures:
//  1. The Python syntax check (ast.parse) cannot run in this pure module: the caller passes
//     `isValidPython` (the sandbox can run ast.parse); without it every block counts as valid.
//  2. Lengths count Unicode code points, as Python does; `\s` and strip() use JavaScript's
//     whitespace set, which differs from Python's only in rare control characters (U+001C–U+001F).
export interface ExtractOptions {
  /** Blocks shorter than this (after stripping) are dropped. MARTI: 20. */
  minLength?: number;
  /** Returns false for a block that does not parse as Python (MARTI: ast.parse). */
  isValidPython?: (code: string) => boolean;
}

const SANDBOX_BLOCK = /```(?:python|py)?\s*\n?([\s\S]*?)\n?```/gi;
const FEEDBACK_BLOCK = /```python\n([\s\S]*)\n```/;

export function extractProgram(text: string, options: ExtractOptions = {}): string | null {
  const minLength = options.minLength ?? 20;
  let last: string | null = null;
  for (const match of text.matchAll(SANDBOX_BLOCK)) {
    const block = match[1].trim();
    if ([...block].length < minLength) continue;
    if (options.isValidPython && !options.isValidPython(block)) continue;
    last = block;
  }
  return last;
}

export function extractFeedbackCode(text: string): string | null {
  const match = FEEDBACK_BLOCK.exec(text);
  return match ? match[1].replaceAll('\t', '    ') : null;
}
