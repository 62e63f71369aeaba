// `mars2 train --wait` / `--follow` progress and failures you can see, on the real test stack: piped
// output is one line per iteration with its time split; --json lines parse; --follow on a finished run
// prints its lines and exits 0; with the worker stopped, ping / status / train say at once that no worker
// polls (exit 1, no stack trace), and the worker is started again after; --json errors are an object on
// stderr; `mars2 runs | head` ends without an EPIPE trace.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { crashWorker, up } from '../../src/stack';
import { writeRunConfig } from '../helpers/runConfig';
import { treeFixture, type TreeFixture } from '../helpers/searchTree';
import { mars2 as cli, ROOT } from '../helpers/cli';

const mars2 = (...args: string[]) => cli(args, { timeoutMs: 300_000 });
const STACK_TRACE = /\n\s+at /;
const ITERATION_LINE =
  /^iteration (\d)\/2 {2}trees 2 {2}nodes 4 \(\d+\.\d\/s\) {2}gen \d+ tok\/s {2}reward \d\.\d{3} {2}loss \S+ kl \S+ grad \d+\.\d{3} {2}time \d+\.\d s \(generate \d+%, sandbox \d+%, train \d+%, other activity \d+%, idle \d+%\) {2}elapsed \d+:\d\d {2}ETA \d+:\d\d$/;

let f: TreeFixture;
let runId: string;
let file: string;
before(async () => {
  f = await treeFixture();
  runId = `test-progress-${Date.now()}`;
  file = writeRunConfig(f, { runId });
});
after(async () => {
  await f.client.connection.close();
});

test('train --wait, piped: a header, one line per iteration with the time split, then the end; --follow prints the same lines and exits 0', () => {
  const wait = mars2('train', '--config', file, '--wait');
  assert.equal(wait.status, 0, wait.stderr);
  const lines = wait.stdout.trim().split('\n');
  assert.match(lines[0], new RegExp(`^started run ${runId} \\(2 iterations\\); following it until it ends`));
  assert.deepEqual(lines.slice(1, 3).map((l) => ITERATION_LINE.exec(l)?.[1]), ['1', '2'], lines.join('\n'));
  assert.match(lines[3], new RegExp(`^run ${runId} completed; metrics: .*metrics\\.jsonl; report: mars2 report ${runId}$`));
  assert.equal(lines.length, 4);
  assert.doesNotMatch(wait.stdout, /\x1b/, 'no terminal control codes when piped');

  const follow = mars2('train', '--follow', runId);
  assert.equal(follow.status, 0, follow.stderr);
  assert.deepEqual(follow.stdout.trim().split('\n'), lines.slice(1), 'the finished run: the same lines, at once');

  const json = mars2('train', '--follow', runId, '--json');
  assert.equal(json.status, 0, json.stderr);
  const records = json.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(records.map((r) => r.type), ['iteration', 'iteration', 'run']);
  assert.deepEqual(records.slice(0, 2).map((r) => [r.iteration, r.done, r.iterations, r.trees, r.nodes]), [[0, 1, 2, 2, 4], [1, 2, 2, 2, 4]], '0-based iteration, as the metrics file');
  for (const r of records.slice(0, 2)) {
    const s = r.split;
    const sum = s.trainMs + s.generateMs + s.sandboxMs + s.activityMs + s.idleMs;
    assert.ok(Math.abs(sum - r.wallMs) <= 5, `the split adds up to the wall time: ${JSON.stringify(s)} against ${r.wallMs} ms`);
    assert.ok(Number.isFinite(r.agents.qwen2.loss) && Number.isFinite(r.agents.qwen2.kl) && Number.isFinite(r.agents.qwen2.gradNorm));
  }
  assert.equal(records[1].etaMs, 0);
  assert.deepEqual({ ...records[2], config: undefined, metrics: undefined }, { type: 'run', runId, attached: true, status: 'COMPLETED', iterations: 2, config: undefined, metrics: undefined });

  const status = mars2('status', runId);
  assert.match(status.stdout, new RegExp(`run ${runId}: completed, iteration 2 of 2 \\(done\\)\\n.*\\n {2}last metrics \\(iteration 2\\)`), 'status counts iterations as train does');
});

test('--json errors are one object on stderr; an unknown run is one line, no stack trace', () => {
  const missing = mars2('train', '--follow', 'no-such-run', '--json');
  assert.equal(missing.status, 1);
  assert.deepEqual(JSON.parse(missing.stderr), { error: "no run 'no-such-run' in namespace mars2; list runs with: mars2 runs", code: 1, command: 'train' });
  const usage = mars2('status', '--json');
  assert.equal(usage.status, 2);
  assert.equal(JSON.parse(usage.stderr).code, 2);
});

test('mars2 runs | head: the output ends without an EPIPE trace', () => {
  // head -n 0 exits at once, so every line runs writes finds the pipe closed.
  const res = spawnSync('bash', ['-c', `set -o pipefail; "${join(ROOT, 'mars2')}" runs | head -n 0`], { encoding: 'utf8', env: { ...process.env, MARS2_STACK: 'test' }, timeout: 60_000 });
  assert.equal(res.status, 0, res.stderr);
  assert.doesNotMatch(res.stderr, /EPIPE/);
});

test('with the worker stopped, ping / status / train say at once that no worker polls, and name mars2 up', async () => {
  const killed = await crashWorker(f.cfg);
  assert.ok(killed, 'the test stack had a worker');
  try {
    for (const args of [['ping'], ['status', runId], ['train', '--config', writeRunConfig(f, { runId: `${runId}-2` })]]) {
      const t0 = Date.now();
      const res = cli(args, { timeoutMs: 30_000 });
      const ms = Date.now() - t0;
      assert.equal(res.status, 1, `mars2 ${args[0]}: exit 1; stdout ${res.stdout}; stderr ${res.stderr}`);
      assert.match(res.stderr, new RegExp(`^mars2 ${args[0]}: no worker is polling task queue '${f.cfg.taskQueue}' on 127\\.0\\.0\\.1:${f.cfg.port} \\(namespace ${f.cfg.namespace}\\); run \`mars2 up\`\\n$`));
      assert.doesNotMatch(res.stderr, STACK_TRACE);
      assert.ok(ms < 15_000, `mars2 ${args[0]} answered in ${ms} ms`);
    }
  } finally {
    await up(f.cfg);
  }
  const ping = mars2('ping');
  assert.equal(ping.status, 0, ping.stderr);
});
