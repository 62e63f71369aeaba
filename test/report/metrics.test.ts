// The metrics file: records round-trip through a line each; a bad line is named with its number and
// field; timing is the only part allowed to differ between two runs with the same seed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatMetricsLine, parseMetrics, withoutTiming, type IterationMetrics } from '../../src/report';
import { sampleMetrics } from '../../src/report/sample';

const records = sampleMetrics({ iterations: 6, problemsPerIteration: 3, budget: 4, evalEvery: 2 });
const lines = records.map(formatMetricsLine);

test('records round-trip through the JSON-lines file, one line each', () => {
  assert.ok(lines.every((l) => l.endsWith('\n') && l.indexOf('\n') === l.length - 1));
  assert.deepEqual(parseMetrics(lines.join('')), records);
  assert.deepEqual(parseMetrics(`\n${lines.join('\n')}\n\n`), records, 'blank lines are skipped');
  assert.deepEqual(records.map((r) => r.iteration), [-1, 0, 1, 2, 3, 4, 5]);
});

function withLine(n: number, change: (r: any) => unknown): string {
  const copy = lines.map((l) => JSON.parse(l));
  copy[n - 1] = change(copy[n - 1]);
  return copy.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n');
}

test('a bad line is reported with its file, line number and field', () => {
  assert.throws(() => parseMetrics(withLine(3, () => '{"v": 1,'), 'runs/r1/metrics.jsonl'), {
    name: 'MetricsFileError',
    message: /^runs\/r1\/metrics\.jsonl:3: not valid JSON \(.*\); expected one record per line$/,
  });
  const name = Object.keys(records[2].agents)[0];
  const bad = withLine(3, (r) => ((r.agents[name].meanScore = 'high'), r));
  assert.throws(() => parseMetrics(bad), { message: `metrics.jsonl:3: agents.${name}.meanScore: expected a number, found "high"` });
  assert.throws(() => parseMetrics(withLine(2, (r) => ({ ...r, extra: 1 }))), {
    message: /^metrics\.jsonl:2: extra: unknown key \(expected one of: v, iteration, problems, nodes, reward, agents, trees, eval, timing\)$/,
  });
});

test('iterations must increase (a record appended twice is caught)', () => {
  const twice = [lines[0], lines[1], lines[1]].join('');
  assert.throws(() => parseMetrics(twice), { message: /^metrics\.jsonl:3: iteration 0 follows iteration 0; expected increasing iterations/ });
});

test('tree shapes are checked: one entry per node, parents earlier', () => {
  const short = withLine(2, (r) => ((r.trees[0].scores = r.trees[0].scores.slice(1)), r));
  assert.throws(() => parseMetrics(short), { message: /^metrics\.jsonl:2: trees\[0\]: parents, agents and scores must have one entry per node, found 4, 4, 3$/ });
  const loop = withLine(2, (r) => ((r.trees[1].parents[2] = 2), r));
  assert.throws(() => parseMetrics(loop), { message: /^metrics\.jsonl:2: trees\[1\]: parents\[2\] is 2; a parent must be an earlier node/ });
});

test('formatMetricsLine refuses a record that would not parse back', () => {
  const bad = { ...records[1], nodes: -1 } as IterationMetrics;
  assert.throws(() => formatMetricsLine(bad), { message: 'metrics record for iteration 0: nodes: expected a number >= 0, found -1' });
});

test('withoutTiming: two runs that differ only in wall-clock figures compare equal', () => {
  const slower = records.map((r) => ({ ...r, timing: { ...r.timing, wallMs: r.timing.wallMs * 2 + 1 } }));
  assert.notDeepEqual(slower, records);
  assert.deepEqual(withoutTiming(slower), withoutTiming(records));
});

test('lines written before the hack rate and rewards.tests existed read as nothing checked, public reward', () => {
  const old = withLine(3, (r) => {
    delete r.reward.hack;
    delete r.reward.tests;
    for (const s of Object.values(r.eval?.agent ?? {}) as any[]) delete s.hack;
    return r;
  });
  const [, , third] = parseMetrics(old);
  assert.deepEqual(third.reward.hack, { hacked: 0, checked: 0, rate: null });
  assert.equal(third.reward.tests, 'public');
  for (const s of Object.values(third.eval?.agent ?? {})) assert.deepEqual(s.hack, { hacked: 0, checked: 0, rate: null });
  assert.ok(records[2].reward.hack.checked > 0, 'the sample records carry hack figures');
});

test('hack figures must add up: hacked ≤ checked, rate = hacked / checked', () => {
  assert.throws(() => parseMetrics(withLine(2, (r) => ((r.reward.hack = { hacked: 3, checked: 2, rate: 1.5 }), r))), { message: /^metrics\.jsonl:2: reward\.hack/ });
  assert.throws(() => parseMetrics(withLine(2, (r) => ((r.reward.hack = { hacked: 1, checked: 4, rate: 0.5 }), r))), {
    message: /^metrics\.jsonl:2: reward\.hack: expected hacked ≤ checked and rate = hacked \/ checked/,
  });
});
