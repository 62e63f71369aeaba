// No private test text reaches a prompt (DESIGN §6.4: public tests may be shown to the model, private
// tests never are). Real Temporal (the test stack), real sandbox and store, an in-process worker whose
// engine is a deterministic fake: every answer is a wrong program in a ```python block, so every node
// fails and every refinement gets the richest feedback there is (T+: failing input, expected and actual
// output, traceback). The problems' private tests carry marker strings in their inputs and expected
// outputs; every message of every node's generation record is searched for them. Trees: an evaluation
// (T+ trees, private tests run on every node) over a stdio, an MBPP-style assert, a LeetCode-style
// check(candidate) and a HumanEval-style (no public tests) problem; and a training tree whose reward
// counts the private tests (rewards.tests 'all'). The public markers must reach refinement prompts,
// which shows the feedback path is live and the check is not vacuous.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createActivities } from '../../src/activities';
import type { EvaluationResult, GenerationRecord, NodeSummary } from '../../src/contracts';
import { problemSchema, type Problem } from '../../src/data';
import type { Engine, GenerateResult } from '../../src/models/engine';
import { Sandbox } from '../../src/sandbox';
import { address } from '../../src/stack';
import { evaluation, searchTree } from '../../src/workflows';
import { treeFixture, type TreeFixture } from '../helpers/searchTree';

const BUDGET = 6;
const pub = (id: string, what: string) => `PUBLIC_MARKER_${id}_${what}`;
const priv = (id: string, what: string) => `PRIVATE_MARKER_${id}_${what}`;

const problems: Problem[] = [
  {
    id: 'stdio',
    prompt: 'Read a word and print it reversed.',
    style: 'stdio',
    public_tests: [{ input: `${pub('stdio', 'in')}\n`, output: `${pub('stdio', 'out')}\n` }],
    private_tests: [1, 2].map((k) => ({ input: `${priv('stdio', `in${k}`)}\n`, output: `${priv('stdio', `out${k}`)}\n` })),
  },
  {
    id: 'mbpp-style',
    prompt: 'Write a function f(s) that returns s reversed.',
    style: 'assert',
    test_code: '',
    public_tests: [{ input: `assert f("${pub('mbpp', 'in')}") == "${pub('mbpp', 'out')}"\n`, output: '' }],
    private_tests: [1, 2].map((k) => ({ input: `assert f("${priv('mbpp', `in${k}`)}") == "${priv('mbpp', `out${k}`)}"\n`, output: '' })),
  },
  {
    id: 'leetcode-style',
    prompt: 'Complete Solution().rev(s): return s reversed.',
    style: 'assert',
    test_code: '',
    entry_point: 'Solution().rev',
    public_tests: [{ input: `def check(candidate):\n    assert candidate("${pub('lc', 'in')}") == "${pub('lc', 'out')}"\n`, output: '' }],
    private_tests: [{ input: `def check(candidate):\n    assert candidate("${priv('lc', 'in1')}") == "${priv('lc', 'out1')}"\n    assert candidate("${priv('lc', 'in2')}") == "x"\n`, output: '' }],
  },
  {
    id: 'humaneval-style',
    prompt: 'def rev(s: str) -> str:\n    """ Reverse s.\n    >>> rev("ab")\n    \'ba\'\n    """\n',
    style: 'assert',
    test_code: '',
    entry_point: 'rev',
    prompt_is_code: true,
    public_tests: [],
    private_tests: [{ input: `METADATA = {"m": "${priv('he', 'meta')}"}\n\ndef check(candidate):\n    assert candidate("${priv('he', 'in')}") == "${priv('he', 'out')}"\n`, output: '' }],
  },
].map((p) => problemSchema.parse({ ...p, time_limit_s: 2 }));

/** Every answer: the same wrong program for whichever problem, in a fenced block (so T+ shows it as code). */
const WRONG = '```python\nclass Solution:\n    def rev(self, s):\n        return "wrong"\n\ndef f(s):\n    return "wrong"\n\ndef rev(s):\n    return "wrong"\n\nprint("wrong")\n```';

const fakeEngine: Engine = {
  async generate(): Promise<GenerateResult> {
    return { text: WRONG, tokenIds: [1, 2, 3], logprobs: [-1, -1, -1], rawLogprobs: [-1, -1, -1], finishReason: 'eos', promptTokenIds: [0], version: 0 };
  },
  close: async () => {},
};

