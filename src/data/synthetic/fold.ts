// The fold family: f(xs) over a list of small integers, a stateful pass with an accumulator t. Slots: t's
// start, a condition on x, the update when it holds, what happens otherwise, and what is returned (t, its
// running values, or its maximum over the pass). For example (depth 4, the longest run of positives):
//   def f(xs):
//       t = 0
//       b = t
//       for x in xs:
//           if x > 0:
//               t += 1
//           else:
//               t = 0
//           b = max(b, t)
//       return b
import { frame, py, randInt, say, type Prim } from './family';
import { int, mod } from './python';
import { slotFamily, type Slot, type SlotSpec } from './slots';

const INITS: Prim<() => number>[] = [
  { id: 'zero', py: '0', say: ['start with t = 0', 'let t begin at 0', 'initialise t to 0'], run: () => () => 0 },
  { id: 'k', k: [1, 5], py: '{k}', say: ['start with t = {k}', 'let t begin at {k}', 'initialise t to {k}'], run: (k) => () => k },
];

const CONDS: Prim<(x: number) => boolean>[] = [
  { id: 'any', py: 'True', say: ['', ''], run: () => () => true },
  { id: 'even', py: 'x % 2 == 0', say: ['that is even', 'with x even', 'whenever x is even'], run: () => (x) => mod(x, 2) === 0 },
  { id: 'odd', py: 'x % 2 == 1', say: ['that is odd', 'with x odd', 'whenever x is odd'], run: () => (x) => mod(x, 2) === 1 },
  { id: 'pos', py: 'x > 0', say: ['that is positive', 'with x above zero', 'whenever x is positive'], run: () => (x) => x > 0 },
  { id: 'gt', k: [-2, 3], py: 'x > {k}', say: ['greater than {k}', 'with x above {k}', 'whenever x exceeds {k}'], run: (k) => (x) => x > k },
  { id: 'div', k: [3, 4], py: 'x % {k} == 0', say: ['that is divisible by {k}', 'with x a multiple of {k}', 'whenever {k} divides x'], run: (k) => (x) => mod(x, k) === 0 },
  { id: 'lt', k: [-3, 2], py: 'x < {k}', say: ['less than {k}', 'with x below {k}', 'whenever x is under {k}'], run: (k) => (x) => x < k },
];

const UPDATES: Prim<(t: number, x: number) => number>[] = [
  { id: 'add', py: 't += x', say: ['add x to t', 'increase t by x', 'grow t by x'], run: () => (t, x) => t + x },
  { id: 'sq', py: 't += x * x', say: ['add x squared to t', 'increase t by x * x', 'grow t by the square of x'], run: () => (t, x) => t + x * x },
  { id: 'abs', py: 't += abs(x)', say: ['add the absolute value of x to t', 'increase t by abs(x)', 'grow t by x without its sign'], run: () => (t, x) => t + Math.abs(x) },
  { id: 'count', py: 't += 1', say: ['add 1 to t', 'increase t by one', 'count it in t'], run: () => (t) => t + 1 },
  { id: 'max', py: 't = max(t, x)', say: ['set t to the larger of t and x', 'replace t by max(t, x)', 'raise t to x when x is bigger'], run: () => (t, x) => Math.max(t, x) },
  { id: 'min', py: 't = min(t, x)', say: ['set t to the smaller of t and x', 'replace t by min(t, x)', 'lower t to x when x is smaller'], run: () => (t, x) => Math.min(t, x) },
  { id: 'alt', py: 't = x - t', say: ['set t to x minus t', 'replace t by x - t', 'let t become x minus its old value'], run: () => (t, x) => x - t },
  { id: 'lin', py: 't = 2 * t + x', say: ['set t to twice t plus x', 'replace t by 2 * t + x', 'double t and then add x'], run: () => (t, x) => 2 * t + x },
];

