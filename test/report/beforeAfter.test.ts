// The first-against-last evaluation table (src/report/beforeAfter.ts): Wilson intervals against known
// values, the difference interval, and the rows a run's metrics give.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { beforeAfter, differenceInterval, formatBeforeAfter, wilson } from '../../src/report/beforeAfter';
import { sampleMetrics } from '../../src/report/sample';

const close = (a: number, b: number, tol = 5e-4) => assert.ok(Math.abs(a - b) <= tol, `${a} ≠ ${b}`);

test("Wilson's interval matches published values and stays inside [0, 1]", () => {
  // statsmodels proportion_confint(50, 100, method='wilson') = (0.4038, 0.5962); (0, 20) = (0, 0.1611).
  const a = wilson(0.5, 100);
  close(a.lo, 0.4038);
  close(a.hi, 0.5962);
  const b = wilson(0, 20);
  close(b.lo, 0);
  close(b.hi, 0.1611);
  const c = wilson(1, 20);
  close(c.hi, 1);
  close(c.lo, 1 - 0.1611);
});

test('the change interval is the unpaired normal one', () => {
  const d = differenceInterval(0.2, 500, 0.35, 500);
  const half = 1.959964 * Math.sqrt((0.2 * 0.8 + 0.35 * 0.65) / 500);
  close(d.lo, 0.15 - half, 1e-12);
  close(d.hi, 0.15 + half, 1e-12);
});

test("a run's first and last evaluations give one row per agent and for the system, with the change", () => {
  const records = sampleMetrics({ iterations: 6, problemsPerIteration: 3, budget: 4, evalEvery: 2 });
  const evals = records.filter((r) => r.eval);
  const t = beforeAfter(records)!;
  assert.equal(t.first, evals[0]!.iteration);
  assert.equal(t.last, evals.at(-1)!.iteration);
  const last = evals.at(-1)!.eval!;
  const names = Object.keys(last.agent ?? {});
  assert.ok(names.length > 0);
  for (const n of names) {
    const row = t.rows.find((r) => r.who === `agent ${n}`)!;
    assert.equal(row.after, last.agent![n]!.pass1);
    assert.equal(row.before, evals[0]!.eval!.agent![n]!.pass1);
    close(row.change, row.after - row.before, 1e-12);
    assert.ok(row.afterCi.lo <= row.after && row.after <= row.afterCi.hi);
  }
  const text = formatBeforeAfter(t);
  for (const n of names) assert.match(text, new RegExp(`^agent ${n} +Pass@1`, 'm'));
  assert.equal(beforeAfter(records.slice(0, 1)), null, 'one evaluation: nothing to compare');
});
