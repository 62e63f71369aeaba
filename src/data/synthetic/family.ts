// What every synthetic family provides (generate.ts's header describes the domain): a problem is a spec —
// a few primitives, each with an optional integer parameter — from which the family writes the Python
// reference, the statement and, by the same semantics in TypeScript, the expected values.
import type { Rng } from '../../search/rng';

/** A value a synthetic function takes or returns; ints stay small (see python.ts's int()). */
export type Value = number | string | boolean | number[];

/**
 * One primitive. `py` and every phrase may hold `{k}` (the parameter) and family-specific holes. `say` lists
 * the paraphrases; the LAST one is reserved for heldout-phrase and never appears in the other splits.
 */
export interface Prim<Run> {
  id: string;
  /** The parameter's inclusive range; absent: no parameter. */
  k?: readonly [number, number];
  py: string;
  say: readonly string[];
  /** How `{k}` is written (in the code and the statement) when it is not the number itself. */
  show?: (k: number) => string;
  /** The semantics, given the parameter (0 when there is none). */
  run: (k: number) => Run;
}

/** A primitive with its parameter drawn. */
export interface Choice<Run> {
  prim: Prim<Run>;
  k: number;
}

/** The surface form a statement is written in: train templates only, or held-out ones. */
export type Phrasing = 'train' | 'heldout';

export interface Family<Spec> {
  name: string;
  /** The function's one parameter, as the statement and the program name it. */
  arg: string;
  /** A random spec whose depth (number of non-default parts) is exactly `depth`, or undefined. */
  sample(rng: Rng, depth: number): Spec | undefined;
  /** The non-default parts, as ids unique within the family: their count is the depth, their pairs the composition. */
  parts(spec: Spec): string[];
  /** The specs with one non-default part removed (or set back to its default): each must differ on the tests. */
  ablations(spec: Spec): Spec[];
  /** The reference solution: `def f(arg):` and its body. */
  code(spec: Spec): string;
  /** The statement without the examples. */
  statement(spec: Spec, rng: Rng, phrasing: Phrasing): string;
  /** The return value on `input`; throws python.ts's OutOfRange when a value leaves the small-int range. */
  run(spec: Spec, input: Value): Value;
  /** A random argument. */
  input(rng: Rng): Value;
  /** Every list of paraphrases the statements use (frames and primitives); each one's last is held out. */
  templates: readonly (readonly string[])[];
}

// ---- helpers the families share ------------------------------------------------------------------

export function randInt(rng: Rng, lo: number, hi: number): number {
  return lo + Math.floor(rng.uniform() * (hi - lo + 1));
}

export function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[Math.floor(rng.uniform() * xs.length)];
}

export function choose<R>(rng: Rng, prims: readonly Prim<R>[]): Choice<R> {
  const prim = pick(rng, prims);
  return { prim, k: prim.k ? randInt(rng, prim.k[0], prim.k[1]) : 0 };
}

/** `text` with `{k}` replaced by the choice's parameter and every other `{name}` by `holes[name]`. */
export function fill(text: string, c: Choice<unknown> | undefined, holes: Record<string, string> = {}): string {
  const k = c === undefined ? '' : c.prim.show ? c.prim.show(c.k) : String(c.k);
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name === 'k' ? k : (holes[name] ?? m)));
}

/** The choice's Python code, its holes filled. */
export function py(c: Choice<unknown>, holes: Record<string, string> = {}): string {
  return fill(c.prim.py, c, holes);
}

/** The paraphrases a phrasing may use: train ones (all but the last) or the held-out one (the last). */
export function phrases(say: readonly string[], phrasing: Phrasing): readonly string[] {
  if (say.length < 2) throw new Error(`a primitive needs at least one train paraphrase and one held-out one, has ${say.length}`);
  return phrasing === 'train' ? say.slice(0, -1) : say.slice(-1);
}

/**
 * Held-out phrasing: the frame is always the held-out one; each part takes its held-out paraphrase with
 * probability 1/2 (the frame already makes the statement unseen). Train phrasing: train paraphrases only.
 */
export function say(rng: Rng, c: Choice<unknown>, phrasing: Phrasing, holes: Record<string, string> = {}): string {
  const p = phrasing === 'heldout' && rng.uniform() < 0.5 ? 'heldout' : 'train';
  return fill(pick(rng, phrases(c.prim.say, p)), c, holes);
}

export function frame(rng: Rng, frames: readonly string[], phrasing: Phrasing, holes: Record<string, string>): string {
  return fill(pick(rng, phrases(frames, phrasing)), undefined, holes);
}
