// The loop family: f(n) for a small n ≥ 0, an accumulator over a range. Slots: the range, a condition on
// i, the term, how the term updates t, and what is returned. For example (depth 4):
//   def f(n):
//       t = 0
//       for i in range(1, n + 1):
//           if i % 3 == 0:
//               t = max(t, i * i)
//       return t % 7
import { frame, py, randInt, say, type Prim } from './family';
import { div, int, mod } from './python';
import { slotFamily, type Slot, type SlotSpec } from './slots';

const range = (a: number, b: number, step = 1): number[] => {
  const out: number[] = [];
  for (let i = a; step > 0 ? i < b : i > b; i += step) out.push(i);
  return out;
};

const RANGES: Prim<(n: number) => number[]>[] = [
  { id: 'below', py: 'range(n)', say: ['from 0 up to n - 1', 'in range(n)', 'below n, starting at 0'], run: () => (n) => range(0, n) },
  { id: 'incl', py: 'range(1, n + 1)', say: ['from 1 up to n', 'in 1, 2, ..., n', 'between 1 and n inclusive'], run: () => (n) => range(1, n + 1) },
  { id: 'from', k: [2, 3], py: 'range({k}, n)', say: ['from {k} up to n - 1', 'in range({k}, n)', 'starting at {k} and staying below n'], run: (k) => (n) => range(k, n) },
  { id: 'step2', py: 'range(0, n, 2)', say: ['in 0, 2, 4, ... below n', 'among the even numbers from 0 to n - 1', 'stepping by 2 from 0 while below n'], run: () => (n) => range(0, n, 2) },
  { id: 'down', py: 'range(n, 0, -1)', say: ['from n down to 1', 'in n, n - 1, ..., 1', 'counting down from n to 1'], run: () => (n) => range(n, 0, -1) },
];

const CONDS: Prim<(i: number) => boolean>[] = [
  { id: 'any', py: 'True', say: ['', ''], run: () => () => true },
  { id: 'odd', py: 'i % 2 == 1', say: ['that is odd', 'with i odd', 'whenever i is not even'], run: () => (i) => mod(i, 2) === 1 },
  { id: 'div', k: [3, 4], py: 'i % {k} == 0', say: ['that is divisible by {k}', 'with i a multiple of {k}', 'whenever {k} divides i'], run: (k) => (i) => mod(i, k) === 0 },
  { id: 'ndiv', k: [2, 3], py: 'i % {k} != 0', say: ['that is not divisible by {k}', 'with i not a multiple of {k}', 'whenever {k} does not divide i'], run: (k) => (i) => mod(i, k) !== 0 },
  { id: 'gt', k: [2, 4], py: 'i > {k}', say: ['greater than {k}', 'with i above {k}', 'whenever i exceeds {k}'], run: (k) => (i) => i > k },
];

const TERMS: Prim<(i: number, n: number) => number>[] = [
  { id: 'i', py: 'i', say: ['i', 'the value of i'], run: () => (i) => i },
  { id: 'sq', py: 'i * i', say: ['i squared', 'i * i', 'the square of i'], run: () => (i) => i * i },
  { id: 'mul', k: [2, 4], py: '{k} * i', say: ['{k} times i', '{k} * i', 'i multiplied by {k}'], run: (k) => (i) => k * i },
  { id: 'add', k: [1, 5], py: 'i + {k}', say: ['i plus {k}', 'i + {k}', '{k} more than i'], run: (k) => (i) => i + k },
  { id: 'mod', k: [3, 5], py: 'i % {k}', say: ['i mod {k}', 'the remainder of i divided by {k}', 'what is left of i after dividing it by {k}'], run: (k) => (i) => mod(i, k) },
  { id: 'half', py: 'i // 2', say: ['i // 2', 'half of i, rounded down', 'i halved and floored'], run: () => (i) => div(i, 2) },
  { id: 'rest', py: 'n - i', say: ['n minus i', 'n - i', 'the distance from i up to n'], run: () => (i, n) => n - i },
];