const ELSES: Prim<(t: number, x: number) => number>[] = [
  { id: 'none', py: '', say: ['', ''], run: () => (t) => t },
  { id: 'reset', py: 't = 0', say: ['otherwise reset t to 0', 'for any other x set t back to 0', 'and let every other x zero t'], run: () => () => 0 },
  { id: 'dec', py: 't -= 1', say: ['otherwise subtract 1 from t', 'for any other x decrease t by one', 'and let every other x take one off t'], run: () => (t) => t - 1 },
  { id: 'sub', py: 't -= x', say: ['otherwise subtract x from t', 'for any other x decrease t by x', 'and let every other x be taken off t'], run: () => (t, x) => t - x },
  { id: 'neg', py: 't = -t', say: ['otherwise negate t', 'for any other x flip the sign of t', 'and let every other x turn t into -t'], run: () => (t) => -t },
];

const EMITS: Prim<null>[] = [
  { id: 'final', py: 't', say: ['return t', 'return the final value of t', 'give back t'], run: () => null },
  {
    id: 'scan',
    py: 'out',
    say: ['return the list of the values t has after each element', 'return the running values of t, one per element', 'give back every value t takes, one per element, in order'],
    run: () => null,
  },
  {
    id: 'best',
    py: 'b',
    say: ['return the largest value t ever takes, its start included', 'return the maximum of t over the whole pass, including its start', 'give back the highest t seen at any point'],
    run: () => null,
  },
];

const SLOTS: Slot[] = [
  { name: 'init', prims: INITS },
  { name: 'cond', prims: CONDS },
  { name: 'update', prims: UPDATES },
  { name: 'else', prims: ELSES },
  { name: 'emit', prims: EMITS },
];

const FRAMES = [
  'Write a function f(xs) for a list of integers xs: {init}; for each x in xs{cond}, {update}{else}. Then {emit}.',
  'Define f(xs) for a list of integers xs. First {init}. Go through xs in order, and for each x{cond}, {update}{else}. Finally {emit}.',
  'Implement f(xs) as a pass over the list of integers xs: {init}; for every x in it{cond}, {update}{else}; then {emit}.',
  'Given a list xs of integers, f(xs) should {init} and then, for each x of xs in turn{cond}, {update}{else}; at the end it should {emit}.',
];

export const foldFamily = slotFamily({
  name: 'fold',
  arg: 'xs',
  slots: SLOTS,
  frames: FRAMES,
  valid: (s) => s.else.prim.id === 'none' || s.cond.prim.id !== 'any',
  code(s: SlotSpec) {
    const emit = s.emit.prim.id;
    const update = s.cond.prim.id === 'any' ? [`        ${py(s.update)}`] : [`        if ${py(s.cond)}:`, `            ${py(s.update)}`];
    const otherwise = s.else.prim.id === 'none' ? [] : ['        else:', `            ${py(s.else)}`];
    return [
      'def f(xs):',
      `    t = ${py(s.init)}`,
      ...(emit === 'best' ? ['    b = t'] : emit === 'scan' ? ['    out = []'] : []),
      '    for x in xs:',
      ...update,
      ...otherwise,
      ...(emit === 'best' ? ['        b = max(b, t)'] : emit === 'scan' ? ['        out.append(t)'] : []),
      `    return ${py(s.emit)}`,
    ].join('\n');
  },
  statement(s, rng, phrasing) {
    return frame(rng, FRAMES, phrasing, {
      init: say(rng, s.init, phrasing),
      cond: s.cond.prim.id === 'any' ? '' : ` ${say(rng, s.cond, phrasing)}`,
      update: say(rng, s.update, phrasing),
      else: s.else.prim.id === 'none' ? '' : `, ${say(rng, s.else, phrasing)}`,
      emit: say(rng, s.emit, phrasing),
    });
  },
  run(s, input) {
    const xs = input as number[];
    const [cond, update, otherwise] = [s.cond.prim.run(s.cond.k), s.update.prim.run(s.update.k), s.else.prim.run(s.else.k)];
    let t = s.init.prim.run(s.init.k)();
    let b = t;
    const out: number[] = [];
    for (const x of xs) {
      t = int(cond(x) ? update(t, x) : otherwise(t, x));
      b = Math.max(b, t);
      out.push(t);
    }
    return s.emit.prim.id === 'best' ? b : s.emit.prim.id === 'scan' ? out : t;
  },
  input: (rng) => Array.from({ length: randInt(rng, 0, 8) }, () => randInt(rng, -9, 9)),
});
