// The verdict's priority between the clocks and memory (src/sandbox/verdict.ts), on measured runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classify } from '../../src/sandbox/verdict';
import { DEFAULT_LIMITS, type RawRun } from '../../src/sandbox';

const MiB = 1 << 20;
const limits = { ...DEFAULT_LIMITS, cpuS: 1, memoryBytes: 256 * MiB };
const problem = { style: 'stdio' as const, checker: { kind: 'exact' as const } };
const testCase = { input: '', output: 'x\n' };

function raw(over: Partial<RawRun>): RawRun {
  return {
    exitCode: null, signal: 9, cpuS: 1.01, wallS: 1.2, maxRssBytes: 40 * MiB, killed: null, oom: false,
    stdout: Buffer.alloc(0), stdoutTotal: 0, stderr: Buffer.alloc(0), stderrTotal: 0, records: [], anomalies: [], ...over,
  };
}

test('a program stopped by the CPU clock while over its memory limit is MLE (thrashing at the cap)', () => {
  const r = classify(raw({ killed: 'cpu', maxRssBytes: 400 * MiB }), problem, testCase, limits, 200);
  assert.equal(r.verdict, 'MLE');
  assert.match(r.detail, /400 MiB over the 256 MiB limit/);
});

test('an OOM kill is MLE even when the wall clock also ran out', () => {
  assert.equal(classify(raw({ killed: 'wall', oom: true }), problem, testCase, limits, 200).verdict, 'MLE');
});

test('a program under its memory limit stopped by a clock is TLE', () => {
  assert.equal(classify(raw({ killed: 'cpu' }), problem, testCase, limits, 200).verdict, 'TLE');
  const idle = classify(raw({ killed: 'wall', cpuS: 0.01 }), problem, testCase, limits, 200);
  assert.equal(idle.verdict, 'TLE');
  assert.equal(idle.idle, true);
});
