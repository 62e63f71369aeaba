// The expand activity resumes a retried attempt after the steps an earlier attempt reported in its
// heartbeat details (src/activities/search.ts): a stored generation is not sampled again, stored test
// verdicts are not run again, and each step's output is reported before the next step starts. Real
// store and real sandbox on an MBPP problem; the engine is one that fails the test if it is called.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createSearchActivities } from '../../src/activities/search';
import type { ExpandInput, ExpandOutput, GenerationRecord } from '../../src/contracts';
import { readDataset, type Problem } from '../../src/data';
import type { Engine } from '../../src/models/engine';
import { Sandbox, selectTests, type RunReport, type RunTestsOptions } from '../../src/sandbox';
import { Store } from '../../src/store';
import { SHARED_DATA } from '../helpers/data';

const noEngine: Engine = {
  generate: () => assert.fail('generate ran again although the earlier attempt had stored its generation'),
  close: async () => {},
};

describe('expand resumes after the reported steps', () => {
  let dir: string;
  let store: Store;
  let sandbox: Sandbox;
  let problem: Problem;
  let input: ExpandInput;
  let generation: ExpandOutput['generation'];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mars2-expand-'));
    store = new Store(dir);
    for await (const entry of readDataset(join(SHARED_DATA, 'mbpp', 'mbpp.jsonl'))) {
      problem = entry.problem;
      break;
    }
    sandbox = await Sandbox.start({ size: 1 });
    const record: GenerationRecord = {
      kind: 'mars2.generation/1',
      problemId: problem.id,
      agent: 'a',
      model: '/nonexistent-model',
      policyVersion: 0,
      seed: 1,
      sampling: { temperature: 1, topP: 1 },
      messages: [{ role: 'user', content: problem.prompt }],
      promptTokenIds: [1, 2],
      text: 'def nothing():\n    return None\n',
      tokenIds: [3, 4],
      logprobs: [-1, -1],
      rawLogprobs: [-1, -1],
      finishReason: 'stop',
      program: 'def nothing():\n    return None\n',
      programFrom: 'answer',
    };
    generation = { generation: await store.putJson(record), responseTokens: 2, truncated: false, programFrom: 'answer' };
    input = {
      problem: await store.putJson(problem),
      parent: null,
      agent: { name: 'a', model: '/nonexistent-model' },
      feedback: 'tplus',
      includeProblem: true,
      sampling: { temperature: 1, topP: 1 },
      maxNewTokens: 8,
      seed: 1,
      privateTests: true,
    };
  });
  after(async () => {
    await sandbox?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const activities = () => createSearchActivities({ store, engine: () => noEngine, sandbox: async () => sandbox });

  test('with the generation reported: runs the public and private tests on it in one sandbox run, reported as the two runs would be', async () => {
    const env = new MockActivityEnvironment({ heartbeatDetails: { generation }, heartbeatTimeoutMs: 3000 });
    const beats: Partial<ExpandOutput>[] = [];
    env.on('heartbeat', (d: Partial<ExpandOutput>) => beats.push(structuredClone(d)));
    const asked: (string | undefined)[] = [];
    const counting = new Proxy(sandbox, {
      get: (t, k) => (k === 'runTests' ? (p: Problem, c: string, o: RunTestsOptions) => (asked.push(o.tests), t.runTests(p, c, o)) : Reflect.get(t, k)),
    });
    const out: ExpandOutput = await env.run(createSearchActivities({ store, engine: () => noEngine, sandbox: async () => counting }).expand, input);

    assert.deepEqual(out.generation, generation);
    assert.deepEqual(asked, ['all'], 'one sandbox run for both sets');
    for (const [which, tests] of [['publicTests', 'public'], ['privateTests', 'private']] as const) {
      const summary = out[which]!;
      const report = await store.getJson<RunReport>(summary.report);
      const alone = await sandbox.runTests(problem, 'def nothing():\n    return None\n', { tests });
      assert.notEqual(report.verdict, 'IE');
      assert.notEqual(report.verdict, 'AC', 'the stored program solves nothing');
      assert.equal(report.total, selectTests(problem, tests).length);
      assert.equal(summary.verdict, report.verdict);
      assert.deepEqual(
        report.tests.map((t) => [t.index, t.verdict, t.detail]),
        alone.tests.map((t) => [t.index, t.verdict, t.detail]),
        `the ${tests} report is the one a run on the ${tests} tests alone gives`,
      );
      assert.deepEqual([report.verdict, report.passed], [alone.verdict, alone.passed]);
    }
    assert.ok(beats.every((b) => b.generation), 'every report carries the generation');
  });

  test('with the public verdict reported: only the private tests run', async () => {
    const publicTests = { verdict: 'WA' as const, passed: 0, total: 3, report: generation.generation };
    const env = new MockActivityEnvironment({ heartbeatDetails: { generation, publicTests }, heartbeatTimeoutMs: 3000 });
    const asked: (string | undefined)[] = [];
    const counting = new Proxy(sandbox, {
      get: (t, k) => (k === 'runTests' ? (p: Problem, c: string, o: RunTestsOptions) => (asked.push(o.tests), t.runTests(p, c, o)) : Reflect.get(t, k)),
    });
    const out: ExpandOutput = await env.run(createSearchActivities({ store, engine: () => noEngine, sandbox: async () => counting }).expand, input);
    assert.deepEqual(asked, ['private']);
    assert.deepEqual(out.publicTests, publicTests);
    assert.equal(out.privateTests!.total, selectTests(problem, 'private').length);
  });

  test('with every step reported: returns them without generating or testing', async () => {
    const publicTests = { verdict: 'WA' as const, passed: 0, total: 3, report: generation.generation };
    const env = new MockActivityEnvironment({ heartbeatDetails: { generation, publicTests }, heartbeatTimeoutMs: 3000 });
    const noSandbox = createSearchActivities({ store, engine: () => noEngine, sandbox: () => assert.fail('tests ran again') });
    assert.deepEqual(await env.run(noSandbox.expand, { ...input, privateTests: false }), { generation, publicTests });
  });

  test('a problem without public tests (HumanEval): none run, no public result; the private ones still run', async () => {
    const noPublic = await store.putJson({ ...problem, id: 'no-public', public_tests: [], private_tests: problem.private_tests.slice(0, 1) });
    const env = () => new MockActivityEnvironment({ heartbeatDetails: { generation }, heartbeatTimeoutMs: 3000 });
    const noSandbox = createSearchActivities({ store, engine: () => noEngine, sandbox: () => assert.fail('there is no test to run') });
    assert.deepEqual(await env().run(noSandbox.expand, { ...input, problem: noPublic, privateTests: false }), { generation });
    const out: ExpandOutput = await env().run(activities().expand, { ...input, problem: noPublic, reward: 'all' as const });
    assert.deepEqual(Object.keys(out).sort(), ['generation', 'privateTests']);
    assert.equal(out.privateTests!.total, 1);
  });

  test("rewards.tests 'public' on a problem without public tests: a non-retryable failure naming the problem, before generating", async () => {
    const noPublic = await store.putJson({ ...problem, id: 'HumanEval/0', public_tests: [] });
    const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 3000 });
    const err = await env.run(activities().expand, { ...input, problem: noPublic, reward: 'public' as const }).then(
      () => assert.fail('expand scored a node on public tests that do not exist'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof ApplicationFailure, String(err));
    assert.equal(err.type, 'NoRewardTests');
    assert.equal(err.nonRetryable, true);
    assert.match(err.message, /^problem 'HumanEval\/0' has no public tests, so rewards\.tests 'public' cannot score it; set rewards\.tests to 'all'/);
  });

  test('expandBatch: each node resumes after its own reported steps; the rest run; every node reported as it ends', async () => {
    // Node 0's generation and public verdict were reported by an earlier attempt; node 1 reported nothing.
    const publicTests = { verdict: 'WA' as const, passed: 0, total: 3, report: generation.generation };
    const env = new MockActivityEnvironment({ heartbeatDetails: [{ generation, publicTests }, {}], heartbeatTimeoutMs: 3000 });
    const beats: Partial<ExpandOutput>[][] = [];
    env.on('heartbeat', (d: Partial<ExpandOutput>[]) => beats.push(structuredClone(d)));
    const asked: number[] = [];
    const once: Engine = {
      async generate(req) {
        asked.push(req.seed!);
        return { text: 'def nothing():\n    return 0\n', tokenIds: [5], logprobs: [-0.5], rawLogprobs: [-0.5], finishReason: 'eos', promptTokenIds: [1], version: 0 };
      },
      close: async () => {},
    };
    const batch = createSearchActivities({ store, engine: () => once, sandbox: async () => sandbox });
    const outs: ExpandOutput[] = await env.run(batch.expandBatch, [
      { ...input, privateTests: false },
      { ...input, seed: 2, privateTests: false, agent: { ...input.agent, model: dir } },
    ]);
    assert.deepEqual(asked, [2], 'only the node with nothing reported generated');
    assert.deepEqual(outs[0], { generation, publicTests }, 'node 0 returned what it had reported');
    assert.notEqual(outs[1]!.generation.generation, generation.generation);
    assert.equal(outs[1]!.publicTests!.total, selectTests(problem, 'public').length);
    assert.deepEqual(beats.at(-1), outs, 'the last report holds every node’s finished steps');
  });

  test('expandBatch with no inputs: a non-retryable failure that says what it expected', async () => {
    const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 3000 });
    await assert.rejects(env.run(activities().expandBatch, []), (e: unknown) => e instanceof ApplicationFailure && e.nonRetryable && /expected a non-empty array of expand inputs/.test(e.message));
  });
});
