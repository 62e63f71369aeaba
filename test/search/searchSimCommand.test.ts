// `mars2 search-sim`: the written document's format, the summary, and errors that name the problem.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { UsageError, UserError } from '../../src/cli/command';
import { searchSimCommand } from '../../src/cli/searchSim';

const dir = mkdtempSync(path.join(os.tmpdir(), 'mars2-search-sim-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const config = {
  seed: 3,
  steps: 16,
  trials: 50,
  dist_type: 'gaussian',
  mode: 'bernoulli',
  agents: [
    { name: 'strong', p_root: 0.3, p_refine_given_parent_pass: 0.8, p_refine_given_parent_fail: 0.35 },
    { name: 'weak', p_root: 0.1, p_refine_given_parent_pass: 0.5, p_refine_given_parent_fail: 0.1 },
  ],
};

function writeConfig(name: string, value: unknown): string {
  const file = path.join(dir, name);
  writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
  return file;
}

test('writes every tree in the search-sim format and prints a JSON summary', async (t) => {
  const out = path.join(dir, 'trees.json');
  const log = t.mock.method(console, 'log', () => {});
  const code = await searchSimCommand.run(['--config', writeConfig('ok.json', config), '--out', out, '--json']);
  assert.equal(code, 0);
  const doc = JSON.parse(readFileSync(out, 'utf8'));
  assert.deepEqual(Object.keys(doc), ['implementation', 'config', 'trees']);
  assert.match(doc.implementation, /^mars2 \d+\.\d+\.\d+/);
  assert.deepEqual(doc.config, config);
  assert.equal(doc.trees.length, 50);
  for (const tree of doc.trees) {
    assert.deepEqual(Object.keys(tree), ['parent', 'agent', 'score']);
    assert.equal(tree.parent.length, 16);
    assert.equal(tree.parent[0], -1);
  }
  const summary = JSON.parse(log.mock.calls[0].arguments[0] as string);
  assert.equal(summary.trials, 50);
  assert.equal(summary.agentShare.length, 2);
  assert.ok(summary.seconds >= 0);
});

test('the human summary names the run and where the trees went', async (t) => {
  const out = path.join(dir, 'trees2.json');
  const log = t.mock.method(console, 'log', () => {});
  await searchSimCommand.run(['--config', writeConfig('ok2.json', config), '--out', out]);
  const text = log.mock.calls.map((c) => c.arguments[0]).join('\n');
  assert.match(text, /50 trees × 16 steps \(gaussian, thompson, 2 agents\)/);
  assert.match(text, /strong \d+\.\d%, weak \d+\.\d%/);
  assert.match(text, new RegExp(`written to ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
});

test('errors say what was expected and what was found', async () => {
  await assert.rejects(searchSimCommand.run([]), (e) => e instanceof UsageError && /--config F is required/.test(e.message));
  await assert.rejects(
    searchSimCommand.run(['--config', path.join(dir, 'missing.json')]),
    (e) => e instanceof UserError && /cannot read the config/.test(e.message),
  );
  await assert.rejects(
    searchSimCommand.run(['--config', writeConfig('broken.json', '{"seed": ')]),
    (e) => e instanceof UserError && /not valid JSON/.test(e.message),
  );
  const bad = { ...config, dist_type: 'poisson', agents: [{ ...config.agents[0], p_root: 1.5 }] };
  await assert.rejects(
    searchSimCommand.run(['--config', writeConfig('bad.json', bad)]),
    (e) => e instanceof UserError && /dist_type/.test(e.message) && /agents\.0\.p_root/.test(e.message),
  );
  await assert.rejects(
    searchSimCommand.run(['--config', writeConfig('prior.json', { ...config, prior: { a: 1 } })]),
    (e) => e instanceof UserError && /'a' is not a gaussian prior field/.test(e.message),
  );
});
