// The run config: the four example set-ups load and resolve; MARTI's shipped values are the defaults;
// every kind of mistake gives one line naming the file, the field and what was expected.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRunConfig, ConfigError } from '../../src/config/load';
import { parseRunConfig, type RunConfig } from '../../src/config/schema';
import { weightGroups } from '../../src/config/components';
import { longContextModel, MODEL_NAMES } from '../../scripts/example-models';

const EXAMPLES = join(__dirname, '..', '..', 'examples');
// The examples' models (set-up's `models` step writes them; so does this file, to stand alone).
before(() => {
  for (const name of MODEL_NAMES) longContextModel(join(__dirname, '..', '..', '.mars2', 'models'), name);
});
const dir = mkdtempSync(join(tmpdir(), 'mars2-config-'));
const model = join(__dirname, '..', 'fixtures', 'models', 'llama');

/** The smallest valid config of each set-up; tests change one thing at a time. */
function minimal(setup: RunConfig['setup'] = 'single'): Record<string, any> {
  const agents =
    setup === 'heterogeneous'
      ? [{ name: 'a', model: 'm/a' }, { name: 'b', model: 'm/b' }]
      : setup === 'homogeneous'
        ? [{ name: 'a', model: 'm/a', systemPrompt: 'You write code.' }, { name: 'b', systemPrompt: 'You fix code.' }]
        : [{ name: 'a', model: 'm/a' }];
  return { runId: 'r1', setup, datasets: { train: { path: 'train.jsonl' } }, agents };
}

/** The ConfigError lines of parsing `raw` as `a.json`. */
function errorsOf(raw: unknown): string[] {
  try {
    parseRunConfig(raw, 'a.json');
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.message.split('\n');
  }
  assert.fail('expected a ConfigError, the config was accepted');
}

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe('examples', () => {
  const shapes: Record<string, (c: RunConfig) => void> = {
    heterogeneous: (c) => {
      assert.equal(c.sharedWeights, false);
      assert.deepEqual(weightGroups(c).map((g) => g.agents), [['qwen2'], ['qwen3']]);
      assert.deepEqual(c.evaluation?.modes, ['agent', 'system']);
    },
    homogeneous: (c) => {
      assert.equal(c.sharedWeights, true);
      assert.equal(c.agents[1].model, c.agents[0].model, 'the second role uses the first one’s weights');
      assert.deepEqual(weightGroups(c).map((g) => g.agents), [['solver', 'debugger']]);
    },
    'single-tree-rl': (c) => {
      assert.equal(c.search.budget, 4);
      assert.equal(c.rollout.samplesPerProblem, 1);
    },
    'grpo-baseline': (c) => {
      assert.equal(c.search.budget, null);
      assert.equal(c.rollout.samplesPerProblem, 4);
    },
  };
  for (const [name, check] of Object.entries(shapes)) {
    test(`examples/${name}.json loads, its paths exist, and it resolves to its set-up`, () => {
      const c = loadRunConfig(join(EXAMPLES, `${name}.json`));
      assert.equal(c.setup, name.replace(/-.*/, ''));
      for (const a of c.agents) assert.ok(a.model.startsWith('/'), `agent model path made absolute: ${a.model}`);
      assert.ok(c.datasets.train.path.startsWith('/'));
      check(c);
      assert.deepEqual(parseRunConfig(JSON.parse(JSON.stringify(c))), c, 'a resolved config validates again unchanged');
    });
  }
});

