// Golden tests of the training graph against PyTorch + transformers (fixtures from
// scripts/golden/make_train.py), llm.c test_gpt2 style, in float32 on the tiny Llama, Qwen2 and Qwen3:
//   - the SFT loss and every parameter gradient at the initial weights (relative error ≤ 1e-3, as
//     max |Δ| / max |g| per tensor);
//   - the losses of 10 steps of clip + AdamW + cosine schedule (src/models/train/optim.ts), |Δ| ≤ 1e-4.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { loadParams, paramSpecs } from '../../src/models/arch/weights';
import { readModelConfig } from '../../src/models/hf/config';
import { SafetensorsDir } from '../../src/models/hf/safetensors';
import { buildTrainingGraph } from '../../src/models/train/graph';
import { sftLoss } from '../../src/models/train/loss';
import { adamwStep, clipGradNorm, cosineLr, decays, initAdamW } from '../../src/models/train/optim';

const FIXTURES = join(__dirname, '..', 'fixtures', 'models');
const REGEN = 'regenerate with: .mars2/golden-venv/bin/python scripts/golden/make_train.py';

interface TrainReference {
  input_ids: number[][];
  targets: number[][];
  loss_mask: number[][];
  loss: number;
  step_losses: number[];
  optimizer: { lr: number; min_lr: number; warmup_steps: number; total_steps: number; max_grad_norm: number; beta1: number; beta2: number; eps: number; weight_decay: number };
}

for (const name of ['llama', 'qwen2', 'qwen3']) {
  const dir = join(FIXTURES, name);
  describe(`${name} training golden (PyTorch)`, () => {
    const ref = JSON.parse(readFileSync(join(dir, 'train_reference.json'), 'utf8')) as TrainReference;
    const cfg = readModelConfig(dir);
    const specs = paramSpecs(cfg);
    const B = ref.input_ids.length, S = ref.input_ids[0]!.length;
    const mask = ref.loss_mask.flat();
    const i64 = (rows: number[][]) => new ort.Tensor('int64', BigInt64Array.from(rows.flat().map(BigInt)), [B, S]);
    const fixed = {
      input_ids: i64(ref.input_ids), targets: i64(ref.targets),
      position_ids: i64(ref.input_ids.map((r) => r.map((_, i) => i))), attention_mask: i64(ref.input_ids.map((r) => r.map(() => 1))),
      dlogp: new ort.Tensor('float32', Float32Array.from(sftLoss(new Float64Array(B * S), mask).dlogp), [B, S]),
    };
    const session = () => ort.InferenceSession.create(buildTrainingGraph(cfg, { dtype: 'float32' }), { logSeverityLevel: 3, intraOpNumThreads: 1 });
    const step = async (s: ort.InferenceSession, params: Float32Array[]) => {
      const feeds: Record<string, ort.Tensor> = { ...fixed };
      specs.forEach((sp, i) => (feeds[sp.name] = new ort.Tensor('float32', params[i]!, sp.shape)));
      const out = await s.run(feeds);
      return { loss: sftLoss(out.logp!.data as Float32Array, mask).loss, grads: specs.map((sp) => out[`grad.${sp.name}`]!.data as Float32Array) };
    };

    test('SFT loss and every parameter gradient match PyTorch (rel ≤ 1e-3)', async () => {
      const store = loadParams(dir, cfg);
      const s = await session();
      const { loss, grads } = await step(s, specs.map((sp) => Float32Array.from(store.view(sp.name))));
      assert.ok(Math.abs(loss - ref.loss) <= 1e-5 * Math.abs(ref.loss), `loss ${loss} vs PyTorch ${ref.loss} (${REGEN})`);
      const want = new SafetensorsDir(dir, 'train_reference.safetensors');
      specs.forEach((sp, i) => {
        const w = want.float32(`grad.${sp.name}`);
        const got = grads[i]!;
        assert.equal(got.length, w.length, `grad.${sp.name} size`);
        let scale = 0, diff = 0;
        for (let j = 0; j < w.length; j++) {
          scale = Math.max(scale, Math.abs(w[j]!));
          diff = Math.max(diff, Math.abs(got[j]! - w[j]!));
        }
        assert.ok(scale > 0 && diff <= 1e-3 * scale, `${name} grad.${sp.name}: max |Δ| ${diff.toExponential(2)} > 1e-3 · max |g| ${scale.toExponential(2)} (${REGEN})`);
      });
      await s.release();
    });

    test('10 steps of clip + AdamW + cosine schedule give PyTorch\'s losses (|Δ| ≤ 1e-4)', async () => {
      const store = loadParams(dir, cfg);
      const o = ref.optimizer;
      const params = specs.map((sp) => Float32Array.from(store.view(sp.name)));
      const state = initAdamW(params.map((p) => p.length));
      const decay = specs.map((sp) => decays(sp.name));
      const s = await session();
      const losses: number[] = [];
      for (let t = 0; t < o.total_steps; t++) {
        const { loss, grads } = await step(s, params);
        losses.push(loss);
        const copies = grads.map((g) => Float32Array.from(g));
        clipGradNorm(copies, o.max_grad_norm);
        const lr = cosineLr(t, { lr: o.lr, minLr: o.min_lr, warmupSteps: o.warmup_steps, totalSteps: o.total_steps });
        adamwStep(params, copies, state, { lr: o.lr, beta1: o.beta1, beta2: o.beta2, eps: o.eps, weightDecay: o.weight_decay }, lr, decay);
      }
      await s.release();
      losses.forEach((l, t) => assert.ok(Math.abs(l - ref.step_losses[t]!) <= 1e-4, `${name} step ${t}: loss ${l} vs PyTorch ${ref.step_losses[t]} (all: ${losses.map((x) => x.toFixed(5))}) (${REGEN})`));
    });
  });
}
