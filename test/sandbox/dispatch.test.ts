// Many executions in flight per container (src/sandbox/dispatch.ts): concurrent runTests calls are sent to
// a container back to back, in one write, and the runner answers each in turn. Each property a neighbour
// could break, one test: verdicts, limits and time are each program's own; an anomaly, a timeout, a crash
// or a cancellation beside a program does not change its verdict nor cost it an attempt; no program finds
// the tests of the requests queued behind it. Runs with the same tests share the runner's trusted evaluator
// (docker/runner.py Evaluator): a neighbour that kills, floods, times out or crashes beside them leaves
// their verdicts as they were.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Sandbox, type Mode, type RunReport } from '../../src/sandbox';
import { problemSchema } from '../../src/data/problem';

let sandbox: Sandbox;
before(async () => {
  sandbox = await Sandbox.start({ size: 1, depth: 4 }); // one container: every neighbour shares it
});
after(async () => {
  await sandbox?.close();
});

const xs = [-3, 0, 4, 9];
const call = problemSchema.parse({ id: 'sq', prompt: '', style: 'call', fn_name: 'f', public_tests: xs.map((x) => ({ input: `${x}\n`, output: `${x * x + 1}` })), private_tests: [] });
const asserts = problemSchema.parse({ id: 'sqa', prompt: '', style: 'assert', test_code: '', public_tests: xs.map((x) => ({ input: `assert f(${x}) == ${x * x + 1}`, output: '' })), private_tests: [] });
const RIGHT = 'def f(x):\n    return x * x + 1\n';
const FAST = { cpuS: 1, wallS: 3 };

function expectAc(r: RunReport, what: string): void {
  assert.equal(r.verdict, 'AC', `${what}: ${r.tests.map((t) => `${t.verdict} ${t.detail}`).join('; ')}`);
  assert.equal(r.passed, xs.length);
  for (const t of r.tests) assert.equal(t.attempts, 1, `${what}: test ${t.index} ran ${t.attempts} times`);
}