const ACCS: Prim<(t: number, e: number) => number>[] = [
  { id: 'add', py: 't += {e}', say: ['add {e} to t', 'increase t by {e}', 'grow t by {e}'], run: () => (t, e) => t + e },
  { id: 'sub', py: 't -= {e}', say: ['subtract {e} from t', 'decrease t by {e}', 'shrink t by {e}'], run: () => (t, e) => t - e },
  { id: 'max', py: 't = max(t, {e})', say: ['set t to the larger of t and {e}', 'replace t by max(t, {e})', 'raise t to {e} when that is bigger'], run: () => (t, e) => Math.max(t, e) },
  { id: 'alt', py: 't = {e} - t', say: ['set t to {e} minus t', 'replace t by {e} - t', 'let t become {e} minus its old value'], run: () => (t, e) => e - t },
  { id: 'lin', py: 't = 2 * t + {e}', say: ['set t to twice t plus {e}', 'replace t by 2 * t + {e}', 'double t and then add {e}'], run: () => (t, e) => 2 * t + e },
];

const POSTS: Prim<(t: number, n: number) => number>[] = [
  { id: 't', py: 't', say: ['return t', 'return the final t', 'give back t at the end'], run: () => (t) => t },
  { id: 'mod', k: [5, 9], py: 't % {k}', say: ['return t modulo {k}', 'return t % {k}', 'give back the remainder of t divided by {k}'], run: (k) => (t) => mod(t, k) },
  { id: 'minus', py: 't - n', say: ['return t minus n', 'return t - n', 'give back t reduced by n'], run: () => (t, n) => t - n },
  { id: 'abs', py: 'abs(t)', say: ['return the absolute value of t', 'return abs(t)', 'give back t without its sign'], run: () => (t) => Math.abs(t) },
];

const SLOTS: Slot[] = [
  { name: 'range', prims: RANGES },
  { name: 'cond', prims: CONDS },
  { name: 'term', prims: TERMS },
  { name: 'acc', prims: ACCS },
  { name: 'post', prims: POSTS },
];

const FRAMES = [
  'Write a function f(n) for an integer n >= 0. Start with t = 0. For each i {range}{cond}, {acc}. Then {post}.',
  'Define f(n), n a non-negative integer: let t = 0; for every i {range}{cond}, {acc}; then {post}.',
  'Implement f(n). Set t to 0, and for each i {range}{cond}, {acc}. Finally {post}.',
  'Given an integer n >= 0, f(n) should start from t = 0 and, for every i {range}{cond}, {acc}; at the end it should {post}.',
];

export const loopFamily = slotFamily({
  name: 'loop',
  arg: 'n',
  slots: SLOTS,
  frames: FRAMES,
  valid: () => true,
  code(s: SlotSpec) {
    const update = py(s.acc, { e: py(s.term) });
    const body = s.cond.prim.id === 'any' ? [`        ${update}`] : [`        if ${py(s.cond)}:`, `            ${update}`];
    return ['def f(n):', '    t = 0', `    for i in ${py(s.range)}:`, ...body, `    return ${py(s.post)}`].join('\n');
  },
  statement(s, rng, phrasing) {
    const cond = s.cond.prim.id === 'any' ? '' : ` ${say(rng, s.cond, phrasing)}`;
    return frame(rng, FRAMES, phrasing, {
      range: say(rng, s.range, phrasing),
      cond,
      acc: say(rng, s.acc, phrasing, { e: say(rng, s.term, phrasing) }),
      post: say(rng, s.post, phrasing),
    });
  },
  run(s, input) {
    const n = input as number;
    const [cond, term, acc] = [s.cond.prim.run(s.cond.k), s.term.prim.run(s.term.k), s.acc.prim.run(s.acc.k)];
    let t = 0;
    for (const i of s.range.prim.run(s.range.k)(n)) if (cond(i)) t = int(acc(t, int(term(i, n))));
    return int(s.post.prim.run(s.post.k)(t, n));
  },
  input: (rng) => randInt(rng, 0, 15),
});
