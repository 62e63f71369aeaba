// The Trainer's RL step and the trainStep service (src/models/train/{trainer,service}.ts) on the tiny
// Llama and Qwen2 fixtures:
//   - an RL step at θ = θ_old has ratio 1, no clipping, TIS weight 1, and moves each sample's completion
//     log-prob in the direction of its advantage;
//   - gradient accumulation over micro-batches of 1 row, or of a small token budget, gives the same step
//     as the whole batch; the micro-batch plan sorts rows longest first and keeps to its budget;
//   - with TIS and KL off the step skips the old and reference passes and lands where the full path
//     does; klCoef 0 never reads the reference weights; a zero-advantage sample is left out of the
//     forward/backward pass without changing the step;
//   - trainStep through the worker thread writes v+1, returns it again without training when retried,
//     continues v+1 → v+2, and names a missing version.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadParams } from '../../src/models/arch/weights';
import { readModelConfig } from '../../src/models/hf/config';
import { spawnTrainService, TrainService } from '../../src/models/train/service';
import { planMicroBatches, Trainer, type RlHyper, type RlSample, type TokenRow } from '../../src/models/train/trainer';

const FIXTURES = join(__dirname, '..', 'fixtures', 'models');
const PROMPTS = [[5, 17, 42, 9], [3, 8, 17], [11, 12, 13, 14, 15]];
const COMPLETIONS = [[100, 101, 102], [200, 7, 9, 40], [55, 66]];

async function samples(t: Trainer, advantages: number[]): Promise<RlSample[]> {
  const rows: TokenRow[] = PROMPTS.map((p, k) => ({ ids: [...p, ...COMPLETIONS[k]!], lossMask: [...p.map(() => 0), ...COMPLETIONS[k]!.map(() => 1)] }));
  const lp = await t.logProbs(rows);
  return PROMPTS.map((p, k) => ({
    promptIds: p, completionIds: COMPLETIONS[k]!, advantage: advantages[k]!,
    rolloutLogp: Array.from(lp[k]!.subarray(p.length - 1)),
  }));
}

/** Each sample's completion log-prob Σ_t ℓ_t at the trainer's weights. */
async function seqLogp(t: Trainer, s: RlSample[]): Promise<number[]> {
  const ids = s.map((x) => [...x.promptIds, ...x.completionIds]);
  const lp = await t.logProbs(ids.map((r) => ({ ids: r, lossMask: r.map(() => 0) })));
  return lp.map((l, k) => l.subarray(s[k]!.promptIds.length - 1).reduce((a, b) => a + b, 0));
}

/** Two trainers on `dir` take one step each on the same samples; the largest parameter difference against the largest step. */
async function compareSteps(dir: string, advantages: number[], ha: RlHyper, hb: RlHyper, refB?: (r: ReturnType<typeof loadParams>) => void) {
  const [a, b] = [await Trainer.load(dir, { threads: 1 }), await Trainer.load(dir, { threads: 1 })];
  const ref = loadParams(dir, readModelConfig(dir));
  const s = await samples(a, advantages);
  const p0 = Float32Array.from(a.params.data);
  const ma = await a.rlStep(s, ref, ha);
  const refOfB = loadParams(dir, readModelConfig(dir));
  refB?.(refOfB);
  const mb = await b.rlStep(s, refOfB, hb);
  let worst = 0, scale = 0;
  for (let i = 0; i < a.params.data.length; i++) {
    worst = Math.max(worst, Math.abs(a.params.data[i]! - b.params.data[i]!));
    scale = Math.max(scale, Math.abs(a.params.data[i]! - p0[i]!));
  }
  await Promise.all([a.release(), b.release()]);
  return { ma, mb, worst, scale };
}

// With ε = 1 and no decay, Adam's first step is Δθ = −lr·g/(|g| + 1) ≈ −lr·g: parameter changes
// compare gradients (with the default ε, rounding noise in near-zero gradients becomes ±lr).
const GRADIENT_STEP = { lr: 1, maxGradNorm: 1e9, adamw: { eps: 1, weightDecay: 0 } };

