// The list family: f(xs) over a list of small integers, a pipeline of filters, maps and reorderings,
// then a reduction. For example (depth 3):
//   def f(xs):
//       xs = [x for x in xs if x > 2]
//       xs = sorted(xs, reverse=True)
//       return xs[0] if xs else 0
import type { Rng } from '../../search/rng';
import { randInt, type Prim, type Value } from './family';
import { pipelineFamily } from './pipeline';
import { div, int, mod, sorted } from './python';

type Stage = Prim<(xs: number[]) => number[]>;

const keep = (id: string, k: readonly [number, number] | undefined, cond: string, say: string[], test: (x: number, k: number) => boolean): Stage => ({
  id,
  k,
  py: `[x for x in xs if ${cond}]`,
  say,
  run: (k) => (xs) => xs.filter((x) => test(x, k)),
});

const each = (id: string, k: readonly [number, number] | undefined, expr: string, say: string[], f: (x: number, k: number) => number): Stage => ({
  id,
  k,
  py: `[${expr} for x in xs]`,
  say,
  run: (k) => (xs) => xs.map((x) => int(f(x, k))),
});

const STAGES: Stage[] = [
  keep('even', undefined, 'x % 2 == 0', ['keep the even numbers', 'keep only the even values', 'throw away the odd numbers'], (x) => mod(x, 2) === 0),
  keep('odd', undefined, 'x % 2 == 1', ['keep the odd numbers', 'keep only the odd values', 'throw away the even numbers'], (x) => mod(x, 2) === 1),
  keep('pos', undefined, 'x > 0', ['keep the positive numbers', 'keep only the values above zero', 'discard everything that is not positive'], (x) => x > 0),
  keep('neg', undefined, 'x < 0', ['keep the negative numbers', 'keep only the values below zero', 'discard everything that is not negative'], (x) => x < 0),
  keep('nonzero', undefined, 'x != 0', ['drop the zeros', 'remove every 0', 'leave out the zeros'], (x) => x !== 0),
  keep('gt', [-3, 5], 'x > {k}', ['keep the numbers greater than {k}', 'keep only the values above {k}', 'discard every value that is at most {k}'], (x, k) => x > k),
  keep('lt', [-5, 3], 'x < {k}', ['keep the numbers less than {k}', 'keep only the values below {k}', 'discard every value that is at least {k}'], (x, k) => x < k),
  keep('div', [3, 4], 'x % {k} == 0', ['keep the multiples of {k}', 'keep only the numbers divisible by {k}', 'discard every value that {k} does not divide'], (x, k) => mod(x, k) === 0),
  each('sq', undefined, 'x * x', ['square each number', 'replace each value by its square', 'multiply every number by itself'], (x) => x * x),
  each('mul', [2, 5], 'x * {k}', ['multiply each number by {k}', 'replace each value by {k} times it', 'scale every number by {k}'], (x, k) => x * k),
  each('add', [1, 9], 'x + {k}', ['add {k} to each number', 'increase each value by {k}', 'raise every number by {k}'], (x, k) => x + k),
  each('sub', [1, 9], 'x - {k}', ['subtract {k} from each number', 'decrease each value by {k}', 'lower every number by {k}'], (x, k) => x - k),
  each('negate', undefined, '-x', ['negate each number', 'flip the sign of each value', 'turn every number into its negative'], (x) => -x),
  each('abs', undefined, 'abs(x)', ['take the absolute value of each number', 'replace each value by its absolute value', 'drop the sign of every number'], (x) => Math.abs(x)),
  each('mod', [2, 5], 'x % {k}', ['replace each number by its remainder modulo {k}', 'take each value mod {k}', 'map every number to what is left after dividing it by {k}'], (x, k) => mod(x, k)),
  each('fdiv', [2, 3], 'x // {k}', ['floor-divide each number by {k}', 'replace each value by x // {k}', 'divide every number by {k}, rounding down'], (x, k) => div(x, k)),
  { id: 'sort', py: 'sorted(xs)', say: ['sort them in ascending order', 'sort the numbers from smallest to largest', 'arrange them in increasing order'], run: () => (xs) => sorted(xs) },
  { id: 'sortdesc', py: 'sorted(xs, reverse=True)', say: ['sort them in descending order', 'sort the numbers from largest to smallest', 'arrange them in decreasing order'], run: () => (xs) => sorted(xs, (x) => x, true) },
  {
    id: 'sortabs',
    py: 'sorted(xs, key=abs)',
    say: ['sort them by absolute value, keeping ties in order', 'stably sort the numbers by their absolute value', 'arrange them by distance from zero, ties in their original order'],
    run: () => (xs) => sorted(xs, Math.abs),
  },
  {
    id: 'sortabsdesc',
    py: 'sorted(xs, key=abs, reverse=True)',
    say: ['sort them by absolute value, largest first, keeping ties in order', 'stably sort the numbers by decreasing absolute value', 'arrange them from farthest to nearest to zero, ties in their original order'],
    run: () => (xs) => sorted(xs, Math.abs, true),
  },
  { id: 'rev', py: 'xs[::-1]', say: ['reverse them', 'reverse the order of the numbers', 'turn the list around'], run: () => (xs) => [...xs].reverse() },
  { id: 'take', k: [1, 3], py: 'xs[:{k}]', say: ['keep the first {k}', 'keep only the first {k} numbers', 'cut the list after its first {k} items'], run: (k) => (xs) => xs.slice(0, k) },
  { id: 'drop', k: [1, 3], py: 'xs[{k}:]', say: ['drop the first {k}', 'remove the first {k} numbers', 'cut off the first {k} items'], run: (k) => (xs) => xs.slice(k) },
  {
    id: 'dedup',
    py: 'list(dict.fromkeys(xs))',
    say: ['remove duplicates, keeping first occurrences', 'drop repeated values, keeping the first of each', 'keep each distinct value once, where it first appears'],
    run: () => (xs) => [...new Set(xs)],
  },
  {
    id: 'adjsum',
    py: '[a + b for a, b in zip(xs, xs[1:])]',
    say: ['replace them by the sums of neighbouring pairs', 'add each number to the one after it (one fewer result)', 'form the sums of adjacent items'],
    run: () => (xs) => xs.slice(1).map((b, i) => int(xs[i] + b)),
  },
  {
    id: 'diffs',
    py: '[b - a for a, b in zip(xs, xs[1:])]',
    say: ['replace them by the differences between neighbours (next minus current)', 'subtract each number from the one after it (one fewer result)', 'form the steps between adjacent items, later minus earlier'],
    run: () => (xs) => xs.slice(1).map((b, i) => int(b - xs[i])),
  },
];

