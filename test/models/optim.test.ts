// The trainer's optimizer against PyTorch: AdamW (decoupled decay, none on norms and biases), gradient
// clipping and the cosine schedule with warm-up, 12 steps of a golden run.
// Regenerate the fixture with: .mars2/golden-venv/bin/python scripts/golden/make_optim.py
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { accumulate, adamwStep, clipGradNorm, cosineLr, decays, globalNorm, initAdamW } from '../../src/models/train/optim';

interface Golden {
  names: string[];
  init: number[][];
  config: {
    lr: number;
    min_lr: number;
    warmup_steps: number;
    total_steps: number;
    max_grad_norm: number;
    beta1: number;
    beta2: number;
    eps: number;
    weight_decay: number;
  };
  steps: { grads: number[][]; lr: number; grad_norm: number; params_after: number[][] }[];
}

const golden = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'optim', 'adamw.json'), 'utf8')) as Golden;
const REGEN = 'regenerate with: .mars2/golden-venv/bin/python scripts/golden/make_optim.py';

test('AdamW + clipping + cosine schedule follow PyTorch for 12 steps', () => {
  const c = golden.config;
  const params = golden.init.map((p) => Float32Array.from(p));
  const state = initAdamW(params.map((p) => p.length));
  const decay = golden.names.map(decays);
  assert.deepEqual(decay, [true, false, false]);
  golden.steps.forEach((s, step) => {
    const lr = cosineLr(step, { lr: c.lr, minLr: c.min_lr, warmupSteps: c.warmup_steps, totalSteps: c.total_steps });
    assert.ok(Math.abs(lr - s.lr) <= 1e-12 * c.lr + 1e-15, `step ${step}: lr ${lr} vs torch ${s.lr} (${REGEN})`);
    const grads = s.grads.map((g) => Float32Array.from(g));
    const norm = clipGradNorm(grads, c.max_grad_norm);
    assert.ok(Math.abs(norm - s.grad_norm) <= 1e-5 * s.grad_norm, `step ${step}: grad norm ${norm} vs ${s.grad_norm}`);
    adamwStep(params, grads, state, { lr: c.lr, beta1: c.beta1, beta2: c.beta2, eps: c.eps, weightDecay: c.weight_decay }, lr, decay);
    s.params_after.forEach((want, p) => {
      for (let i = 0; i < want.length; i++) {
        const err = Math.abs(params[p][i] - want[i]);
        assert.ok(err <= 1e-6 + 1e-5 * Math.abs(want[i]), `step ${step} param ${golden.names[p]}[${i}]: ${params[p][i]} vs torch ${want[i]} (${REGEN})`);
      }
    });
  });
  assert.equal(state.step, golden.steps.length);
});

test('clipping leaves small gradients alone and scales large ones to the max norm', () => {
  const small = [Float32Array.from([0.3, 0.4])];
  assert.ok(Math.abs(clipGradNorm(small, 1) - 0.5) < 1e-7);
  assert.deepEqual(Array.from(small[0]), [Math.fround(0.3), Math.fround(0.4)]);
  const big = [Float32Array.from([3]), Float32Array.from([4])];
  clipGradNorm(big, 1);
  assert.ok(Math.abs(globalNorm(big) - 1) < 1e-6);
});

test('the schedule warms up linearly, peaks, and ends at the minimum', () => {
  const cfg = { lr: 1, minLr: 0.1, warmupSteps: 4, totalSteps: 14 };
  assert.equal(cosineLr(0, cfg), 0);
  assert.equal(cosineLr(2, cfg), 0.5);
  assert.equal(cosineLr(4, cfg), 1);
  assert.ok(Math.abs(cosineLr(9, cfg) - 0.55) < 1e-12);
  assert.ok(Math.abs(cosineLr(14, cfg) - 0.1) < 1e-12);
  assert.ok(Math.abs(cosineLr(100, cfg) - 0.1) < 1e-12, 'past the end it stays at the minimum');
});

test('accumulation adds scaled micro-batch gradients and rejects mismatched sizes', () => {
  const acc = [new Float32Array(2)];
  accumulate(acc, [Float32Array.from([2, 4])], 0.5);
  accumulate(acc, [Float32Array.from([2, 0])], 0.5);
  assert.deepEqual(Array.from(acc[0]), [2, 2]);
  assert.throws(() => accumulate(acc, [new Float32Array(3)], 1), /3 elements, expected 2/);
});