let f: TreeFixture;
let dir: string;
let sandbox: Sandbox;
before(async () => {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  f = await treeFixture();
  dir = mkdtempSync(join(tmpdir(), 'mars2-public-only-'));
  sandbox = await Sandbox.start({ size: 2 });
});
after(async () => {
  await sandbox?.close();
  await f?.client.connection.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Every node's prompt messages, by problem id, with whether the node refined a parent. */
async function promptsOf(trees: NodeSummary[][], ids: string[]): Promise<Map<string, { refined: boolean; text: string }[]>> {
  const out = new Map<string, { refined: boolean; text: string }[]>();
  for (const [k, nodes] of trees.entries()) {
    for (const node of nodes) {
      const record = await f.store.getJson<GenerationRecord>(node.refs.generation);
      assert.equal(record.problemId, ids[k]);
      const list = out.get(ids[k]) ?? [];
      list.push({ refined: node.parentId !== null, text: record.messages.map((m) => m.content).join('\n') });
      out.set(ids[k], list);
    }
  }
  return out;
}

test('no private test text reaches any prompt of an evaluation tree or a training tree; the public tests do', async () => {
  const taskQueue = `public-only-${Date.now()}`;
  const refs = await Promise.all(problems.map(async (p) => ({ ref: await f.store.putJson(p), id: p.id })));
  const agent = { name: 'coder', model: dir };
  const connection = await NativeConnection.connect({ address: address(f.cfg) });
  let evalTrees: NodeSummary[][];
  let trainTrees: NodeSummary[][];
  try {
    const worker = await Worker.create({
      connection,
      namespace: f.cfg.namespace,
      taskQueue,
      workflowsPath: require.resolve('../../src/workflows'),
      activities: createActivities({
        store: f.store,
        engine: () => fakeEngine,
        sandbox: async () => sandbox,
        trainer: () => assert.fail('no tree trains'),
      }),
    });
    ({ evalTrees, trainTrees } = await worker.runUntil(async () => {
      const result: EvaluationResult = await f.client.workflow.execute(evaluation, {
        taskQueue,
        workflowId: `${taskQueue}-eval`,
        args: [{ problems: refs, agents: [{ name: agent.name, model: { dir: agent.model, version: 0 } }], budget: BUDGET, seed: 5, mode: 'agent', treeMode: 'tplus', maxNewTokens: 8 }],
      });
      const evalTrees = await Promise.all(result.trees.map((t) => f.client.workflow.getHandle<typeof searchTree>(t.treeId).result()));
      // A training tree: its reward counts the private tests, and its refinements still show public results only.
      const trainTrees = await Promise.all(
        refs.slice(0, 2).map((problem, k) =>
          f.client.workflow.execute(searchTree, {
            taskQueue,
            workflowId: `${taskQueue}-train-${k}`,
            args: [{ ...f.input('tplus', BUDGET), problem, agents: [agent], privateTests: true, reward: 'all' }],
          }),
        ),
      );
      return { evalTrees, trainTrees };
    }));
  } finally {
    await connection.close();
  }

  for (const nodes of [...evalTrees, ...trainTrees]) {
    for (const n of nodes) {
      assert.equal(n.score, 0, 'every answer is wrong');
      assert.ok(n.privateTests && n.privateTests.passed < n.privateTests.total, 'the private tests ran on every node and failed');
    }
  }
  const prompts = await promptsOf([...evalTrees, ...trainTrees], [...problems.map((p) => p.id), ...problems.slice(0, 2).map((p) => p.id)]);
  for (const [id, list] of prompts) {
    for (const { text } of list) assert.doesNotMatch(text, /PRIVATE_MARKER/, `${id}: a private test reached a prompt`);
    const refinements = list.filter((p) => p.refined).map((p) => p.text);
    assert.ok(refinements.length > 0, `${id}: the trees refined at least one node (else the check is vacuous)`);
    if (id === 'humaneval-style') {
      for (const text of refinements) assert.doesNotMatch(text, /## Test results|public tests/, 'no public tests: the feedback says nothing about tests');
      continue;
    }
    const tag = { stdio: 'stdio', 'mbpp-style': 'mbpp', 'leetcode-style': 'lc' }[id]!;
    assert.ok(refinements.every((t) => t.includes('## Test results')), `${id}: T+ refinements report the public tests`);
    assert.ok(refinements.some((t) => t.includes(pub(tag, 'in'))), `${id}: the failing public test's input reached a refinement prompt`);
    if (id === 'stdio') assert.ok(refinements.some((t) => t.includes(pub(tag, 'out'))), 'the public expected output reached a refinement prompt');
  }
});
