// Golden tests against PyTorch + transformers (fixtures from scripts/golden/make_models.py): full-forward
// logits, 32-token greedy continuations, the delta-KV step graph against the full forward and rollout
// log-probs against a full forward, for the tiny Llama, Qwen2 and Qwen3.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SafetensorsDir } from '../../src/models/hf/safetensors';
import { ModelRuntime } from '../../src/models/runtime';
import { Generator } from '../../src/models/generator';
import { KvCache } from '../../src/models/kvcache';
import { maxAbsDiff } from '../helpers/models';

const FIXTURES = join(__dirname, '..', 'fixtures', 'models');
const REGEN = 'regenerate with: .mars2/golden-venv/bin/python scripts/golden/make_models.py';

interface Reference {
  logits_input_ids: number[][];
  greedy: { prompt_ids: number[]; new_ids: number[] };
}

for (const name of ['llama', 'qwen2', 'qwen3']) {
  const dir = join(FIXTURES, name);
  const ref = JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8')) as Reference;
  for (const [rope, fused] of [['ms', true], ['primitive', true], ['ms', false]] as const) {
    describe(`${name} golden (rope ${rope}${fused ? '' : ', unfused graph'})`, () => {
      test('full-forward logits match transformers within 1e-4', async () => {
        const rt = await ModelRuntime.load(dir, { threads: 1, rope, fused });
        const want = new SafetensorsDir(dir, 'reference.safetensors').float32('logits');
        const got = await rt.forwardAll(ref.logits_input_ids);
        const d = maxAbsDiff(got, want);
        assert.ok(d <= 1e-4, `max |Δlogit| = ${d} > 1e-4 (${REGEN})`);
        await rt.release();
      });
    });
  }
}

function logSoftmaxRow(z: Float32Array, off: number, V: number): Float64Array {
  let m = -Infinity;
  for (let i = 0; i < V; i++) m = Math.max(m, z[off + i]!);
  let s = 0;
  for (let i = 0; i < V; i++) s += Math.exp(z[off + i]! - m);
  const out = new Float64Array(V);
  for (let i = 0; i < V; i++) out[i] = z[off + i]! - m - Math.log(s);
  return out;
}

