// Infrastructure failures are IE and retried, never a wrong verdict (sandbox.md §8 #45): a sandbox
// container or its runner killed mid-run makes the run retry on a fresh container; with no retries left
// the verdict is IE. A cancelled run is killed with its container and rejects: no verdict, no retry.
// Leftover containers of dead owners are reaped at start.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { Sandbox, reapLeftovers, SANDBOX_LABEL } from '../../src/sandbox';
import { problemSchema } from '../../src/data/problem';

let sandbox: Sandbox;
before(async () => {
  sandbox = await Sandbox.start({ size: 1 });
});
after(async () => {
  await sandbox?.close();
});

const problem = problemSchema.parse({ id: 'slow', prompt: '', style: 'stdio', public_tests: [{ input: 'abc\n', output: 'cba\n' }], private_tests: [] });
// Long enough to be killed mid-run; a retry on a fresh container runs it again and passes.
const SLOW = 'import time\ntime.sleep(1.5)\nprint(input()[::-1])';

async function busyContainer(): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const ids = await sandbox.pool.containerIds();
    const running = [];
    for (const id of ids) {
      const top = await sandbox.pool.docker.getContainer(id).top({ ps_args: '-eo pid,args' }).catch(() => null);
      if (top?.Processes?.some((p: string[]) => p.join(' ').includes('harness.py'))) running.push(id);
    }
    if (running.length) return running[0];
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('no container started the program');
}

test('killing the container mid-run: retried on a fresh container, correct verdict', async () => {
  const pending = sandbox.runTests(problem, SLOW);
  const id = await busyContainer();
  await sandbox.pool.docker.getContainer(id).kill();
  const r = await pending;
  assert.equal(r.verdict, 'AC');
  assert.equal(r.tests[0].attempts, 2);
});

test('killing the runner mid-run: retried, correct verdict', async () => {
  const pending = sandbox.runTests(problem, SLOW);
  const id = await busyContainer();
  const top = await sandbox.pool.docker.getContainer(id).top({ ps_args: '-eo pid,args' });
  const runner = top.Processes.find((p: string[]) => p.join(' ').includes('runner.py'));
  assert.ok(runner, 'the runner process is visible from the host');
  process.kill(Number(runner[0]), 'SIGKILL');
  const r = await pending;
  assert.equal(r.verdict, 'AC');
  assert.equal(r.tests[0].attempts, 2);
});

test('with no retries left the verdict is IE, never WA or a score', async () => {
  const pending = sandbox.runTests(problem, SLOW, { retries: 0 });
  const id = await busyContainer();
  await sandbox.pool.docker.getContainer(id).kill();
  const r = await pending;
  assert.equal(r.verdict, 'IE');
  assert.equal(r.passed, 0);
  assert.match(r.tests[0].detail, /infrastructure failure after 1 attempts/);
  const again = await sandbox.runTests(problem, 'print(input()[::-1])');
  assert.equal(again.verdict, 'AC', 'the pool replaced the dead container');
});

test('a cancelled run: the program is killed with its container, runTests rejects with the reason, no IE and no retry', async () => {
  const ctl = new AbortController();
  const endless = 'while True:\n    pass';
  const pending = sandbox.runTests(problem, endless, { signal: ctl.signal, limits: { cpuS: 60 } });
  const id = await busyContainer();
  const reason = new Error('cancelled by the test');
  const t0 = Date.now();
  ctl.abort(reason);
  await assert.rejects(pending, (err) => err === reason);
  assert.ok(Date.now() - t0 < 2000, `rejected ${Date.now() - t0} ms after the abort`);
  for (let i = 0; i < 100 && (await sandbox.pool.containerIds()).includes(id); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(!(await sandbox.pool.containerIds()).includes(id), 'the container that ran it is removed');
  const again = await sandbox.runTests(problem, SLOW);
  assert.equal(again.verdict, 'AC');
  assert.equal(again.tests[0].attempts, 1);
});

test("leftover containers of a dead owner are reaped; a live owner's are kept", async () => {
  const docker = sandbox.pool.docker;
  const mine = await sandbox.pool.containerIds();
  const orphan = await docker.createContainer({
    Image: sandbox.pool.image,
    Entrypoint: ['/bin/true'],
    Labels: { [SANDBOX_LABEL]: '1', 'mars2.sandbox.owner': `${hostname()}:999999999:0` },
    HostConfig: { NetworkMode: 'none' },
  });
  await reapLeftovers(docker);
  await assert.rejects(orphan.inspect(), /no such container/i);
  for (const id of mine) assert.ok((await docker.getContainer(id).inspect()).Id);
});
