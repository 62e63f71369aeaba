// A dead Docker engine (DESIGN §5 "IE is never a score"): the runTests activity, with a
// sandbox whose Docker client points at a socket nobody listens on, fails with a retryable
// 'SandboxUnavailable' failure naming the engine's socket and what to do — not a verdict, no report
// stored — and the same input succeeds once the activity's sandbox reaches a live engine. Then a whole
// tree: an in-process worker whose sandbox is dead until the test revives it; the tree's runTests is
// retried meanwhile and every node ends scored by the live sandbox only.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createActivities } from '../../src/activities';
import type { ExpandInput, ExpandOutput, GenerationRecord } from '../../src/contracts';
import type { Problem } from '../../src/data';
import { createEngine, type Engine } from '../../src/models/engine';
import { checkNodes } from '../../src/rl/nodes';
import { Sandbox, type RunReport } from '../../src/sandbox';
import { address } from '../../src/stack';
import { Store } from '../../src/store';
import { searchTree } from '../../src/workflows';
import { commentModel } from '../helpers/models';
import { treeFixture, type TreeFixture } from '../helpers/searchTree';

const DEAD_SOCKET = join(tmpdir(), 'mars2-no-docker-here.sock');
const deadSandbox = () => Sandbox.start({ size: 1, docker: new Docker({ socketPath: DEAD_SOCKET }) });
const noEngine = (): Engine => {
  throw new Error('runTests does not generate');
};
// The expected activity failures are logged at WARN; keep the test output to errors.
const quiet = () => ({ logger: new DefaultLogger('ERROR') });
const noTrainer = () => {
  throw new Error('runTests does not train');
};

let live: Sandbox | undefined;
let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'mars2-dead-docker-'));
});
after(async () => {
  await live?.close();
  rmSync(dir, { recursive: true, force: true });
});

const problem: Problem = {
  id: 'comment-0',
  prompt: 'Write a Python comment.',
  style: 'assert',
  test_code: '',
  // One test that passes iff the program runs (a comment does).
  public_tests: [{ input: '', output: '' }],
  private_tests: [],
  checker: { kind: 'exact' },
  time_limit_s: 2,
  memory_limit_mb: 256,
};

function generation(program: string): GenerationRecord {
  return {
    kind: 'mars2.generation/1',
    problemId: problem.id,
    agent: 'a',
    model: '/nowhere',
    policyVersion: 0,
    seed: 1,
    sampling: { temperature: 1, topP: 1 },
    messages: [{ role: 'user', content: problem.prompt }],
    promptTokenIds: [1],
    text: program,
    tokenIds: [2],
    logprobs: [0],
    rawLogprobs: [0],
    finishReason: 'eos',
    program,
    programFrom: 'answer',
  };
}

test("expand's tests against a dead Docker socket: a retryable SandboxUnavailable naming the socket and what to do; then it recovers", async () => {
  const store = new Store(join(dir, 'store'));
  const generated = { generation: await store.putJson(generation('# a comment')), responseTokens: 1, truncated: false, programFrom: 'answer' as const };
  const input: ExpandInput = {
    problem: await store.putJson(problem),
    parent: null,
    agent: { name: 'a', model: '/nonexistent' },
    feedback: 'marti',
    includeProblem: true,
    sampling: { temperature: 1, topP: 1 },
    maxNewTokens: 8,
    seed: 1,
    privateTests: false,
  };
  // A retried attempt whose generate step was reported: only the tests run (the engine is never asked).
  const retry = () => new MockActivityEnvironment({ heartbeatDetails: { generation: generated } }, quiet());
  const objects = () => readdirSync(store.root, { recursive: true }).length;
  const objectsBefore = objects();
  let sandbox = deadSandbox;
  const acts = createActivities({ store, engine: noEngine, sandbox: () => sandbox(), trainer: noTrainer });

  const err = await retry().run(acts.expand, input).then(
    () => assert.fail('expand returned a result without a Docker engine'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof ApplicationFailure, `an ApplicationFailure, found ${String(err)}`);
  assert.equal(err.type, 'SandboxUnavailable');
  assert.equal(err.nonRetryable, false, 'retryable: the engine may come back');
  assert.match(err.message, /^sandbox unavailable for problem 'comment-0': the Docker engine on socket .*mars2-no-docker-here\.sock does not answer/);
  assert.match(err.message, /start it \('bash scripts\/setup docker'.*\) or point DOCKER_HOST at a running engine, and retry/);
  assert.equal(objects(), objectsBefore, 'no report stored');

  live = await Sandbox.start({ size: 1 });
  sandbox = async () => live!;
  const out: ExpandOutput = await retry().run(acts.expand, input);
  assert.equal(out.generation.generation, generated.generation, 'the reported generation is reused');
  const pub = out.publicTests!;
  assert.deepEqual({ verdict: pub.verdict, passed: pub.passed, total: pub.total }, { verdict: 'AC', passed: 1, total: 1 });
  assert.equal((await store.getJson<RunReport>(pub.report)).verdict, 'AC');
});

test('a tree whose sandbox is dead waits in retries and is scored only once Docker is back', async () => {
  Runtime.install(quiet());
  const f: TreeFixture = await treeFixture();
  const taskQueue = `dead-docker-${Date.now()}`;
  const store = f.store;
  const ref = await store.putJson(problem);
  let docker: 'dead' | 'live' = 'dead';
  live ??= await Sandbox.start({ size: 1 });
  const engine = createEngine({ workers: 1 });
  const connection = await NativeConnection.connect({ address: address(f.cfg) });
  try {
    const worker = await Worker.create({
      connection,
      namespace: f.cfg.namespace,
      taskQueue,
      workflowsPath: require.resolve('../../src/workflows'),
      activities: createActivities({ store, engine: () => engine, sandbox: () => (docker === 'dead' ? deadSandbox() : Promise.resolve(live!)), trainer: noTrainer }),
    });
    const nodes = await worker.runUntil(async () => {
      const handle = await f.client.workflow.start(searchTree, {
        taskQueue,
        workflowId: taskQueue,
        args: [{ ...f.input('training', 2, { maxNewTokens: 8 }), problem: { ref, id: problem.id }, agents: [{ name: 'coder', model: commentModel(f.cfg.home) }] }],
      });
      // Wait until expand's tests have failed for want of Docker and is waiting to be retried.
      let failure = '';
      for (let i = 0; i < 3000 && !failure; i++) {
        const pending = (await handle.describe()).raw.pendingActivities ?? [];
        failure = pending.find((a) => a.activityType?.name === 'expand' && (a.attempt ?? 0) >= 2)?.lastFailure?.message ?? '';
        if (!failure) await new Promise((r) => setTimeout(r, 20));
      }
      assert.match(failure, /sandbox unavailable for problem 'comment-0': the Docker engine on socket .* does not answer/);
      docker = 'live';
      return handle.result();
    });
    assert.equal(nodes.length, 2);
    checkNodes(nodes);
    for (const n of nodes) {
      const report = await store.getJson<RunReport>(n.refs.publicTests!);
      assert.notEqual(report.verdict, 'IE');
      assert.equal(n.score, report.verdict === 'AC' ? 1 : 0, 'scored from the live sandbox');
    }
  } finally {
    await connection.close();
    await engine.close();
    await f.client.connection.close();
  }
});
