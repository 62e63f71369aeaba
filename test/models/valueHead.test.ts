// The scalar value head + BCE of the reward model (src/models/train/valueHead.ts), float64 central finite
// differences (STYLE 8, rel ≤ 1e-6): the head alone under a random upstream gradient with right- and
// left-padded rows; the head under the host BCE loss with moderate and saturated logits (|z| ≈ 40); the
// whole value graph (decoder + head, tied and untied embeddings) under the BCE loss for every parameter;
// and the float32 graph from buildTrainingGraph({ head: 'value' }) against the float64 one.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { loadParams } from '../../src/models/arch/weights';
import { readModelConfig } from '../../src/models/hf/config';
import { buildTrainingGraph, valueForward } from '../../src/models/train/graph';
import { bceLoss, sigmoid, valueHead, valueHeadBackward, valueParamSpecs } from '../../src/models/train/valueHead';
import { assertGradsMatch, gradcheck, randn, rng, type InputSpec } from './gradcheck';

const TOL = 1e-6;
const FIXTURES = join(__dirname, '..', 'fixtures', 'models');
// row 0 right-padded (last = 2), row 1 left-padded (last = 3), row 2 a single token (last = 0)
const MASK = [[1, 1, 1, 0], [0, 1, 1, 1], [1, 0, 0, 0]];
const LAST = [2, 3, 0];
const B = 3, S = 4, D = 5;

const f64 = (shape: number[], seed: number, scale = 1): InputSpec => ({ dtype: 'float64', shape, data: randn(rng(seed), shape.reduce((a, b) => a * b, 1), scale) });
const i64 = (rows: number[][]): InputSpec => ({ dtype: 'int64', shape: [rows.length, rows[0]!.length], data: rows.flat() });
function assertClose(worst: Record<string, number>, expected: string[]) {
  assert.deepEqual(Object.keys(worst).sort(), [...expected].sort());
  for (const [k, e] of Object.entries(worst)) assert.ok(e <= TOL, `grad of ${k}: worst relative error ${e.toExponential(2)} > ${TOL}`);
}
const bce = (labels: number[]) => ({ value: (z: Float64Array) => bceLoss(z, labels).loss, grad: (z: Float64Array) => bceLoss(z, labels).dlogit });

describe('value head (float64 finite differences)', () => {
  const headCase = (bias: number, labels: number[] | null, seed: number) => gradcheck({
    h: f64([B, S, D], seed), mask: i64(MASK), w: f64([1, D], seed + 1), b: { dtype: 'float64', shape: [1], data: [bias] },
  }, (g, v) => {
    const f = valueHead(g, v.h!, v.mask!, v.w!, v.b!);
    return { out: f.logit, backward: (dz) => { const d = valueHeadBackward(g, dz, v.w!, f.saved); return { h: d.dx, w: d.dw, b: d.db }; } };
  }, { seed: seed + 2, samples: B * S * D, ...(labels ? { hostLoss: bce(labels) } : {}) });

  test('random upstream gradient, right/left padding and length 1: only the last non-padded position gets dh', async () => {
    const r = await headCase(0.3, null, 1);
    assertClose(r.worst, ['h', 'w', 'b']);
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < S; t++) {
        const row = r.grads.h!.subarray((b * S + t) * D, (b * S + t + 1) * D);
        if (t === LAST[b]) assert.ok(row.some((x) => x !== 0), `row ${b} position ${t} (last) has a zero gradient`);
        else assert.ok(row.every((x) => x === 0), `row ${b} position ${t} is not the last one but has a gradient`);
      }
    }
  });

  test('BCE loss, moderate logits, both labels', async () => {
    const r = await headCase(0.1, [1, 0, 1], 10);
    assertClose(r.worst, ['h', 'w', 'b']);
    assert.ok(r.loss > 0 && Number.isFinite(r.loss));
  });

  test('BCE loss, saturated logits (z ≈ +40 with labels 1, 0, 1; z ≈ −40 with 1, 0, 0)', async () => {
    for (const [bias, labels, seed] of [[40, [1, 0, 1], 20], [-40, [1, 0, 0], 30]] as const) {
      const r = await headCase(bias, [...labels], seed);
      assertClose(r.worst, ['h', 'w', 'b']);
      for (const k of ['h', 'w', 'b']) assert.ok(r.grads[k]!.every(Number.isFinite), `saturated ${bias}: grad ${k} is not finite`);
      // one wrong, confident label: the loss ≈ 40/3, the gradient ≈ ±1/3 per unit of z
      assert.ok(Math.abs(r.loss - 40 / 3) < 1, `saturated ${bias}: loss ${r.loss}`);
    }
  });
});