test("the defaults are MARTI's shipped MARS² values", () => {
  const c = parseRunConfig(minimal());
  assert.equal(c.seed, 0);
  assert.equal(c.search.budget, 8); // max_num_nodes
  assert.equal(c.search.dist, 'gaussian'); // TreeQuest defaults, as MARTI builds it
  assert.equal(c.search.agentSelection, 'thompson');
  assert.equal(c.search.parallel, 4); // mars2: 4 expands at once (bench/rl-loop.ts), at most budget / 2
  assert.equal(c.search.expandAs, 'batch'); // mars2: one durable activity per batch
  const narrow = parseRunConfig({ ...minimal(), search: { budget: 3 } });
  assert.deepEqual([narrow.search.parallel, narrow.search.expandAs], [1, 'activity'], 'budget 3: one node at a time (two selection rounds at least), an activity each');
  const sequential = parseRunConfig({ ...minimal(), search: { parallel: 1 } });
  assert.deepEqual([sequential.search.parallel, sequential.search.expandAs], [1, 'activity'], 'parallel 1 is sequential AB-MCTS-A, an activity per node');
  assert.deepEqual(c.rollout, {
    problemsPerIteration: 16,
    samplesPerProblem: 1,
    temperature: 1,
    topP: 1,
    maxNewTokens: 32768,
    promptMaxTokens: 4096,
  });
  assert.deepEqual(c.rewards, { tests: 'all', groups: 'tree', shaping: null, overlong: { bufferTokens: 2048, penaltyFactor: 1 } });
  assert.deepEqual(c.optimization, {
    loss: 'gspo',
    lr: 1e-6,
    schedule: { kind: 'cosine', warmupRatio: 0.03, minLrRatio: 0.1 },
    clipLow: 0.2,
    clipHigh: 0.2,
    tis: { threshold: 2, vetoBelow: 1e-4 },
    klCoef: 1e-3,
    maxGradNorm: 1,
    trainBatchSize: 8,
    microBatchSize: null,
    microBatchTokens: 2048,
    epochs: 1,
    skipZeroAdvantage: false,
    bufferRemainder: 'drop',
    adamw: { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0 },
  });
  assert.equal(c.evaluation, null, 'no eval set, no evaluation');
  assert.deepEqual(c.stop, { episodes: 2, maxIterations: null, targetPass1: null });
  assert.deepEqual(c.agents, [{ name: 'a', model: 'm/a', role: null, systemPrompt: null, trainable: true, lr: null, thinking: false }]);
});

test('an eval set turns evaluation on with eval_max_num_nodes = 1 in agent mode', () => {
  const c = parseRunConfig({ ...minimal(), datasets: { train: { path: 't' }, eval: { path: 'e' } } });
  assert.deepEqual(c.evaluation, { everyIterations: 4, atStart: true, problems: null, budget: 1, modes: ['agent'], temperature: 1, topP: 1 });
});

test('the GRPO baseline defaults to as many samples per problem as a tree has nodes', () => {
  const c = parseRunConfig(minimal('grpo'));
  assert.equal(c.rollout.samplesPerProblem, 8);
  assert.equal(c.search.budget, null);
});

