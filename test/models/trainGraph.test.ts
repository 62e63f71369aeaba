// The whole-model training graph (src/models/train/graph.ts) on the tiny Llama (q/k/v/o biases, llama3
// RoPE), Qwen2 (tied embeddings, yarn RoPE) and Qwen3 (q/k norm, MQA, linear RoPE) fixtures:
//   - float64 finite differences of L = Σ_t w_t·ℓ_t w.r.t. sampled coordinates of EVERY parameter,
//     with a left-padded row and the LM head chunked in 3-row chunks (10 rows: 4 chunks, the last padded;
//     trainChunk.test.ts checks chunked = unchunked), relative error ≤ 1e-6;
//   - the float32 graph's ℓ_t equal the engine's full-forward log-probs (|Δ| ≤ 1e-5) and its gradients
//     equal the float64 ones (max |Δ| ≤ 1e-3 · max |g| per tensor).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { loadParams, paramSpecs } from '../../src/models/arch/weights';
import { readModelConfig } from '../../src/models/hf/config';
import { ModelRuntime } from '../../src/models/runtime';
import { buildTrainingGraph, trainingForward } from '../../src/models/train/graph';
import { assertGradsMatch, gradcheck, rng, type InputSpec } from './gradcheck';

const FIXTURES = join(__dirname, '..', 'fixtures', 'models');
const MASK = [[1, 1, 1, 1, 1], [0, 0, 1, 1, 1]];
const IDS = [[5, 17, 5, 300, 42], [0, 0, 17, 9, 17]];
const TARGETS = [[17, 5, 300, 42, 7], [1, 2, 9, 17, 319]];

function positions(mask: number[][]): number[][] {
  return mask.map((row) => {
    let p = 0;
    return row.map((m) => (m ? p++ : 0));
  });
}

const i64 = (rows: number[][]): InputSpec => ({ dtype: 'int64', shape: [rows.length, rows[0]!.length], data: rows.flat() });

for (const name of ['llama', 'qwen2', 'qwen3']) {
  const dir = join(FIXTURES, name);
  describe(`${name} training graph`, () => {
    const cfg = readModelConfig(dir);
    const store = loadParams(dir, cfg);
    const specs = paramSpecs(cfg);

    test('float64 finite differences of Σ w_t ℓ_t for every parameter, chunked LM head (rel ≤ 1e-6)', async () => {
      const inputs: Record<string, InputSpec> = {
        input_ids: i64(IDS), position_ids: i64(positions(MASK)), attention_mask: i64(MASK), targets: i64(TARGETS),
      };
      for (const s of specs) inputs[s.name] = { dtype: 'float64', shape: s.shape, data: Float64Array.from(store.view(s.name)) };
      const d = cfg.hiddenSize;
      const embedRows = [5, 17, 300].flatMap((r) => [r * d, r * d + 7]); // repeated ids and tied-head rows
      const r = await gradcheck(inputs, (g, v) => {
        const f = trainingForward(g, cfg, (n) => v[n]!, { inputIds: v.input_ids!, positionIds: v.position_ids!, attentionMask: v.attention_mask!, targets: v.targets! }, 'float64', { headChunkRows: 3 });
        return { out: f.logp, backward: (dout) => Object.fromEntries(f.backward(dout)) };
      }, { seed: 70, samples: 8, extra: { 'model.embed_tokens.weight': embedRows } });
      assert.deepEqual(Object.keys(r.worst).sort(), specs.map((s) => s.name).sort());
      for (const [k, e] of Object.entries(r.worst)) assert.ok(e <= 1e-6, `${name} grad of ${k}: worst relative error ${e.toExponential(2)} > 1e-6`);
    });

    test('float32 graph: log-probs equal the engine full forward, gradients equal float64', async () => {
      const rand = rng(71);
      const B = 2, S = 5;
      const ids = [[5, 17, 5, 300, 42], [3, 8, 17, 9, 17]];
      const w = Array.from({ length: B * S }, () => 2 * rand() - 1);
      const feeds = (dtype: 'float32' | 'float64') => {
        const arr = dtype === 'float32' ? Float32Array : Float64Array;
        const t = (rows: number[][]) => new ort.Tensor('int64', BigInt64Array.from(rows.flat().map(BigInt)), [B, S]);
        const f: Record<string, ort.Tensor> = {
          input_ids: t(ids), position_ids: t(positions([[1, 1, 1, 1, 1], [1, 1, 1, 1, 1]])), attention_mask: t([[1, 1, 1, 1, 1], [1, 1, 1, 1, 1]]),
          targets: t(TARGETS), dlogp: new ort.Tensor(dtype, arr.from(w), [B, S]),
        };
        for (const s of specs) f[s.name] = new ort.Tensor(dtype, arr.from(store.view(s.name)), s.shape);
        return f;
      };
      const so = { logSeverityLevel: 3 as const, intraOpNumThreads: 1 };
      const s32 = await ort.InferenceSession.create(buildTrainingGraph(cfg, { dtype: 'float32' }), so);
      const s64 = await ort.InferenceSession.create(buildTrainingGraph(cfg, { dtype: 'float64' }), { ...so, graphOptimizationLevel: 'basic' });
      const [o32, o64] = [await s32.run(feeds('float32')), await s64.run(feeds('float64'))];
      const rt = await ModelRuntime.load(dir, { threads: 1, rope: 'primitive' });
      const logits = await rt.forwardAll(ids);
      await rt.release();
      const V = cfg.vocabSize;
      const lp = o32.logp!.data as Float32Array;
      for (let t = 0; t < B * S; t++) {
        const row = logits.subarray(t * V, (t + 1) * V);
        const m = row.reduce((a, b) => Math.max(a, b), -Infinity);
        const lse = m + Math.log(row.reduce((a, b) => a + Math.exp(b - m), 0));
        const want = row[TARGETS.flat()[t]!]! - lse;
        assert.ok(Math.abs(lp[t]! - want) <= 1e-5, `${name} token ${t}: training ℓ ${lp[t]} vs engine ${want}`);
      }
      assertGradsMatch(name, specs.map((s) => s.name), o32, o64);
      await s32.release();
      await s64.release();
    });
  });
}
