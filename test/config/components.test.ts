// The component configs cut from a run config are the ones the components accept, and the pure half of
// the config (schema + components) can be imported by workflow code: no Node built-in is reachable
// through its value imports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { AbMctsA } from '../../src/search/abmcts';
import { Rng } from '../../src/search/rng';
import { treeAdvantages } from '../../src/rl/advantage';
import { addRollout, initBuffers } from '../../src/rl/buffers';
import { gspoLoss } from '../../src/rl/loss';
import { cosineLr } from '../../src/models/train/optim';
import { defaultEvaluationConfig, parseRunConfig, type RunConfigInput } from '../../src/config/schema';
import {
  adamWConfig,
  advantageConfig,
  bufferConfig,
  evaluationInput,
  plannedIterations,
  policyLossConfig,
  rlHyper,
  scheduleConfig,
  trainingTreeInput,
  treeSearchConfig,
  weightGroups,
} from '../../src/config/components';

const input = {
  runId: 'r',
  setup: 'heterogeneous',
  datasets: { train: { path: 't', limit: 50 } },
  agents: [
    { name: 'a', model: 'm/a' },
    { name: 'b', model: 'm/b', trainable: false },
  ],
  search: { dist: 'beta', rewardAveragePriors: { a: 0.3, b: 0.6 }, depthGamma: [0.98, 0.9] },
  rollout: { problemsPerIteration: 4, maxNewTokens: 100 },
  rewards: { shaping: { gamma: 0.3 }, overlong: { bufferTokens: 10 } },
  optimization: { trainBatchSize: 6, tis: null, schedule: { warmupRatio: 0.1 } },
  stop: { episodes: 3, maxIterations: 30 },
} satisfies RunConfigInput;
const config = parseRunConfig(input);