test('planMicroBatches: every row once, longest first, within the token budget unless a row runs alone', () => {
  const lens = [5, 30, 12, 30, 7, 2, 19, 40];
  const rows: TokenRow[] = lens.map((n) => ({ ids: new Array<number>(n).fill(1), lossMask: new Array<number>(n).fill(1) }));
  const plan = planMicroBatches(rows, { tokens: 64 });
  assert.deepEqual(plan.flat().sort((x, y) => x - y), lens.map((_, i) => i));
  assert.deepEqual(plan.flat().map((i) => lens[i]), [...lens].sort((x, y) => y - x));
  for (const mb of plan) {
    const padded = mb.length * Math.max(...mb.map((i) => lens[i]! - 1));
    assert.ok(padded <= 64 || mb.length === 1, `micro-batch ${JSON.stringify(mb)} pads to ${padded} tokens`);
  }
  assert.deepEqual(plan, [[7], [1, 3], [6, 2, 4], [0, 5]]);
  assert.deepEqual(planMicroBatches(rows, { size: 3, tokens: 1 }).map((mb) => mb.length), [3, 3, 2]);
});

for (const name of ['llama', 'qwen2']) {
  describe(`${name} trainer RL step`, () => {
    const dir = join(FIXTURES, name);

    test('at θ = θ_old: ratio 1, nothing clipped, and each completion moves with its advantage', async () => {
      const t = await Trainer.load(dir, { threads: 1 });
      const ref = loadParams(dir, readModelConfig(dir));
      const s = await samples(t, [1, -1, 0.5]);
      const before = await seqLogp(t, s);
      const m = await t.rlStep(s, ref, { lr: 1e-2, loss: 'gspo', microBatchSize: 2 });
      assert.equal(m.clipFraction, 0);
      assert.equal(m.tisVetoCount, 0);
      assert.ok(Math.abs(m.tisWeightMean - 1) < 1e-5, `TIS weight ${m.tisWeightMean}`);
      assert.ok(Math.abs(m.klLoss) < 1e-12, `KL to the reference at the reference weights: ${m.klLoss}`);
      assert.equal(m.tokens, 9);
      assert.equal(m.step, 1);
      assert.ok(m.gradNorm > 0 && Number.isFinite(m.loss));
      const after = await seqLogp(t, s);
      assert.ok(after[0]! > before[0]!, `A > 0: log-prob ${before[0]} → ${after[0]} should rise`);
      assert.ok(after[1]! < before[1]!, `A < 0: log-prob ${before[1]} → ${after[1]} should fall`);
      await t.release();
    });

    test('micro-batches of one row give the same step as the whole batch', async () => {
      const [a, b] = [await Trainer.load(dir, { threads: 1 }), await Trainer.load(dir, { threads: 1 })];
      const ref = loadParams(dir, readModelConfig(dir));
      const s = await samples(a, [1, -0.5, 0.25]);
      // With ε = 1 and no decay, Adam's first step is Δθ = −lr·g/(|g| + 1) ≈ −lr·g: parameter changes
      // compare gradients (with the default ε, rounding noise in near-zero gradients becomes ±lr).
      const h = { lr: 1, loss: 'grpo' as const, maxGradNorm: 1e9, adamw: { eps: 1, weightDecay: 0 } };
      const p0 = Float32Array.from(a.params.data);
      const ma = await a.rlStep(s, ref, h);
      const mb = await b.rlStep(s, ref, { ...h, microBatchSize: 1 });
      assert.ok(Math.abs(ma.loss - mb.loss) <= 1e-6 * Math.abs(ma.loss) + 1e-9, `loss ${ma.loss} vs ${mb.loss}`);
      assert.ok(Math.abs(ma.gradNorm - mb.gradNorm) <= 1e-5 * ma.gradNorm, `grad norm ${ma.gradNorm} vs ${mb.gradNorm}`);
      let worst = 0, scale = 0;
      for (let i = 0; i < a.params.data.length; i++) {
        worst = Math.max(worst, Math.abs(a.params.data[i]! - b.params.data[i]!));
        scale = Math.max(scale, Math.abs(a.params.data[i]! - p0[i]!));
      }
      assert.ok(scale > 0 && worst <= 1e-4 * scale, `steps differ by up to ${worst} (largest step ${scale})`);
      await Promise.all([a.release(), b.release()]);
    });

    test('micro-batches from a small token budget give the same step as the whole batch', async () => {
      const h = { ...GRADIENT_STEP, loss: 'gspo' as const };
      const { ma, mb, worst, scale } = await compareSteps(dir, [1, -0.5, 0.25], { ...h, microBatchSize: 3 }, { ...h, microBatchTokens: 8 });
      assert.ok(Math.abs(ma.loss - mb.loss) <= 1e-6 * Math.abs(ma.loss) + 1e-9, `loss ${ma.loss} vs ${mb.loss}`);
      assert.ok(scale > 0 && worst <= 1e-4 * scale, `steps differ by up to ${worst} (largest step ${scale})`);
    });

    for (const loss of ['gspo', 'grpo'] as const) {
      test(`${loss} without TIS and KL skips the old and reference passes and takes the full path's step`, async () => {
        // The full path (TIS and KL on) at θ = θ_old, with rollout log-probs from the same weights and
        // the reference equal to them, has TIS weight 1, ratio 1 and zero KL gradient: the same w_t.
        const h = { ...GRADIENT_STEP, loss };
        const poison = (r: ReturnType<typeof loadParams>) => r.data.fill(Number.NaN);
        const { ma, mb, worst, scale } = await compareSteps(dir, [1, -1, 0.5], h, { ...h, policy: { tis: null, klCoef: 0 } }, poison);
        assert.ok(Math.abs(ma.policyLoss - mb.policyLoss) <= 1e-9, `policy loss ${ma.policyLoss} vs ${mb.policyLoss}`);
        assert.equal(mb.klLoss, 0);
        assert.equal(mb.tisWeightMean, 1);
        assert.ok(scale > 0 && worst <= 1e-6 * scale, `steps differ by up to ${worst} (largest step ${scale})`);
      });
    }

    test('a zero-advantage sample (no KL) is left out of the forward/backward pass, and the step is the same', async () => {
      // Advantage 1e-30 keeps the row in the pass (its weights are not all 0) and adds nothing measurable:
      // the step that keeps it and the step that leaves out the exact-0 row must agree.
      const h = { ...GRADIENT_STEP, loss: 'grpo' as const, policy: { tis: null, klCoef: 0 } };
      const [a, b] = [await Trainer.load(dir, { threads: 1 }), await Trainer.load(dir, { threads: 1 })];
      const ref = loadParams(dir, readModelConfig(dir));
      const rowsIn = (t: Trainer) => {
        const seen: number[] = [];
        const pass = t['fwdBwd'].bind(t);
        t['fwdBwd'] = (rows, w, plan, signal) => (seen.push(...plan.flat()), pass(rows, w, plan, signal));
        return seen;
      };
      const [inA, inB] = [rowsIn(a), rowsIn(b)];
      const p0 = Float32Array.from(a.params.data);
      await a.rlStep(await samples(a, [1, 0, -0.5]), ref, h);
      await b.rlStep(await samples(b, [1, 1e-30, -0.5]), ref, h);
      assert.deepEqual([...inA].sort(), [0, 2], 'the zero-advantage row is not passed');
      assert.deepEqual([...inB].sort(), [0, 1, 2]);
      let worst = 0, scale = 0;
      for (let i = 0; i < a.params.data.length; i++) {
        worst = Math.max(worst, Math.abs(a.params.data[i]! - b.params.data[i]!));
        scale = Math.max(scale, Math.abs(a.params.data[i]! - p0[i]!));
      }
      assert.ok(scale > 0 && worst <= 1e-6 * scale, `steps differ by up to ${worst} (largest step ${scale})`);
      await Promise.all([a.release(), b.release()]);
    });

    test('klCoef 0 with TIS on: the reference weights are never read, the step is the full path\'s', async () => {
      const h = { ...GRADIENT_STEP, loss: 'gspo' as const };
      const poison = (r: ReturnType<typeof loadParams>) => r.data.fill(Number.NaN);
      const { mb, worst, scale } = await compareSteps(dir, [0.5, -1, 1], h, { ...h, policy: { klCoef: 0 } }, poison);
      assert.ok(Number.isFinite(mb.loss) && Number.isFinite(mb.gradNorm), `loss ${mb.loss}, grad norm ${mb.gradNorm}`);
      assert.ok(scale > 0 && worst <= 1e-6 * scale, `steps differ by up to ${worst} (largest step ${scale})`);
    });
  });
}