describe('errors name the file, the field and what was expected', () => {
  const cases: Array<[string, (raw: Record<string, any>) => unknown, string[], RunConfig['setup']?]> = [
    [
      'a missing model of a heterogeneous agent',
      (r) => (delete r.agents[1].model, r),
      ["a.json: agents[1].model: required: each agent of a 'heterogeneous' set-up has its own weights; set it to an HF model directory"],
      'heterogeneous',
    ],
    ['a missing required field', (r) => (delete r.runId, r), ['a.json: runId: required (expected a string)']],
    [
      'a reward over tests that do not exist',
      (r) => ({ ...r, rewards: { tests: 'hidden' } }),
      ['a.json: rewards.tests: expected one of "public" | "private" | "all", found "hidden"'],
    ],
    ['a wrong type', (r) => ({ ...r, seed: 'x' }), ['a.json: seed: expected a number, found "x"']],
    ['a non-integer', (r) => ({ ...r, seed: 1.5 }), ['a.json: seed: expected an integer, found 1.5']],
    [
      'an unknown set-up',
      (r) => ({ ...r, setup: 'multi' }),
      ['a.json: setup: expected one of "heterogeneous" | "homogeneous" | "single" | "grpo", found "multi"'],
    ],
    [
      'an unknown top-level key',
      (r) => ({ ...r, iterations: 3 }),
      [
        'a.json: iterations: unknown key (expected one of: description, runId, seed, setup, datasets, agents, sharedWeights, ' +
          'search, rollout, rewards, optimization, evaluation, stop)',
      ],
    ],
    [
      'an unknown nested key (a typo)',
      (r) => ({ ...r, search: { budgte: 4 } }),
      [
        'a.json: search.budgte: unknown key (expected one of: dist, prior, agentSelection, rewardAveragePriors, depthGamma, inFlight, ' +
          'budget, feedback, includeProblem, expandAs, parallel)',
      ],
    ],
    [
      'an unknown key inside an agent',
      (r) => ((r.agents[0].temperature = 0.7), r),
      ['a.json: agents[0].temperature: unknown key (expected one of: name, model, role, systemPrompt, trainable, lr, thinking)'],
    ],
    ['a number out of range', (r) => ({ ...r, rollout: { topP: 1.5 } }), ['a.json: rollout.topP: expected a number <= 1, found 1.5']],
    ['an empty agent list', (r) => ({ ...r, agents: [] }), ['a.json: agents: expected length >= 1']],
    [
      'duplicate agent names',
      (r) => ((r.agents[1].name = 'a'), r),
      ["a.json: agents[1].name: 'a' is already the name of agents[0]; agent names must be unique"],
      'heterogeneous',
    ],
    [
      'two agents in a single-agent set-up',
      (r) => ({ ...r, agents: [...r.agents, { name: 'b', model: 'm/b' }] }),
      ["a.json: agents: a 'single' set-up has exactly 1 agent, found 2; for several use 'heterogeneous' or 'homogeneous'"],
    ],
    [
      'one agent in a heterogeneous set-up',
      (r) => ({ ...r, agents: [r.agents[0]] }),
      ["a.json: agents: a 'heterogeneous' set-up needs at least 2 agents, found 1; for one agent use setup 'single' or 'grpo'"],
      'heterogeneous',
    ],
    [
      'a homogeneous role without a system prompt',
      (r) => (delete r.agents[1].systemPrompt, r),
      ['a.json: agents[1].systemPrompt: required: roles that share weights differ only by their system prompt; give each role its own'],
      'homogeneous',
    ],
    [
      'two homogeneous roles with the same prompt',
      (r) => ((r.agents[1].systemPrompt = r.agents[0].systemPrompt), r),
      ['a.json: agents[1].systemPrompt: same text as agents[0].systemPrompt; each role needs its own prompt'],
      'homogeneous',
    ],
    [
      'a homogeneous role with other weights',
      (r) => ((r.agents[1].model = 'm/other'), r),
      ["a.json: agents[1].model: roles of a 'homogeneous' set-up use agents[0]'s weights ('m/a'), found 'm/other'; remove it, or use setup 'heterogeneous'"],
      'homogeneous',
    ],
    [
      'sharedWeights that contradicts the set-up',
      (r) => ({ ...r, sharedWeights: true }),
      ["a.json: sharedWeights: only a 'homogeneous' set-up shares weights, this one is 'heterogeneous'; remove sharedWeights or use setup 'homogeneous'"],
      'heterogeneous',
    ],
    [
      'a GRPO group of one sample',
      (r) => ({ ...r, rollout: { samplesPerProblem: 1 } }),
      ['a.json: rollout.samplesPerProblem: the GRPO baseline normalises over the samples of a problem, so it needs at least 2, found 1'],
      'grpo',
    ],
    [
      'a tree budget in the GRPO baseline',
      (r) => ({ ...r, search: { budget: 8 } }),
      ["a.json: search.budget: setup 'grpo' grows no training tree; its group is rollout.samplesPerProblem i.i.d. samples. Remove search.budget"],
      'grpo',
    ],
    [
      'i.i.d. samples in a tree set-up',
      (r) => ({ ...r, rollout: { samplesPerProblem: 4 } }),
      ["a.json: rollout.samplesPerProblem: a 'single' set-up's group is its tree; set search.budget (nodes per tree) instead, or use setup 'grpo'"],
    ],
    [
      'a prior field of the other distribution',
      (r) => ({ ...r, search: { prior: { a: 1 } } }),
      ["a.json: search.prior.a: 'a' is not a gaussian prior field; expected one of m, kappa, nu, tauSquare"],
    ],
    [
      'a tree parallelism that is not a positive integer',
      (r) => ({ ...r, search: { parallel: 0 } }),
      ['a.json: search.parallel: expected a number >= 1, found 0'],
    ],
    [
      'a reward-average prior for an unknown agent',
      (r) => ({ ...r, search: { rewardAveragePriors: { zed: 0.5 } } }),
      ["a.json: search.rewardAveragePriors.zed: no agent named 'zed' (agents: a)"],
    ],
    [
      'an overlong buffer longer than the generation budget',
      (r) => ({ ...r, rollout: { maxNewTokens: 1024 } }),
      ['a.json: rewards.overlong.bufferTokens: 2048 exceeds rollout.maxNewTokens (1024); set it to at most 1024, or rewards.overlong: null'],
    ],
    [
      'evaluation without an eval set',
      (r) => ({ ...r, evaluation: {} }),
      ['a.json: evaluation: evaluation needs held-out problems: set datasets.eval, or evaluation: null'],
    ],
    [
      'a train batch that is not a multiple of the micro batch',
      (r) => ({ ...r, optimization: { trainBatchSize: 8, microBatchSize: 3 } }),
      ['a.json: optimization.microBatchSize: trainBatchSize (8) must be a whole multiple of microBatchSize (3)'],
    ],
    [
      'no trainable agent',
      (r) => ((r.agents[0].trainable = false), r),
      ['a.json: agents: no agent is trainable; set trainable: true on at least one (or evaluate with `mars2 eval`)'],
    ],
  ];
  for (const [what, change, expected, setup] of cases) {
    test(what, () => assert.deepEqual(errorsOf(change(minimal(setup))), expected));
  }

  test('several mistakes are all reported, one line each', () => {
    const lines = errorsOf({ ...minimal(), runId: 'has space', rollout: { temperature: -1, typo: 1 } });
    assert.equal(lines.length, 3, lines.join('\n'));
    assert.match(lines[0], /^a\.json: runId: expected a run id of letters, digits/);
  });
});

