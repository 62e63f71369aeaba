// `mars2 generate` end to end: --json output for a plain prompt and a chat file, usage errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mars2 as cli, ROOT } from '../helpers/cli';

const model = join(ROOT, 'test', 'fixtures', 'models', 'qwen3');
const mars2 = (...args: string[]) => cli(args, { timeoutMs: 60_000, stack: 'user' });

test('mars2 generate --json: prompt and chat messages, greedy is reproducible', () => {
  const a = mars2('generate', '--model', model, '--prompt', 'def add(a, b):', '--greedy', '--max-new-tokens', '6', '--threads', '1', '--json');
  assert.equal(a.status, 0, a.stderr);
  const r = JSON.parse(a.stdout) as { tokenIds: number[]; logprobs: number[]; rawLogprobs: number[]; finishReason: string; promptTokenIds: number[] };
  assert.equal(r.tokenIds.length, r.rawLogprobs.length);
  assert.ok(r.tokenIds.length <= 6 && r.promptTokenIds.length > 0);
  const dir = mkdtempSync(join(tmpdir(), 'gen-'));
  writeFileSync(join(dir, 'm.json'), JSON.stringify([{ role: 'user', content: 'hi' }]));
  const b = mars2('generate', '--model', model, '--messages', join(dir, 'm.json'), '--no-thinking', '--seed', '4', '--max-new-tokens', '5', '--threads', '1');
  assert.equal(b.status, 0, b.stderr);
  assert.match(b.stdout, /prompt tokens: 25, new tokens: \d+, finish: (length|eos)/);
  assert.match(b.stdout, /raw log-probs \(T=1\): \[/);
  // --int8: the same request on int8 projections runs and reports the same shape of result
  const c = mars2('generate', '--model', model, '--prompt', 'def add(a, b):', '--greedy', '--max-new-tokens', '6', '--threads', '1', '--json', '--int8');
  assert.equal(c.status, 0, c.stderr);
  const q = JSON.parse(c.stdout) as typeof r;
  assert.deepEqual(q.promptTokenIds, r.promptTokenIds);
  assert.equal(q.tokenIds.length, q.rawLogprobs.length);
  assert.ok(q.rawLogprobs.every((x) => Number.isFinite(x) && x <= 0));
});

test('mars2 generate: usage and input errors say what was expected', () => {
  const a = mars2('generate', '--model', model);
  assert.equal(a.status, 2);
  assert.match(a.stderr, /give exactly one of --prompt TEXT or --messages FILE/);
  const dir = mkdtempSync(join(tmpdir(), 'gen-'));
  writeFileSync(join(dir, 'bad.json'), JSON.stringify([{ role: 'user' }]));
  const b = mars2('generate', '--model', model, '--messages', join(dir, 'bad.json'));
  assert.equal(b.status, 1);
  assert.match(b.stderr, /message 0 needs string 'role' and 'content'/);
});