for (const mode of ['fork', 'process'] as Mode[]) {
  describe(`${mode} mode`, () => {
    test('concurrent runs are coalesced: several requests per write, every verdict its own', async () => {
      const before = { ...sandbox.dispatcher.stats };
      const programs = Array.from({ length: 12 }, (_, i) => (i % 3 === 2 ? `def f(x):\n    return x * x  # ${i}\n` : `${RIGHT}# ${i}\n`));
      const reports = await Promise.all(programs.map((p, i) => sandbox.runTests(i % 2 ? call : asserts, p, { mode })));
      reports.forEach((r, i) => (i % 3 === 2 ? assert.equal(r.verdict, 'WA', `program ${i}`) : expectAc(r, `program ${i}`)));
      const requests = sandbox.dispatcher.stats.requests - before.requests;
      const writes = sandbox.dispatcher.stats.writes - before.writes;
      assert.equal(requests, 12);
      assert.ok(writes < requests, `${requests} requests took ${writes} writes: nothing was coalesced`);
      assert.ok(sandbox.dispatcher.stats.largestWrite > 1);
    });

    test('a crashing, forging, exiting or flooding program beside others: theirs stay AC', async () => {
      const bad = [
        'import os\nos._exit(0)\n', // ends before any test
        'def f(x):\n    import os\n    os.kill(os.getppid(), 9)\n    return x * x + 1\n', // signals what it can
        'import os\nfor fd in range(3, 64):\n    try:\n        os.write(fd, b\'{"kind": "ok", "i": 0}\\n{"ret": 1}\\n\')\n    except OSError:\n        pass\ndef f(x):\n    return 0\n', // forged reports on every fd
        'import sys\ndef f(x):\n    sys.stdout.write("x" * (1 << 24))\n    return x * x + 1\n', // output flood: OLE
        'def f(x):\n    raise SystemExit(0)\n',
        'def f(x):\n    import os\n    os.kill(-1, 9)\n    return 0\n', // every process it may signal: its own uid's only
        "def f(x):\n    raise type('E%d' % x, (ValueError,), {})('x' * 100000)\n", // new exception types for the shared evaluator
      ];
      const programs = bad.flatMap((b, i) => [`${RIGHT}# ${i}\n`, b]);
      const reports = await Promise.all(programs.map((p) => sandbox.runTests(call, p, { mode, limits: FAST })));
      reports.forEach((r, i) => (i % 2 === 0 ? expectAc(r, `honest program ${i}`) : assert.notEqual(r.verdict, 'AC', `bad program ${i}: ${r.tests[0]?.detail}`)));
      assert.ok(reports.every((r) => r.verdict !== 'IE'), 'no IE');
    });

    test('a program that times out beside others: it is TLE, their time and verdicts are their own', async () => {
      const programs = [RIGHT, 'def f(x):\n    while True:\n        pass\n', `${RIGHT}# 2\n`, 'import time\ndef f(x):\n    time.sleep(10)\n', `${RIGHT}# 4\n`];
      const reports = await Promise.all(programs.map((p) => sandbox.runTests(call, p, { mode, limits: FAST, stopOnFirstFailure: true })));
      assert.equal(reports[1].verdict, 'TLE');
      assert.equal(reports[3].verdict, 'TLE');
      assert.equal(reports[3].tests[0].idle, true);
      for (const i of [0, 2, 4]) {
        expectAc(reports[i], `program ${i}`);
        for (const t of reports[i].tests) assert.ok(t.wallMs < 1000, `program ${i} test ${t.index}: ${t.wallMs} ms (a neighbour's time?)`);
      }
    });

    test('an anomaly (an OOM kill) recycles the container: the requests behind it run elsewhere, unharmed', async () => {
      const recycled = () => Object.values(sandbox.pool.recycled).reduce((a, b) => a + b, 0);
      const recycledBefore = recycled();
      const requeued = sandbox.dispatcher.stats.requeued;
      const hog = 'def f(x):\n    xs = []\n    while True:\n        xs.append(bytearray(1 << 24))\n';
      const programs = [RIGHT, hog, `${RIGHT}# 2\n`, `${RIGHT}# 3\n`, `${RIGHT}# 4\n`];
      const reports = await Promise.all(programs.map((p) => sandbox.runTests(call, p, { mode, limits: { ...FAST, memoryBytes: 64 << 20 }, stopOnFirstFailure: true })));
      assert.equal(reports[1].verdict, 'MLE', reports[1].tests[0]?.detail);
      for (const i of [0, 2, 3, 4]) expectAc(reports[i], `program ${i}`);
      assert.ok(recycled() > recycledBefore, 'the OOM-killed container was recycled');
      assert.ok(sandbox.dispatcher.stats.requeued > requeued, 'the requests behind it were refused and sent again');
    });

    test('a cancelled run beside others: it rejects with the reason, theirs are AC on their first attempt', async () => {
      const ctl = new AbortController();
      const reason = new Error('cancelled by the test');
      const endless = 'def f(x):\n    while True:\n        pass\n';
      const pending = [
        sandbox.runTests(call, RIGHT, { mode }),
        sandbox.runTests(call, endless, { mode, signal: ctl.signal, limits: { cpuS: 30 } }),
        sandbox.runTests(call, `${RIGHT}# 2\n`, { mode }),
        sandbox.runTests(call, `${RIGHT}# 3\n`, { mode }),
      ];
      setTimeout(() => ctl.abort(reason), 300);
      await assert.rejects(pending[1], (err) => err === reason);
      for (const i of [0, 2, 3]) expectAc(await pending[i], `program ${i}`);
    });
  });
}