describe('loadRunConfig', () => {
  test('invalid JSON is reported with its line and column', () => {
    const file = write('trailing.json', '{\n  "runId": "r1",\n  "seed": 1,\n}\n');
    assert.throws(() => loadRunConfig(file), {
      name: 'ConfigError',
      message: `${file}: not valid JSON: line 4, column 1: expected another key after ',' (JSON has no trailing commas), found "}"`,
    });
  });

  test('a missing file says what to pass', () => {
    assert.throws(() => loadRunConfig(join(dir, 'nope.json')), /nope\.json: cannot read the config \(ENOENT.*\); pass a JSON run config/);
  });

  test('paths are relative to the config file; missing ones are named', () => {
    const raw = { ...minimal('heterogeneous'), agents: [{ name: 'a', model }, { name: 'b', model: 'no/such/model' }] };
    const file = write('paths.json', JSON.stringify(raw));
    assert.throws(() => loadRunConfig(file), {
      message:
        `${file}: agents[1].model: model directory '${join(dir, 'no/such/model')}' does not exist (paths are relative to the config file)\n` +
        `${file}: datasets.train.path: dataset file '${join(dir, 'train.jsonl')}' does not exist (paths are relative to the config file)`,
    });
    const c = loadRunConfig(file, { checkPaths: false });
    assert.equal(c.agents[1].model, join(dir, 'no/such/model'));
  });

  test('a model directory without config.json is not an HF model directory', () => {
    writeFileSync(join(dir, 'train.jsonl'), '');
    const file = write('nohf.json', JSON.stringify({ ...minimal(), agents: [{ name: 'a', model: '.' }] }));
    assert.throws(() => loadRunConfig(file), /agents\[0\]\.model: '.*' has no config\.json; expected an HF model directory/);
  });
});

describe('the main job and the ladder', () => {
  const root = join(__dirname, '..', '..');
  const ladder = join(root, 'experiments', 'ladder');
  const long = join(root, 'experiments', 'long');
  const files = [join(EXAMPLES, 'learn.json'), ...[ladder, long].flatMap((d) => readdirSync(d).map((f) => join(d, f)))];
  test('examples/learn.json and every experiments/{ladder,long}/*.json load, train the shipped base models on the domain scripts/base-models --domain-only writes, with distinct run ids', () => {
    const ids = new Set<string>();
    for (const file of files) {
      // The domain files are written by scripts/base-models --domain-only, which the demo and the ladder run.
      const c = loadRunConfig(file, { checkPaths: false });
      assert.ok(!ids.has(c.runId), `${file}: run id ${c.runId} repeats`);
      ids.add(c.runId);
      for (const a of c.agents) assert.match(a.model, new RegExp(`^${join(root, 'models')}/(llama|qwen3)$`), file);
      for (const a of c.agents) assert.ok(existsSync(join(a.model, 'model.safetensors')), `${a.model} is committed`);
      assert.equal(c.datasets.train.path, join(root, '.mars2', 'domain', 'train.jsonl'), file);
      assert.equal(c.datasets.eval?.path, join(root, '.mars2', 'domain', 'train-unseen.jsonl'), file);
    }
    assert.deepEqual([...ids].filter((id) => id.startsWith('ladder-')).length, readdirSync(ladder).length);
  });
});