for (const name of ['llama', 'qwen2', 'qwen3']) {
  describe(`${name} generation against the full forward`, () => {
    const dir = join(FIXTURES, name);
    const ref = JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8')) as Reference;

    test('32-token greedy continuation equals transformers generate', async () => {
      const rt = await ModelRuntime.load(dir, { threads: 1 });
      const gen = new Generator(rt, () => '');
      const out = await gen.submit({
        promptIds: ref.greedy.prompt_ids, sampling: { temperature: 0, topP: 1, topK: 0 }, seed: 0, maxNewTokens: 32, eosIds: rt.cfg.eosTokenIds, stop: [],
      });
      assert.deepEqual(out.tokenIds, ref.greedy.new_ids, REGEN);
      await rt.release();
    });

    test('greedy continuation with the prompt prefilled in chunks of 4 (first on an empty past) equals transformers generate', async () => {
      const rt = await ModelRuntime.load(dir, { threads: 1 });
      const gen = new Generator(rt, () => '', { prefillChunk: 4 });
      const out = await gen.submit({
        promptIds: ref.greedy.prompt_ids, sampling: { temperature: 0, topP: 1, topK: 0 }, seed: 0, maxNewTokens: 32, eosIds: rt.cfg.eosTokenIds, stop: [],
      });
      assert.deepEqual(out.tokenIds, ref.greedy.new_ids, REGEN);
      await rt.release();
    });

    test('delta-KV prefill + decode logits equal the full forward within 1e-5 (chunked prefill, batch of 3)', async () => {
      const rt = await ModelRuntime.load(dir, { threads: 1 });
      const V = rt.cfg.vocabSize;
      const seq = [...ref.greedy.prompt_ids, ...ref.greedy.new_ids]; // 38 tokens
      const rows = [seq, seq.slice(3).concat(seq.slice(0, 3)), seq.slice().reverse()];
      const full = await rt.forwardAll(rows);
      const T = seq.length;
      const cache = new KvCache(rt.cfg.numLayers, rt.cfg.numKvHeads, rt.cfg.headDim);
      const P = [5, 11, 17]; // different prompt lengths per row, prefilled in chunks of 4
      let worst = 0;
      for (let b = 0; b < 3; b++) {
        const r = cache.addRow();
        cache.ensureCap(T);
        for (let s = 0; s < P[b]!; s += 4) {
          const piece = rows[b]!.slice(s, Math.min(P[b]!, s + 4));
          const o = await rt.stepRun(piece, piece.map((_, i) => s + i), cache.mask(r, 1, piece.length), 1, piece.length, cache.cap, cache.past(r, 1));
          cache.append(r, 1, piece.length, o.kv);
          const last = s + piece.length - 1;
          worst = Math.max(worst, maxAbsDiff(o.logits, full.subarray((b * T + last) * V, (b * T + last + 1) * V)));
        }
      }
      // decode the three rows together until the shortest reaches T
      while (Math.max(...cache.lengths) < T) {
        cache.ensureCap(Math.max(...cache.lengths) + 1);
        const pos = cache.lengths.slice();
        const ids = pos.map((p, b) => rows[b]![Math.min(p, T - 1)]!);
        const o = await rt.stepRun(ids, pos, cache.mask(0, 3, 1), 3, 1, cache.cap, cache.past(0, 3));
        cache.append(0, 3, 1, o.kv);
        for (let b = 0; b < 3; b++) {
          if (pos[b]! >= T) continue;
          worst = Math.max(worst, maxAbsDiff(o.logits.subarray(b * V, (b + 1) * V), full.subarray((b * T + pos[b]!) * V, (b * T + pos[b]! + 1) * V)));
        }
      }
      assert.ok(worst <= 1e-5, `incremental vs full forward: max |Δlogit| = ${worst}`);
      await rt.release();
    });

    test("attention 'onnx' (one ONNX Attention node per layer): prefill + decode equal the full forward within 1e-5, greedy equals transformers", async () => {
      for (const rope of ['ms', 'primitive'] as const) {
        const rt = await ModelRuntime.load(dir, { threads: 1, attention: 'onnx', rope });
        const V = rt.cfg.vocabSize;
        const seq = [...ref.greedy.prompt_ids, ...ref.greedy.new_ids];
        const full = await rt.forwardAll([seq]);
        const cache = new KvCache(rt.cfg.numLayers, rt.cfg.numKvHeads, rt.cfg.headDim);
        cache.addRow();
        cache.ensureCap(seq.length);
        let worst = 0;
        for (let s = 0; s < seq.length; s += s < 7 ? 7 : 1) { // a 7-token prefill on an empty past, then single steps
          const piece = seq.slice(s, s < 7 ? 7 : s + 1);
          const o = s === 0
            ? await rt.stepRun(piece, piece.map((_, i) => i), new BigInt64Array(piece.length).fill(1n), 1, piece.length, 0, rt.emptyPast())
            : await rt.stepRun(piece, [s], cache.mask(0, 1, 1), 1, 1, cache.cap, cache.past(0, 1));
          cache.append(0, 1, piece.length, o.kv);
          const last = s + piece.length - 1;
          worst = Math.max(worst, maxAbsDiff(o.logits, full.subarray(last * V, (last + 1) * V)));
        }
        assert.ok(worst <= 1e-5, `rope ${rope}: incremental vs full forward: max |Δlogit| = ${worst}`);
        const gen = new Generator(rt, () => '');
        const out = await gen.submit({
          promptIds: ref.greedy.prompt_ids, sampling: { temperature: 0, topP: 1, topK: 0 }, seed: 0, maxNewTokens: 32, eosIds: rt.cfg.eosTokenIds, stop: [],
        });
        assert.deepEqual(out.tokenIds, ref.greedy.new_ids, REGEN);
        await rt.release();
      }
    });

    test("attention 'auto' (the 'onnx' step graph for single rows, 'primitive' for batches): alone and batched, transformers' greedy tokens", async () => {
      const rt = await ModelRuntime.load(dir, { threads: 1, attention: 'auto' });
      const gen = new Generator(rt, () => '', { maxBatch: 4 });
      const job = { promptIds: ref.greedy.prompt_ids, sampling: { temperature: 0, topP: 1, topK: 0 }, seed: 0, maxNewTokens: 32, eosIds: rt.cfg.eosTokenIds, stop: [] };
      assert.deepEqual((await gen.submit(job)).tokenIds, ref.greedy.new_ids, REGEN); // B = 1 throughout
      const outs = await Promise.all([job, job, { ...job, maxNewTokens: 5 }].map((j) => gen.submit(j))); // B = 3, then 2
      for (const o of outs) assert.deepEqual(o.tokenIds, ref.greedy.new_ids.slice(0, o.tokenIds.length), REGEN);
      assert.equal(outs[0]!.tokenIds.length, 32);
      await rt.release();
    });

    test('sampled rollout log-probs equal a full forward of the same tokens', async () => {
      const rt = await ModelRuntime.load(dir, { threads: 1 });
      const gen = new Generator(rt, () => '', { maxBatch: 4 });
      const sampling = { temperature: 0.8, topP: 0.9, topK: 50 };
      const outs = await Promise.all([1, 2, 3].map((seed) => gen.submit({ promptIds: ref.greedy.prompt_ids, sampling, seed, maxNewTokens: 24, eosIds: [], stop: [] })));
      const V = rt.cfg.vocabSize;
      for (const out of outs) {
        const seq = [...ref.greedy.prompt_ids, ...out.tokenIds];
        const full = await rt.forwardAll([seq]);
        const P = ref.greedy.prompt_ids.length;
        out.tokenIds.forEach((t, i) => {
          const lp = logSoftmaxRow(full, (P - 1 + i) * V, V)[t]!;
          assert.ok(Math.abs(lp - out.rawLogprobs[i]!) <= 1e-5, `token ${i}: rollout ${out.rawLogprobs[i]} vs full ${lp}`);
          assert.ok(out.logprobs[i]! <= 0 && Number.isFinite(out.logprobs[i]!));
        });
      }
      assert.notDeepEqual(outs[0]!.tokenIds, outs[1]!.tokenIds);
      await rt.release();
    });
  });
}