/** The llama fixture as a service's base, a fresh checkpoint root, and three samples on it. */
async function serviceFixture(): Promise<{ base: string; root: string; s: RlSample[] }> {
  const base = join(FIXTURES, 'llama');
  const t = await Trainer.load(base, { threads: 1 });
  const s = await samples(t, [1, -1, 0.5]);
  await t.release();
  return { base, root: mkdtempSync(join(tmpdir(), 'mars2-train-')), s };
}

test('trainStep in a worker thread: writes v+1, is idempotent per version, continues, names a missing version', async () => {
  const { base, root, s } = await serviceFixture();
  const svc = spawnTrainService({ baseDir: base, root, threads: 1 });
  try {
    const hyper = { lr: 1e-3, loss: 'gspo' as const };
    const r1 = await svc.trainStep({ agent: 'coder', fromVersion: 0, samples: s, hyper });
    assert.equal(r1.toVersion, 1);
    assert.equal(r1.reused, false);
    assert.equal(r1.dir, join(root, 'coder', 'v1'));
    const bytes = readFileSync(join(r1.dir, 'model.safetensors'));
    const again = await svc.trainStep({ agent: 'coder', fromVersion: 0, samples: s, hyper });
    assert.equal(again.reused, true);
    assert.deepEqual(again.metrics, r1.metrics);
    assert.deepEqual(readFileSync(join(r1.dir, 'model.safetensors')), bytes);
    const r2 = await svc.trainStep({ agent: 'coder', fromVersion: 1, samples: s, hyper });
    assert.equal(r2.toVersion, 2);
    assert.equal(r2.metrics.step, 2);
    await assert.rejects(svc.trainStep({ agent: 'tester', fromVersion: 3, samples: s, hyper }), { code: 'bad_request', message: /agent 'tester' has no policy version 3/ });
    await assert.rejects(svc.trainStep({ agent: '../x', fromVersion: 0, samples: s, hyper }), { code: 'bad_request', message: /bad agent name: '\.\.\/x' must start with a letter or digit/ });
  } finally {
    await svc.close();
    rmSync(root, { recursive: true, force: true });
  }
});

