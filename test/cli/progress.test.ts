// What `mars2 train --wait` / `--follow` print per metrics line (src/cli/progress.ts): an iteration line
// with the throughput, the reward and each agent's update, the time split, elapsed and ETA; an evaluation
// line with Pass@1; the live bar. On synthetic records (src/report/sample), so no stack is needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clock, formatBar, formatLine, progressLines, type IterationLine } from '../../src/cli/progress';
import { sampleMetrics } from '../../src/report/sample';
import type { IterationMetrics } from '../../src/report/metrics';

const split = { trainMs: 1000, generateMs: 2000, sandboxMs: 500, activityMs: 300, idleMs: 200 };
const records: IterationMetrics[] = sampleMetrics({ iterations: 3, problemsPerIteration: 2, budget: 4, evalEvery: 2 }).map((r) =>
  r.iteration === 1 ? { ...r, timing: { ...r.timing, wallMs: 4000, split } } : r,
);

test('one line per training iteration and one per evaluation, in file order, 1-based in text', () => {
  const lines = progressLines(records, 0, 3);
  assert.deepEqual(
    lines.map((l) => (l.type === 'eval' ? `eval ${l.after}` : `it ${l.iteration}`)),
    ['eval -1', 'it 0', 'it 1', 'eval 1', 'it 2'],
  );
  const text = lines.map(formatLine);
  assert.match(text[0], /^evaluation before training: Pass@1 0\.\d{3} \(agent\/qwen3-8b 0\.\d{3}, agent\/areal-8b 0\.\d{3}, system 0\.\d{3}, system\/qwen3-8b 0\.\d{3}, system\/areal-8b 0\.\d{3}\)$/);
  assert.match(text[3], /^evaluation after iteration 2: Pass@1 0\.\d{3} /);
  assert.match(text[2], /^iteration 2\/3  trees 2  nodes 8 \(2\.0\/s\)  gen \d+ tok\/s  reward \d\.\d{3}  qwen3-8b: reward (\d\.\d{3}|-) (no update|loss \S+ kl \S+ grad \d+\.\d{3}); areal-8b: /);
  assert.match(text[2], /  time 4\.0 s \(generate 50%, sandbox 13%, train 25%, other activity 8%, idle 5%\)  elapsed \d+:\d\d  ETA \d+:\d\d$/);
});

test('elapsed sums the training iterations; ETA is their mean wall time × iterations left; a later start gives the same figures', () => {
  const all = progressLines(records, 0, 3).filter((l): l is IterationLine => l.type === 'iteration');
  const walls = records.filter((r) => r.iteration >= 0).map((r) => r.timing.wallMs);
  assert.deepEqual(all.map((l) => l.elapsedMs), [walls[0], walls[0] + walls[1], walls[0] + walls[1] + walls[2]]);
  assert.equal(all[0].etaMs, 2 * walls[0]);
  assert.equal(all[2].etaMs, 0);
  assert.deepEqual(all.map((l) => l.done), [1, 2, 3]);
  // Following from the fourth record on (the first three already printed) continues the same numbers.
  assert.deepEqual(progressLines(records, 3, 3), progressLines(records, 0, 3).slice(4));
});

test('a single agent: its update without its name; JSON keeps the 0-based iteration', () => {
  const one = { ...records[1], agents: { coder: { nodes: 8, meanScore: 0.25, responseTokens: 100, policyVersion: 0, update: { step: 1, samples: 8, dropped: 0, loss: 0.1234, kl: 0.00012, clipFraction: 0, gradNorm: 0.8, lr: 1e-4 } } } };
  const [line] = progressLines([one], 0, 2);
  assert.match(formatLine(line), /^iteration 1\/2  .*  reward \d\.\d{3}  loss 0\.1234 kl 1\.20e-4 grad 0\.800  time /);
  assert.equal(JSON.parse(JSON.stringify(line)).iteration, 0);
});

test('the live bar and the clock', () => {
  assert.equal(clock(65_000), '1:05');
  assert.equal(clock(3_723_000), '1:02:03');
  assert.equal(formatBar({ done: 1, iterations: 4, iteration: 1, phase: 'search', elapsedMs: 12_000, etaMs: 36_000 }), '[#####···············] 1/4 done · iteration 2: search · elapsed 0:12 · ETA 0:36');
  assert.match(formatBar({ done: 0, iterations: 4, iteration: 0, phase: 'eval', elapsedMs: 0, etaMs: null }), /ETA -$/);
});
