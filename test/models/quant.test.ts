// Int8 projections (RuntimeOptions.weights 'int8', arch/quant.ts): the block quantizer, and the int8
// graphs against the float32 graphs of a model whose projections ARE the dequantized int8 weights. With
// accuracy level 0 (float32 compute) the two must agree to float rounding, for every architecture, fused
// and unfused, full forward and delta-KV steps; with the default level 4 (int8 activations too) the
// logits stay close to the float32 ones.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dequantizeRows, QuantStore, quantizeRows } from '../../src/models/arch/quant';
import { loadParams, paramSpecs } from '../../src/models/arch/weights';
import { readModelConfig } from '../../src/models/hf/config';
import { writeSafetensors } from '../../src/models/hf/safetensors';
import { Generator } from '../../src/models/generator';
import { ModelRuntime } from '../../src/models/runtime';
import { maxAbsDiff } from '../helpers/models';

const FIXTURES = join(__dirname, '..', 'fixtures', 'models');
const BLOCK = 32;

/** A copy of model dir `name` whose projection weights are replaced by their int8 dequantization. */
function dequantizedCopy(name: string): string {
  const src = join(FIXTURES, name);
  const dst = mkdtempSync(join(tmpdir(), `mars2-q8-${name}-`));
  for (const f of readdirSync(src)) if (f.endsWith('.json') && !['reference.json', 'train_reference.json', 'model.safetensors.index.json'].includes(f)) copyFileSync(join(src, f), join(dst, f));
  const cfg = readModelConfig(src);
  const params = loadParams(src, cfg);
  const dq = (w: Float32Array, [N, K]: number[]) => {
    const { codes, scales } = quantizeRows(w, N!, K!, BLOCK);
    return dequantizeRows(codes, scales, N!, K!, BLOCK);
  };
  const tensors = paramSpecs(cfg).map((s) => {
    const w = params.view(s.name);
    const isProj = /(q|k|v|o|gate|up|down)_proj\.weight$/.test(s.name) || s.name === 'lm_head.weight';
    return { name: s.name, shape: s.shape, data: isProj ? dq(w, s.shape) : w };
  });
  if (cfg.tieWordEmbeddings) {
    // int8 quantizes the tied LM head but gathers float32 embeddings: untie, with the head dequantized
    const emb = paramSpecs(cfg)[0]!;
    tensors.push({ name: 'lm_head.weight', shape: emb.shape, data: dq(params.view(emb.name), emb.shape) });
    const c = JSON.parse(readFileSync(join(dst, 'config.json'), 'utf8'));
    writeFileSync(join(dst, 'config.json'), JSON.stringify({ ...c, tie_word_embeddings: false }));
  }
  writeFileSync(join(dst, 'model.safetensors'), writeSafetensors(tensors));
  return dst;
}

describe('int8 block quantizer', () => {
  test('codes round-trip within half a step; zero-padded tail blocks; all-zero rows; stacking rows changes nothing', () => {
    const N = 3, K = 40; // K: one whole block of 32 and a tail of 8
    const w = Float32Array.from({ length: N * K }, (_, i) => (i < K ? 0 : Math.sin(i * 0.7) * (1 + (i % 5))));
    const { codes, scales } = quantizeRows(w, N, K, BLOCK);
    assert.equal(codes.length, N * 2 * BLOCK);
    assert.equal(scales.length, N * 2);
    const back = dequantizeRows(codes, scales, N, K, BLOCK);
    for (let n = 0; n < N; n++) {
      for (let k = 0; k < K; k++) {
        const step = scales[n * 2 + Math.floor(k / BLOCK)]!;
        assert.ok(Math.abs(back[n * K + k]! - w[n * K + k]!) <= step / 2 + 1e-7, `row ${n} col ${k}`);
      }
      for (let j = K - BLOCK; j < BLOCK; j++) assert.equal(codes[(n * 2 + 1) * BLOCK + j], 128, 'padding is the zero code');
    }
    assert.ok(codes.subarray(0, 2 * BLOCK).every((c) => c === 128), 'an all-zero row is all zero codes');
    const alone = quantizeRows(w.subarray(K), N - 1, K, BLOCK);
    assert.deepEqual(alone.codes, codes.subarray(2 * BLOCK));
    assert.deepEqual(alone.scales, scales.subarray(2));
    assert.throws(() => quantizeRows(w, N, K + 1, BLOCK), /120 values for \[3, 41\]/);
    const params = loadParams(join(FIXTURES, 'llama'), readModelConfig(join(FIXTURES, 'llama')));
    assert.throws(() => new QuantStore(params, { blockSize: 48 }), /blockSize must be a power of two ≥ 16 \(MatMulNBits\); got 48/);
  });
});

for (const name of ['llama', 'qwen2', 'qwen3']) {
  describe(`${name} int8 projections`, () => {
    const ids = [[3, 17, 42, 9, 120, 7, 64, 5, 11, 2]];

    test('accuracy level 0 equals float32 on the dequantized weights (full forward fused and unfused, and decode steps)', async () => {
      const dir = dequantizedCopy(name);
      try {
        const ref = await ModelRuntime.load(dir, { threads: 1 });
        const want = await ref.forwardAll(ids);
        for (const fused of [true, false]) {
          const rt = await ModelRuntime.load(join(FIXTURES, name), { threads: 1, fused, weights: 'int8', quant: { accuracyLevel: 0 } });
          const d = maxAbsDiff(await rt.forwardAll(ids), want);
          assert.ok(d <= 1e-4, `fused ${fused}: max |Δlogit| = ${d}`);
          await rt.release();
        }
        // greedy decode through the delta-KV step graph: the same tokens and log-probs
        const run = async (rt: ModelRuntime) => {
          const out = await new Generator(rt, () => '').submit({ promptIds: ids[0]!, sampling: { temperature: 0, topP: 1, topK: 0 }, seed: 0, maxNewTokens: 16, eosIds: [], stop: [] });
          await rt.release();
          return out;
        };
        const a = await run(await ModelRuntime.load(join(FIXTURES, name), { threads: 1, weights: 'int8', quant: { accuracyLevel: 0 } }));
        const b = await run(ref);
        assert.deepEqual(a.tokenIds, b.tokenIds);
        assert.ok(maxAbsDiff(a.rawLogprobs, b.rawLogprobs) <= 1e-4, 'raw log-probs');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    test('default (int8 compute): logits close to the float32 ones (max |Δ| ≤ 0.25 sd, mean |Δ| ≤ 0.05 sd)', async () => {
      const f32 = await ModelRuntime.load(join(FIXTURES, name), { threads: 1 });
      const q8 = await ModelRuntime.load(join(FIXTURES, name), { threads: 1, weights: 'int8' });
      const want = await f32.forwardAll(ids);
      const got = await q8.forwardAll(ids);
      let mean = 0;
      for (const x of want) mean += x / want.length;
      let sd = 0;
      for (const x of want) sd += (x - mean) ** 2 / want.length;
      sd = Math.sqrt(sd);
      let mad = 0;
      for (let i = 0; i < got.length; i++) mad += Math.abs(got[i]! - want[i]!) / got.length;
      const d = maxAbsDiff(got, want);
      assert.ok(d > 0, 'int8 compute differs from float32 at all');
      assert.ok(d <= 0.25 * sd && mad <= 0.05 * sd, `max |Δlogit| ${d}, mean ${mad}, logits sd ${sd}`);
      await f32.release();
      await q8.release();
    });
  });
}