test('a cancelled trainStep: one queued in the worker thread never starts, a started one writes no checkpoint', async () => {
  const { base, root, s } = await serviceFixture();
  const hyper = { lr: 1e-3, loss: 'gspo' as const };
  const svc = spawnTrainService({ baseDir: base, root, threads: 1 });
  try {
    const first = svc.trainStep({ agent: 'a', fromVersion: 0, samples: s, hyper });
    const queued = new AbortController();
    const second = svc.trainStep({ agent: 'b', fromVersion: 0, samples: s, hyper }, queued.signal);
    queued.abort();
    await assert.rejects(second, { name: 'ThreadError', code: 'cancelled' });
    assert.equal((await first).toVersion, 1);
    // The thread runs steps in order: once a later step has answered, the cancelled one is settled.
    await svc.trainStep({ agent: 'a', fromVersion: 1, samples: s, hyper });
    assert.ok(!existsSync(join(root, 'b')), 'the step cancelled in the queue never ran');
  } finally {
    await svc.close();
  }
  // In-process: the abort lands while the step runs (ORT holds the thread until it yields); its result is
  // discarded and v+1 is not written — the next step from v trains afresh.
  const local = new TrainService({ baseDir: base, root, threads: 1 });
  try {
    const ctl = new AbortController();
    const step = local.trainStep({ agent: 'c', fromVersion: 0, samples: s, hyper }, ctl.signal);
    setTimeout(() => ctl.abort(), 0);
    await assert.rejects(step, { code: 'cancelled' });
    assert.ok(!existsSync(join(root, 'c', 'v1')), 'no checkpoint after the cancellation');
    const again = await local.trainStep({ agent: 'c', fromVersion: 0, samples: s, hyper });
    assert.equal(again.reused, false);
  } finally {
    await local.close();
    rmSync(root, { recursive: true, force: true });
  }
});

test('a trainer thread on a base directory it cannot read fails each step as model_missing', async () => {
  const svc = spawnTrainService({ baseDir: '/nonexistent/model', root: tmpdir(), threads: 1 });
  try {
    await assert.rejects(svc.trainStep({ agent: 'a', fromVersion: 0, samples: [], hyper: { lr: 1e-3 } }), { code: 'model_missing', message: /base model \/nonexistent\/model: / });
  } finally {
    await svc.close();
  }
});