test("no program finds the tests of the requests queued behind it (memory, files)", async () => {
  // The scanner runs first, with its neighbours' requests (secret tests) written to the container behind it.
  const scan = String.raw`
import ctypes, os, re
found = set()
for line in open('/proc/self/maps').read().splitlines():
    parts = line.split()
    if len(parts) < 5 or 'r' not in parts[1] or (len(parts) > 5 and parts[5].startswith('[v')):
        continue
    a, b = (int(x, 16) for x in parts[0].split('-'))
    if b - a > 1 << 28:
        continue
    try:
        found.update(m.group(0) for m in re.finditer(rb'leak-[0-9]{6}', ctypes.string_at(a, b - a)))
    except Exception:
        pass
for root in ('/run/sb', '/proc/1/fd', '/tmp', '/work'):
    for d, _, files in os.walk(root):
        for name in files:
            try:
                found.update(m.group(0) for m in re.finditer(rb'leak-[0-9]{6}', open(os.path.join(d, name), 'rb').read(1 << 20)))
            except Exception:
                pass
print(b' '.join(sorted(found)).decode() or 'nothing')
`;
  const probe = problemSchema.parse({ id: 'scan', prompt: '', style: 'stdio', public_tests: [{ input: '', output: 'nothing\n' }], private_tests: [] });
  const secret = (i: number) => `leak-${String(161803 + i)}`;
  const leaky = (i: number) =>
    problemSchema.parse({ id: 'leak', prompt: '', style: 'assert', test_code: `S = "${secret(i)}"`, public_tests: [{ input: `assert f(1) == "${secret(i)}"`, output: '' }], private_tests: [] });
  const runs = await Promise.all([
    sandbox.runTests(probe, scan, { mode: 'fork', limits: { cpuS: 5, wallS: 10 } }),
    ...[0, 1, 2].map((i) => sandbox.runTests(leaky(i), 'def f(x):\n    return "wrong"\n', { mode: 'fork' })),
    sandbox.runTests(probe, scan, { mode: 'fork', limits: { cpuS: 5, wallS: 10 } }),
    ...[3, 4].map((i) => sandbox.runTests(leaky(i), 'def f(x):\n    return "wrong"\n', { mode: 'fork' })),
  ]);
  for (const r of [runs[0], runs[4]]) assert.equal(r.verdict, 'AC', `the scanner found ${r.tests[0]?.stdout.trim()} (${r.tests[0]?.detail})`);
  for (const r of [...runs.slice(1, 4), ...runs.slice(5)]) assert.equal(r.verdict, 'WA');
});

test('containers that reach maxRunsPerContainer are replaced while requests wait: every request is answered', async () => {
  // Before the fix, a lane whose container had sent its last run stayed open with no room: once every
  // container had served its quota, requests queued forever (an RL run hung at its ~8th iteration).
  const short = await Sandbox.start({ size: 1, maxRunsPerContainer: 5 });
  try {
    let timer: NodeJS.Timeout | undefined;
    const hung = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('requests were never answered: the dispatcher is stuck')), 90_000)));
    const first = await Promise.race([Promise.all(Array.from({ length: 7 }, (_, i) => short.runTests(call, `${RIGHT}# ${i}\n`, { mode: 'fork' }))), hung]);
    const second = await Promise.race([Promise.all(Array.from({ length: 12 }, (_, i) => short.runTests(call, `${RIGHT}# b${i}\n`, { mode: 'fork' }))), hung]);
    clearTimeout(timer);
    [...first, ...second].forEach((r, i) => expectAc(r, `program ${i}`));
  } finally {
    await short.close();
  }
});

test('a batch is spread over every container of the pool', async () => {
  const wide = await Sandbox.start({ size: 2 });
  try {
    const reports = await Promise.all(Array.from({ length: 16 }, (_, i) => wide.runTests(call, `${RIGHT}# ${i}\n`, { mode: 'fork' })));
    reports.forEach((r, i) => expectAc(r, `program ${i}`));
    assert.equal(wide.dispatcher.stats.widest, 2, 'both containers served the batch');
  } finally {
    await wide.close();
  }
});
