// `mars2 train` with a bad config, a missing model directory or a dataset with a bad line: exit
// code 1, no stack trace, and a message naming the file and the field or line, with what
// was expected and what was found. The loader's own cases are in test/config/config.test.ts; this checks
// they reach the user through the CLI, and that nothing is started.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { commentDataset } from '../helpers/trainRun';
import { ensureTestStack } from '../helpers/stack';
import { commentModel } from '../helpers/models';
import { mars2 as cli } from '../helpers/cli';

const mars2 = (...args: string[]) => cli(args);

let client: Client;
let dir: string;
let model: string;
let dataset: string;
before(async () => {
  const stack = await ensureTestStack();
  client = stack.client;
  dir = join(stack.cfg.home, 'train-errors');
  mkdirSync(dir, { recursive: true });
  model = commentModel(stack.cfg.home);
  dataset = commentDataset(dir, 2);
});
after(async () => {
  await client.connection.close();
});

function config(runId: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    runId,
    setup: 'single',
    datasets: { train: { path: dataset, format: 'native' } },
    agents: [{ name: 'coder', model }],
    search: { budget: 2 },
    evaluation: null,
    ...over,
  };
}

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** Runs `mars2 train`, expects exit code 1 and no stack trace; returns stderr. */
async function fails(file: string, runId: string): Promise<string> {
  const res = mars2('train', '--config', file);
  assert.equal(res.status, 1, `exit code 1 (a user error); stdout ${res.stdout}; stderr ${res.stderr}`);
  assert.doesNotMatch(res.stderr, /\n\s+at /, 'no stack trace');
  const started = await client.workflow.getHandle(runId).describe().then(
    () => true,
    () => false,
  );
  assert.equal(started, false, 'no run was started');
  return res.stderr;
}

test('a malformed config line: the line and column, and what JSON expected', async () => {
  const runId = `bad-json-${Date.now()}`;
  const text = JSON.stringify(config(runId), null, 2).replace('"setup": "single",', '"setup": "single",,');
  const file = write('bad-json.json', text);
  const line = text.split('\n').findIndex((l) => l.includes(',,')) + 1;
  assert.match(await fails(file, runId), new RegExp(`${file}: not valid JSON: line ${line}, column \\d+: `));
});

test('a bad field and an unknown key: each named by its path, with what was expected and found', async () => {
  const runId = `bad-field-${Date.now()}`;
  const file = write('bad-field.json', JSON.stringify(config(runId, { rollout: { temperature: -1, topp: 0.9 } })));
  const err = await fails(file, runId);
  assert.match(err, new RegExp(`${file}: rollout\\.temperature: .*>= ?0.*-1`));
  assert.match(err, new RegExp(`${file}: rollout\\.topp: `));
});

test('a missing model directory: the field and the path', async () => {
  const runId = `no-model-${Date.now()}`;
  const file = write('no-model.json', JSON.stringify(config(runId, { agents: [{ name: 'coder', model: join(dir, 'no-such-model') }] })));
  assert.match(await fails(file, runId), new RegExp(`${file}: agents\\[0\\]\\.model: model directory '${join(dir, 'no-such-model')}' does not exist`));
});

test('a dataset with a bad line: the dataset file and the line', async () => {
  const runId = `bad-line-${Date.now()}`;
  const data = write('bad-line.jsonl', `${JSON.stringify({ id: 'ok', prompt: 'p', style: 'assert', test_code: '', public_tests: [{ input: '', output: '' }], private_tests: [] })}\n{"id": "broken", "prompt": \n`);
  const file = write('bad-line.json', JSON.stringify(config(runId, { datasets: { train: { path: data, format: 'native' } } })));
  assert.match(await fails(file, runId), new RegExp(`${data}:2\\b`));
});
