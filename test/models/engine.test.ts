// The Engine through its worker thread: chat and plain prompts, greedy vs transformers, seeded
// reproducibility, concurrent greedy requests equal deterministic mode, stop strings, max tokens,
// checkpoint-version reloads, errors (a code each) and cancellation.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine, type Engine } from '../../src/models/engine';
import { ModelHost } from '../../src/models/host';
import { longContextModel } from '../../scripts/example-models';

const FIXTURES = join(__dirname, '..', 'fixtures', 'models');
const qwen3 = join(FIXTURES, 'qwen3');
const llama = join(FIXTURES, 'llama');

describe('engine (worker thread)', () => {
  let engine: Engine;
  let det: Engine;
  before(() => {
    engine = createEngine({ threads: 1, maxBatch: 8 });
    det = createEngine({ threads: 1, deterministic: true });
  });
  after(async () => {
    await engine.close();
    await det.close();
  });

  test('plain prompt, greedy: the transformers continuation, with prompt ids and both log-probs', async () => {
    const ref = JSON.parse(readFileSync(join(llama, 'reference.json'), 'utf8')) as { greedy: { prompt_text: string; prompt_ids: number[]; new_ids: number[] } };
    const r = await engine.generate({ model: llama, prompt: ref.greedy.prompt_text, sampling: { greedy: true }, maxNewTokens: 32 });
    assert.deepEqual(r.promptTokenIds, ref.greedy.prompt_ids);
    assert.deepEqual(r.tokenIds.slice(0, ref.greedy.new_ids.length), ref.greedy.new_ids);
    assert.equal(r.tokenIds.length, r.logprobs.length);
    assert.equal(r.tokenIds.length, r.rawLogprobs.length);
    assert.ok(r.rawLogprobs.every((x) => x < 0));
    assert.equal(typeof r.text, 'string');
  });

  test('chat messages through the template; a fixed seed reproduces; maxNewTokens ends with length', async () => {
    const req = {
      model: qwen3, messages: [{ role: 'user', content: 'Add two numbers.' }], enableThinking: false,
      sampling: { temperature: 1, topP: 0.95 }, seed: 42, maxNewTokens: 20,
    };
    const a = await engine.generate(req);
    const b = await det.generate(req);
    const c = await engine.generate({ ...req, seed: 43 });
    assert.deepEqual(a.tokenIds, b.tokenIds);
    assert.notDeepEqual(a.tokenIds, c.tokenIds);
    assert.ok(a.promptTokenIds.length > 10);
    assert.ok(a.finishReason === 'length' ? a.tokenIds.length === 20 : a.finishReason === 'eos');
  });

  test('weights int8 per request: a second, quantized runtime beside the float32 one; each keeps its own results', async () => {
    const req = { model: llama, prompt: 'def add(a, b):', sampling: { greedy: true }, maxNewTokens: 12 };
    const f1 = await engine.generate(req);
    const q1 = await engine.generate({ ...req, weights: 'int8' as const });
    const [f2, q2] = await Promise.all([engine.generate(req), engine.generate({ ...req, weights: 'int8' as const })]);
    assert.deepEqual(f2.tokenIds, f1.tokenIds);
    assert.deepEqual(q2.tokenIds, q1.tokenIds);
    assert.deepEqual(q1.promptTokenIds, f1.promptTokenIds);
    // the int8 log-probs are close to, not equal to, the float32 ones (a different runtime answered)
    const n = Math.min(f1.rawLogprobs.length, q1.rawLogprobs.length);
    const d = Math.max(...Array.from({ length: n }, (_, i) => Math.abs(f1.rawLogprobs[i]! - q1.rawLogprobs[i]!)));
    assert.ok(d > 0, 'int8 answered with the float32 runtime');
    assert.equal(q1.tokenIds[0], f1.tokenIds[0]);
  });

  test('concurrent greedy requests give the same tokens as deterministic mode', async () => {
    const prompts = ['def add(a, b):', 'for i in range(10):', 'Hello world', 'import sys', 'class Solution:', 'print(', 'x = 1', 'def fib(n):'];
    const reqs = prompts.map((prompt, i) => ({ model: qwen3, prompt, sampling: { greedy: true }, maxNewTokens: 12 + i }));
    const together = await Promise.all(reqs.map((r) => engine.generate(r)));
    for (let i = 0; i < reqs.length; i++) {
      const alone = await det.generate(reqs[i]!);
      assert.deepEqual(together[i]!.tokenIds, alone.tokenIds, `request ${i}`);
      assert.ok(together[i]!.rawLogprobs.every((x, j) => Math.abs(x - alone.rawLogprobs[j]!) < 1e-4));
    }
  });

  test('stop strings end generation and cut the text', async () => {
    const base = await engine.generate({ model: qwen3, prompt: 'def', sampling: { greedy: true }, maxNewTokens: 24 });
    const stop = base.text.slice(4, 6);
    assert.ok(stop.length === 2, `need some output to pick a stop string from: ${JSON.stringify(base.text)}`);
    const r = await engine.generate({ model: qwen3, prompt: 'def', sampling: { greedy: true, stop: [stop] }, maxNewTokens: 24 });
    assert.equal(r.finishReason, 'stop');
    assert.equal(r.text, base.text.slice(0, base.text.indexOf(stop)));
    assert.deepEqual(r.tokenIds, base.tokenIds.slice(0, r.tokenIds.length));
  });

  test('a new checkpoint version reloads the model', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ckpt-'));
    cpSync(qwen3, dir, { recursive: true });
    const r1 = await engine.generate({ model: { dir, version: 1 }, prompt: 'def', sampling: { greedy: true }, maxNewTokens: 8 });
    cpSync(llama, dir, { recursive: true, force: true });
    const r2 = await engine.generate({ model: { dir, version: 2 }, prompt: 'def', sampling: { greedy: true }, maxNewTokens: 8 });
    const same = await engine.generate({ model: llama, prompt: 'def', sampling: { greedy: true }, maxNewTokens: 8 });
    assert.equal(r1.version, 1);
    assert.equal(r2.version, 2);
    assert.deepEqual(r2.tokenIds, same.tokenIds);
    assert.notDeepEqual(r1.tokenIds, r2.tokenIds);
  });

  test('errors come back as ThreadErrors with a code, and a message that names the field', async () => {
    await assert.rejects(engine.generate({ model: '/nonexistent/model', prompt: 'x' }), {
      name: 'ThreadError', code: 'model_missing', message: /model directory \/nonexistent\/model does not exist/,
    });
    await assert.rejects(engine.generate({ model: qwen3 }), { code: 'bad_request', message: /needs messages or a prompt/ });
    await assert.rejects(engine.generate({ model: qwen3, prompt: 'x', sampling: { topP: 0 } }), { code: 'bad_sampling', message: /sampling\.topP must be in \(0, 1\], found 0/ });
    await assert.rejects(engine.generate({ model: qwen3, prompt: 'x', sampling: { temperature: -1 } }), { code: 'bad_sampling', message: /sampling\.temperature must be ≥ 0, found -1/ });
    await assert.rejects(engine.generate({ model: qwen3, prompt: 'x'.repeat(400) }), { code: 'prompt_too_long', message: /max_position_embeddings is 256/ });
    const closed = createEngine({ threads: 1 });
    await closed.close();
    await assert.rejects(closed.generate({ model: qwen3, prompt: 'x' }), { code: 'closed' });
  });

  test('an aborted signal: the request rejects as cancelled at once and its row leaves the batch', async () => {
    const dir = longContextModel(mkdtempSync(join(tmpdir(), 'mars2-engine-')), 'qwen2');
    const req = { model: dir, prompt: 'def', maxNewTokens: 4000, seed: 1 };
    const early = new AbortController();
    early.abort();
    await assert.rejects(engine.generate(req, early.signal), { code: 'cancelled' });
    // Through the thread: a cancelled call answers at once, and the thread goes on serving.
    const ctl = new AbortController();
    const pending = engine.generate(req, ctl.signal);
    setTimeout(() => ctl.abort(), 20);
    await assert.rejects(pending, { code: 'cancelled' });
    assert.equal((await engine.generate({ ...req, maxNewTokens: 4 })).tokenIds.length, 4);
    // In-process: the row is dropped at the next decode step, beside a row that goes on to the end.
    const host = new ModelHost({ threads: 1 });
    try {
      const gen = (await host.model(dir)).gen;
      const stop = new AbortController();
      const cancelled = host.generate(req, stop.signal);
      const kept = host.generate({ ...req, maxNewTokens: 64, seed: 2 });
      while (gen.load < 2) await new Promise((r) => setImmediate(r));
      stop.abort();
      await assert.rejects(cancelled, { code: 'cancelled' });
      assert.equal(gen.load, 1, 'only the other row is left');
      assert.ok((await kept).tokenIds.length > 0);
      assert.equal(gen.load, 0);
    } finally {
      await host.close();
    }
  });
});
