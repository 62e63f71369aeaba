// The first and the last evaluation of a run side by side, with 95% intervals: what `mars2 report` prints
// under the page's path and the main job ends with. Pure: metrics records in, rows and text out.
//
// Each Pass@1 is a proportion of n held-out problems; its interval is Wilson's score interval (right near
// 0 and 1, where the normal one leaves [0, 1]). The change's interval is the normal one of a difference of
// two independent proportions, sqrt(p₁(1−p₁)/n₁ + p₂(1−p₂)/n₂): the two evaluations run the same
// problems, so a paired interval would be narrower; this one errs wide.
import type { EvalMetrics, IterationMetrics } from './metrics';

const Z95 = 1.959964;

export interface Interval {
  lo: number;
  hi: number;
}

/** Wilson's score interval of k/n successes (95% by default). */
export function wilson(p: number, n: number, z = Z95): Interval {
  if (n === 0) return { lo: 0, hi: 1 };
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { lo: Math.max(0, centre - half), hi: Math.min(1, centre + half) };
}

/** The normal interval of p₂ − p₁ for independent samples of n₁ and n₂. */
export function differenceInterval(p1: number, n1: number, p2: number, n2: number, z = Z95): Interval {
  const d = p2 - p1;
  const half = z * Math.sqrt((n1 ? (p1 * (1 - p1)) / n1 : 0.25) + (n2 ? (p2 * (1 - p2)) / n2 : 0.25));
  return { lo: d - half, hi: d + half };
}

export interface BeforeAfterRow {
  /** 'agent <name>', 'system', or 'system: <name>' (an agent's nodes in the joint trees). */
  who: string;
  /** Which figure: Pass@1 (agent trees) or Pass@1(MCTS) (the system's best node). */
  metric: 'pass1' | 'pass1Mcts';
  n: number;
  before: number;
  after: number;
  beforeCi: Interval;
  afterCi: Interval;
  change: number;
  changeCi: Interval;
}

export interface BeforeAfter {
  /** Iteration of the first evaluation (−1: before training) and of the last. */
  first: number;
  last: number;
  rows: BeforeAfterRow[];
}

function rowsOf(e: EvalMetrics): Map<string, { metric: BeforeAfterRow['metric']; p: number; n: number }> {
  const m = new Map<string, { metric: BeforeAfterRow['metric']; p: number; n: number }>();
  for (const [name, s] of Object.entries(e.agent ?? {})) m.set(`agent ${name}`, { metric: 'pass1', p: s.pass1, n: s.trees });
  if (e.system) {
    m.set('system', { metric: 'pass1Mcts', p: e.system.system.pass1Mcts, n: e.system.system.trees });
    for (const [name, s] of Object.entries(e.system.agents)) m.set(`system: ${name}`, { metric: 'pass1', p: s.pass1, n: s.trees });
  }
  return m;
}

/** The run's first and last evaluations compared, or null with fewer than two. */
export function beforeAfter(records: readonly IterationMetrics[]): BeforeAfter | null {
  const evals = records.filter((r) => r.eval !== null);
  if (evals.length < 2) return null;
  const [a, b] = [evals[0]!, evals.at(-1)!];
  const before = rowsOf(a.eval!);
  const rows: BeforeAfterRow[] = [];
  for (const [who, y] of rowsOf(b.eval!)) {
    const x = before.get(who);
    if (!x) continue;
    rows.push({
      who, metric: y.metric, n: y.n, before: x.p, after: y.p, beforeCi: wilson(x.p, x.n), afterCi: wilson(y.p, y.n),
      change: y.p - x.p, changeCi: differenceInterval(x.p, x.n, y.p, y.n),
    });
  }
  return { first: a.iteration, last: b.iteration, rows };
}

const f3 = (x: number) => x.toFixed(3);
const signed = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(3)}`;

/** A plain-text table of `beforeAfter`'s rows. */
export function formatBeforeAfter(t: BeforeAfter): string {
  const when = (i: number) => (i < 0 ? 'before training' : `after iteration ${i + 1}`);
  const head = ['', 'figure', 'problems', when(t.first), when(t.last), 'change'];
  const body = t.rows.map((r) => [
    r.who, r.metric === 'pass1' ? 'Pass@1' : 'Pass@1(MCTS)', String(r.n),
    `${f3(r.before)} [${f3(r.beforeCi.lo)}, ${f3(r.beforeCi.hi)}]`,
    `${f3(r.after)} [${f3(r.afterCi.lo)}, ${f3(r.afterCi.hi)}]`,
    `${signed(r.change)} [${signed(r.changeCi.lo)}, ${signed(r.changeCi.hi)}]`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(head), ...body.map(line), '(95% intervals: Wilson for each figure; the change: normal, unpaired)'].join('\n');
}