const ENDS: Prim<(xs: number[]) => Value>[] = [
  { id: 'list', py: 'xs', say: ['return the resulting list', 'return the list', 'give back the list that remains'], run: () => (xs) => xs },
  { id: 'sum', py: 'sum(xs)', say: ['return their sum', 'return the total', 'give back the sum of what remains'], run: () => (xs) => int(xs.reduce((a, b) => a + b, 0)) },
  { id: 'len', py: 'len(xs)', say: ['return how many there are', 'return the count', 'give back the number of items left'], run: () => (xs) => xs.length },
  {
    id: 'max',
    py: 'max(xs, default=0)',
    say: ['return the largest, or 0 if none are left', 'return the maximum (0 for an empty list)', 'give back the biggest value, or 0 when nothing is left'],
    run: () => (xs) => (xs.length ? Math.max(...xs) : 0),
  },
  {
    id: 'min',
    py: 'min(xs, default=0)',
    say: ['return the smallest, or 0 if none are left', 'return the minimum (0 for an empty list)', 'give back the least value, or 0 when nothing is left'],
    run: () => (xs) => (xs.length ? Math.min(...xs) : 0),
  },
  {
    id: 'first',
    py: 'xs[0] if xs else 0',
    say: ['return the first one, or 0 if none are left', 'return the first item (0 for an empty list)', 'give back the leading value, or 0 when nothing is left'],
    run: () => (xs) => (xs.length ? xs[0] : 0),
  },
  {
    id: 'last',
    py: 'xs[-1] if xs else 0',
    say: ['return the last one, or 0 if none are left', 'return the final item (0 for an empty list)', 'give back the trailing value, or 0 when nothing is left'],
    run: () => (xs) => (xs.length ? xs[xs.length - 1] : 0),
  },
  {
    id: 'allpos',
    py: 'all(x > 0 for x in xs)',
    say: ['return whether all of them are positive (True for none)', 'return True if every remaining number is above zero, else False', 'give back whether no value left is zero or negative'],
    run: () => (xs) => xs.every((x) => x > 0),
  },
];

export const listFamily = pipelineFamily<number[]>({
  name: 'list',
  arg: 'xs',
  stages: STAGES,
  ends: ENDS,
  frames: [
    'Write a function f(xs) that takes a list of integers xs: {steps}, then {ret}.',
    'Define f(xs) for a list of integers xs. Take xs, {steps}, and {ret}.',
    'Implement f(xs): starting from the list of integers xs, {steps}; finally {ret}.',
    'Given a list xs of integers, f(xs) should {steps} and then {ret}.',
  ],
  noSteps: ['take all the numbers of xs', 'keep every number', 'consider the whole list'],
  input: (rng: Rng) => Array.from({ length: randInt(rng, 0, 8) }, () => randInt(rng, -9, 9)),
});
