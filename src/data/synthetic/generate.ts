// A synthetic code domain for tiny models trained from scratch (issue 16): short Python functions that
// compose primitives, in four families — list pipelines (list.ts), string pipelines (str.ts), arithmetic
// loops (loop.ts) and stateful passes over a list (fold.ts) — with statements from several frames and
// paraphrases, held-out splits by composition, depth and surface form (splits.ts), call-style tests and
// a reference solution per problem. research/toy-domain.md found no held-out gap in a one-line domain;
// here depth means more lines (stages, an `if`, an `else`, a running maximum), and every part must change
// some test's answer (the ablation check below), so a deeper problem is not a shallow one in disguise.
//
// Each problem is drawn from an Rng seeded by (seed, split, index): the same seed gives the same file,
// and a shorter --count is a prefix of a longer one. Expected values come from the TypeScript semantics
// of each primitive (python.ts keeps Python's); test/sandbox/synthetic.test.ts runs the references.
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import type { problemSchema } from '../problem';
import { Rng } from '../../search/rng';
import type { Family, Value } from './family';
import { foldFamily } from './fold';
import { listFamily } from './list';
import { loopFamily } from './loop';
import { OutOfRange, repr } from './python';
import { admits, RULES, type Split } from './splits';
import { strFamily } from './str';

export const FAMILIES: readonly Family<any>[] = [listFamily, strFamily, loopFamily, foldFamily];

/** Tests per problem: 1 or 2 public ones (shown in the prompt as examples) and PRIVATE_TESTS private ones. */
export const PRIVATE_TESTS = 8;
/** The longest argument (as JSON) an example in the prompt has: about five numbers, to keep prompts short. */
const MAX_EXAMPLE_CHARS = 16;

export interface SynthProblem {
  /** A native problem (DESIGN §6.1), call style, function `f`. */
  problem: z.input<typeof problemSchema>;
  /** The reference solution, a whole program. */
  reference: string;
  family: string;
  split: Split;
  /** The non-default parts (their count is the depth). */
  parts: string[];
  /** The family's spec the problem was written from (not written out). */
  spec: unknown;
}

export interface SynthOptions {
  seed: number;
  count: number;
  split: Split;
}

/** `count` distinct problems (by statement and tests) of one split. */
export function synthesize(opts: SynthOptions): SynthProblem[] {
  const out: SynthProblem[] = [];
  const seen = new Set<string>();
  for (let i = 0; out.length < opts.count; i++) {
    // Families and depths take turns, so that every depth of every family is as common as the split says.
    const family = FAMILIES[i % FAMILIES.length];
    const depths = RULES[opts.split].depths;
    const depth = depths[Math.floor(i / FAMILIES.length) % depths.length];
    const rng = Rng.seeded('mars2-synth', opts.seed, opts.split, i);
    for (let attempt = 0; ; attempt++) {
      if (attempt === 10_000) throw new Error(`synth: no new depth-${depth} ${family.name} problem for split ${opts.split} after ${attempt} draws (problem ${i})`);
      const p = draw(family, opts.split, depth, rng);
      if (!p) continue;
      const key = distinctKey(p.problem);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(p);
      break;
    }
  }
  return out;
}

/** What makes two problems the same: the statement and the tests. */
export function distinctKey(p: SynthProblem['problem']): string {
  return JSON.stringify([p.prompt, p.public_tests, p.private_tests]);
}

function draw(family: Family<any>, split: Split, depth: number, rng: Rng): SynthProblem | undefined {
  const rule = RULES[split];
  const spec = family.sample(rng, depth);
  if (spec === undefined) return undefined;
  const parts = family.parts(spec);
  if (!admits(rule, family.name, parts)) return undefined;
  const nPublic = rng.uniform() < 0.5 ? 1 : 2;
  const tests = drawTests(family, spec, rng, nPublic, nPublic + PRIVATE_TESTS);
  if (!tests) return undefined;
  const examples = tests.slice(0, nPublic).map((t) => `f(${repr(t.input)}) == ${repr(t.output)}`);
  const prompt = `${family.statement(spec, rng, rule.phrasing)}\n${nPublic === 1 ? 'Example' : 'Examples'}:\n${examples.join('\n')}`;
  const asCase = (t: { input: Value; output: Value }) => ({ input: JSON.stringify(t.input), output: JSON.stringify(t.output) });
  const problem = {
    id: '',
    prompt,
    style: 'call' as const,
    fn_name: 'f',
    public_tests: tests.slice(0, nPublic).map(asCase),
    private_tests: tests.slice(nPublic).map(asCase),
  };
  const hash = createHash('sha256').update(distinctKey(problem)).digest('hex').slice(0, 12);
  problem.id = `synth/${split}/${family.name}/d${parts.length}/${hash}`;
  return { problem, reference: `${family.code(spec)}\n`, family: family.name, split, parts, spec };
}

/**
 * `n` tests on distinct inputs, the first `nPublic` (the prompt's examples) short and not empty, or undefined when no draw
 * passes the checks: at least three distinct answers (two for True/False), and every ablation of the spec
 * (one part removed) answers some test differently — each part of the program matters.
 */
function drawTests(family: Family<any>, spec: unknown, rng: Rng, nPublic: number, n: number): { input: Value; output: Value }[] | undefined {
  const ablations = family.ablations(spec);
  for (let round = 0; round < 4; round++) {
    const tests: { input: Value; output: Value }[] = [];
    const inputs = new Set<string>();
    for (let tries = 0; tests.length < n && tries < 20 * n; tries++) {
      const input = family.input(rng);
      const key = JSON.stringify(input);
      if (inputs.has(key) || (tests.length < nPublic && (key === '[]' || key === '""' || key.length > MAX_EXAMPLE_CHARS))) continue;
      const output = answer(family, spec, input);
      if (output === undefined) continue;
      inputs.add(key);
      tests.push({ input, output });
    }
    if (tests.length < n) continue;
    const answers = tests.map((t) => JSON.stringify(t.output));
    const distinct = new Set(answers).size;
    if (distinct < (typeof tests[0].output === 'boolean' ? 2 : 3)) continue;
    const matters = (other: unknown) => tests.some((t, i) => JSON.stringify(answer(family, other, t.input) ?? null) !== answers[i]);
    if (ablations.every(matters)) return tests;
  }
  return undefined;
}

/** The spec's answer on `input`, or undefined when a value leaves the small-int range. */
function answer(family: Family<any>, spec: unknown, input: Value): Value | undefined {
  try {
    return family.run(spec, input);
  } catch (err) {
    if (err instanceof OutOfRange) return undefined;
    throw err;
  }
}