describe('bceLoss (host)', () => {
  test('values, gradient σ(z) − y over B, and no overflow at |z| = 800', () => {
    const r = bceLoss([0, 2, -800, 800, 800], [1, 0, 0, 1, 0]);
    const want = [Math.log(2), 2 + Math.log1p(Math.exp(-2)), 0, 0, 800];
    assert.ok(Math.abs(r.loss - want.reduce((a, b) => a + b, 0) / 5) < 1e-12, `loss ${r.loss}`);
    const dz = [(0.5 - 1) / 5, sigmoid(2) / 5, 0, 0, 1 / 5];
    r.dlogit.forEach((x, i) => assert.ok(Math.abs(x - dz[i]!) < 1e-15, `dlogit[${i}] ${x}, expected ${dz[i]}`));
    assert.ok(r.prob.every((p) => p >= 0 && p <= 1));
  });

  test('rejects labels other than 0/1 and mismatched lengths', () => {
    assert.throws(() => bceLoss([0.5], [0.5]), /label\[0\] = 0.5; expected 0 or 1/);
    assert.throws(() => bceLoss([0.5, 1], [1]), /2 logits and 1 labels/);
  });
});

for (const name of ['llama', 'qwen2']) {
  describe(`${name} value graph`, () => {
    const dir = join(FIXTURES, name);
    const cfg = readModelConfig(dir);
    const store = loadParams(dir, cfg);
    const specs = valueParamSpecs(cfg);
    const rand = rng(90);
    const score = { 'score.weight': Float64Array.from(randn(rand, cfg.hiddenSize, 0.5)), 'score.bias': Float64Array.of(0.2) };
    const param = (n: string) => (n in score ? score[n as keyof typeof score] : Float64Array.from(store.view(n)));
    const ids = [[5, 17, 5, 300], [0, 17, 9, 17], [42, 0, 0, 0]];
    const pos = [[0, 1, 2, 0], [0, 0, 1, 2], [0, 0, 0, 0]];
    const labels = [1, 0, 1];

    test('float64 finite differences of the BCE loss for every parameter (no LM head)', async () => {
      assert.ok(!specs.some((s) => s.name === 'lm_head.weight'));
      const inputs: Record<string, InputSpec> = { input_ids: i64(ids), position_ids: i64(pos), attention_mask: i64(MASK) };
      for (const s of specs) inputs[s.name] = { dtype: 'float64', shape: s.shape, data: param(s.name) };
      const r = await gradcheck(inputs, (g, v) => {
        const f = valueForward(g, cfg, (n) => v[n]!, { inputIds: v.input_ids!, positionIds: v.position_ids!, attentionMask: v.attention_mask! }, 'float64');
        return { out: f.logit, backward: (dz) => Object.fromEntries(f.backward(dz)) };
      }, { seed: 91, samples: 6, hostLoss: bce(labels), extra: { 'model.embed_tokens.weight': [5 * cfg.hiddenSize, 17 * cfg.hiddenSize + 3] } });
      assertClose(r.worst, specs.map((s) => s.name));
    });

    test('float32 graph from buildTrainingGraph equals float64 (value ≤ 1e-5, grads ≤ 1e-3 · max)', async () => {
      const feeds = (dtype: 'float32' | 'float64') => {
        const arr = dtype === 'float32' ? Float32Array : Float64Array;
        const t = (rows: number[][]) => new ort.Tensor('int64', BigInt64Array.from(rows.flat().map(BigInt)), [B, S]);
        const f: Record<string, ort.Tensor> = { input_ids: t(ids), position_ids: t(pos), attention_mask: t(MASK), dvalue: new ort.Tensor(dtype, arr.from([0.3, -0.2, 0.1]), [B]) };
        for (const s of specs) f[s.name] = new ort.Tensor(dtype, arr.from(param(s.name)), s.shape);
        return f;
      };
      const so = { logSeverityLevel: 3 as const, intraOpNumThreads: 1 };
      const s32 = await ort.InferenceSession.create(buildTrainingGraph(cfg, { dtype: 'float32', head: 'value' }), so);
      const s64 = await ort.InferenceSession.create(buildTrainingGraph(cfg, { dtype: 'float64', head: 'value' }), { ...so, graphOptimizationLevel: 'basic' });
      const [o32, o64] = [await s32.run(feeds('float32')), await s64.run(feeds('float64'))];
      await s32.release();
      await s64.release();
      assert.deepEqual(Object.keys(o64).sort(), ['value', ...specs.map((s) => `grad.${s.name}`)].sort());
      const z32 = o32.value!.data as Float32Array, z64 = o64.value!.data as Float64Array;
      for (let b = 0; b < B; b++) assert.ok(Math.abs(z32[b]! - z64[b]!) <= 1e-5, `${name} value[${b}]: float32 ${z32[b]} vs float64 ${z64[b]}`);
      assertGradsMatch(name, specs.map((s) => s.name), o32, o64);
    });
  });
}