test('treeSearchConfig builds the joint tree and each agent-mode tree', () => {
  const joint = new AbMctsA(treeSearchConfig(config));
  assert.deepEqual(joint.config.agents, ['a', 'b']);
  assert.equal(joint.config.dist, 'beta');
  assert.deepEqual(joint.config.depthGamma, [0.98, 0.9]);
  const solo = new AbMctsA(treeSearchConfig(config, ['b']));
  assert.deepEqual(solo.config.agentPriors, [{ dist: 'beta', a: 0.6, b: 0.4 }]);
  const { parent, agent } = solo.select(solo.init(), Rng.seeded(1));
  assert.deepEqual({ parent, agent }, { parent: -1, agent: 0 });
  assert.throws(() => treeSearchConfig(config, ['zed']), /expected names of this run's agents, found \["zed"\]/);
});

test('search.parallel reaches training trees and evaluation trees, not the search object', () => {
  const wide = parseRunConfig({ ...input, search: { ...input.search, parallel: 4 } });
  const tree = trainingTreeInput(wide, { ref: 'sha256:p', id: 'p' }, [], 0, 0, 'r');
  assert.equal(tree.parallel, 4);
  assert.equal(trainingTreeInput(config, { ref: 'sha256:p', id: 'p' }, [], 0, 0, 'r').parallel, 4, 'the default for budget 8');
  const ev = evaluationInput(wide, defaultEvaluationConfig(), { index: 'sha256:eval', count: 1 }, {});
  assert.equal(ev.parallel, 4);
  assert.ok(!('parallel' in treeSearchConfig(wide)), 'AbMctsA takes no parallel: the workflow batches');
});

test('advantageConfig carries shaping and the overlong penalty over rollout.maxNewTokens', () => {
  const adv = advantageConfig(config);
  assert.deepEqual(adv.shaping, { gamma: 0.3, lambda: 0.5 });
  assert.deepEqual(adv.overlong, { maxResponseTokens: 100, bufferTokens: 10, penaltyFactor: 1 });
  const nodes = [
    { treeId: 't', nodeId: 0, parentId: null, agent: 'a', score: 1, responseTokens: 95 }, // 5 over L_exp = 90
    { treeId: 't', nodeId: 1, parentId: null, agent: 'b', score: 0, responseTokens: 10 },
  ];
  const [first] = treeAdvantages(nodes, adv);
  assert.equal(first.shapedReward, 1 + 0.3 * (1 - 0)); // sibling baseline 0
  assert.equal(first.reward, 1.3 - 0.5);
});

test('bufferConfig fires an agent at max(problemsPerIteration, trainBatchSize) samples', () => {
  const buffers = bufferConfig(config);
  assert.deepEqual(buffers, { rolloutBatchSize: 4, trainBatchSize: 6, remainder: 'drop' });
  const samples = Array.from({ length: 6 }, (_, i) => ({ agent: 'a', treeId: 't', nodeId: i, advantage: 0, ref: `r${i}` }));
  const { updates } = addRollout(initBuffers(['a', 'b']), samples, buffers);
  assert.deepEqual(updates.map((u) => [u.agent, u.samples.length]), [['a', 6]]);
});

test('policyLossConfig, adamWConfig and scheduleConfig are what the loss and optimizer read', () => {
  const loss = policyLossConfig(config);
  assert.equal(loss.tis, null);
  assert.equal(loss.klCoef, 1e-3);
  const seq = { logp: [-1], oldLogp: [-1], rolloutLogp: [-1], refLogp: [-1], mask: [1], advantage: 1 };
  assert.equal(gspoLoss([seq], loss).loss, -1);
  assert.deepEqual(adamWConfig(config), { lr: 1e-6, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0 });
  const schedule = scheduleConfig(config, 100);
  assert.deepEqual(schedule, { lr: 1e-6, minLr: 1e-7, warmupSteps: 10, totalSteps: 100 });
  assert.equal(cosineLr(10, schedule), 1e-6);
  assert.ok(Math.abs(cosineLr(100, schedule) - 1e-7) < 1e-20);
});

test('weightGroups: one per agent, or one shared by every role', () => {
  assert.deepEqual(weightGroups(config), [
    { owner: 'a', model: 'm/a', agents: ['a'], trainable: true },
    { owner: 'b', model: 'm/b', agents: ['b'], trainable: false },
  ]);
  const homo = parseRunConfig({
    runId: 'h',
    setup: 'homogeneous',
    datasets: { train: { path: 't' } },
    agents: [
      { name: 'x', model: 'm', systemPrompt: 'p1' },
      { name: 'y', systemPrompt: 'p2' },
    ],
  });
  assert.deepEqual(weightGroups(homo), [{ owner: 'x', model: 'm', agents: ['x', 'y'], trainable: true }]);
});

test('plannedIterations: episodes over the (limited) training set, capped by maxIterations', () => {
  assert.equal(plannedIterations(config, 1000), 30); // ⌈3·50/4⌉ = 38, capped at 30
  assert.equal(plannedIterations(config, 20), 15); // ⌈3·20/4⌉
});

/** Value imports (not `import type`) of a TypeScript file, as written. */
function valueImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/^(?:import|export)\s+(type\s+)?(?:[^;'"]*?\s+from\s+)?'([^']+)'/gm)) {
    if (!m[1]) out.push(m[2]);
  }
  return out;
}

test('configSchema and components reach no Node built-in through value imports (workflow code may use them)', () => {
  const root = join(__dirname, '..', '..');
  const builtins = new Set(builtinModules);
  const seen = new Set<string>();
  const external = new Set<string>();
  const queue = ['src/config/schema.ts', 'src/config/components.ts'].map((f) => join(root, f));
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const spec of valueImports(file)) {
      if (!spec.startsWith('.')) {
        external.add(spec);
        continue;
      }
      const base = resolve(dirname(file), spec);
      const target = [`${base}.ts`, join(base, 'index.ts')].find(existsSync);
      assert.ok(target, `${relative(root, file)} imports '${spec}', which does not resolve`);
      queue.push(target!);
    }
  }
  const bad = [...external].filter((s) => s.startsWith('node:') || builtins.has(s));
  assert.deepEqual(bad, [], `built-ins reachable: ${bad.join(', ')}`);
  assert.deepEqual([...external].sort(), ['zod']);
  const files = [...seen].map((f) => relative(root, f));
  assert.ok(files.every((f) => /^src\/(config|search|rl|data\/formats|store\/names\.ts|models\/train\/plan\.ts)/.test(f)), files.join('\n'));
});

test("an agent's own lr reaches its weights' trainStep; the others keep optimization.lr, and the schedule scales from each", () => {
  const c = parseRunConfig({
    ...input,
    agents: [{ name: 'a', model: 'm/a', lr: 3e-4 }, { name: 'b', model: 'm/b' }],
    optimization: { ...input.optimization, lr: 1e-4, schedule: { kind: 'cosine', warmupRatio: 0.1, minLrRatio: 0.5 } },
  });
  assert.equal(rlHyper(c, 30, 'a').lr, 3e-4);
  assert.equal(rlHyper(c, 30, 'a').minLr, 1.5e-4);
  assert.equal(rlHyper(c, 30, 'b').lr, 1e-4);
  assert.equal(rlHyper(c, 30, 'b').minLr, 5e-5);
  assert.equal(rlHyper(c, 30).lr, 1e-4, 'no owner: the run-wide rate');
  assert.deepEqual({ ...rlHyper(c, 30, 'a'), lr: 0, minLr: 0 }, { ...rlHyper(c, 30, 'b'), lr: 0, minLr: 0 }, 'nothing else differs');
});
