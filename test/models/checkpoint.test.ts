// Trainer checkpoints (src/models/train/checkpoint.ts): resuming from a checkpoint gives bit-identical
// parameters and optimizer state after the next step, also when the weights are stored as float16
// (float32 masters in the optimizer file); the directory is a complete HF model directory; writes are
// atomic and never overwrite an existing version.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SafetensorsDir } from '../../src/models/hf/safetensors';
import { exportModel, loadCheckpoint, readCheckpointMeta } from '../../src/models/train/checkpoint';
import { Trainer, type TokenRow } from '../../src/models/train/trainer';
import type { StepHyper } from '../../src/contracts';

const FIXTURES = join(__dirname, '..', 'fixtures', 'models');
const HYPER: StepHyper = { lr: 3e-3, warmupSteps: 1, totalSteps: 4, minLr: 3e-4, maxGradNorm: 1, microBatchSize: 1 };

function rows(seed: number): TokenRow[] {
  const ids = (n: number, k: number) => Array.from({ length: n }, (_, i) => (seed * 37 + k * 11 + i * 7) % 300);
  return [
    { ids: ids(7, 0), lossMask: [0, 0, 0, 1, 1, 1, 1] },
    { ids: ids(5, 1), lossMask: [0, 1, 1, 1, 1] },
  ];
}

const bits = (a: Float32Array) => new Uint32Array(a.buffer, a.byteOffset, a.length);

function assertSameBits(a: Float32Array, b: Float32Array, what: string): void {
  assert.equal(a.length, b.length, `${what}: length`);
  const [x, y] = [bits(a), bits(b)];
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) assert.fail(`${what}[${i}]: ${a[i]} vs ${b[i]} (not bit-identical)`);
}

for (const [name, weightsDtype] of [['llama', 'F32'], ['qwen3', 'base']] as const) {
  describe(`${name} checkpoint (weights ${weightsDtype})`, () => {
    test('resuming from a checkpoint gives the same next step as not stopping (bit-identical)', async () => {
      const tmp = mkdtempSync(join(tmpdir(), 'mars2-ckpt-'));
      try {
        const a = await Trainer.load(join(FIXTURES, name), { threads: 1 });
        await a.sftStep(rows(1), HYPER);
        const ck = join(tmp, 'v1');
        assert.equal(await a.save(ck, { policyVersion: 1, weightsDtype, metrics: { loss: 1.5 } }), true);
        const ma = await a.sftStep(rows(2), HYPER);
        const b = await Trainer.load(ck, { threads: 1 });
        assert.equal(b.step, 1);
        assert.equal(b.policyVersion, 1);
        const mb = await b.sftStep(rows(2), HYPER);
        assert.equal(mb.loss, ma.loss);
        assert.equal(mb.lr, ma.lr);
        assertSameBits(b.params.data, a.params.data, 'parameters');
        a.optimizer.m.forEach((m, i) => assertSameBits(b.optimizer.m[i]!, m, `exp_avg ${i}`));
        a.optimizer.v.forEach((v, i) => assertSameBits(b.optimizer.v[i]!, v, `exp_avg_sq ${i}`));
        await Promise.all([a.release(), b.release()]);
      } finally {
        rmSync(tmp, { recursive: true, force: true });
      }
    });

    test('the checkpoint is an HF directory with metadata, written once and atomically', async () => {
      const tmp = mkdtempSync(join(tmpdir(), 'mars2-ckpt-'));
      try {
        const base = join(FIXTURES, name);
        const t = await Trainer.load(base, { threads: 1 });
        await t.sftStep(rows(3), HYPER);
        const ck = join(tmp, 'agent', 'v1');
        assert.equal(await t.save(ck, { policyVersion: 1, weightsDtype }), true);
        const files = readdirSync(ck).sort();
        for (const f of ['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json', 'model.safetensors', 'optimizer.safetensors', 'mars2_checkpoint.json']) {
          assert.ok(files.includes(f), `${f} missing from ${files.join(', ')}`);
        }
        if (existsSync(join(base, 'chat_template.jinja'))) assert.equal(readFileSync(join(ck, 'chat_template.jinja'), 'utf8'), readFileSync(join(base, 'chat_template.jinja'), 'utf8'));
        assert.deepEqual(readdirSync(join(tmp, 'agent')), ['v1'], 'no temp directory left behind');
        const st = new SafetensorsDir(ck);
        const wantDtype = name === 'qwen3' ? 'F16' : 'F32';
        for (const info of st.tensors.values()) assert.equal(info.dtype, wantDtype, `${info.name} dtype`);
        const cfgJson = JSON.parse(readFileSync(join(ck, 'config.json'), 'utf8')) as { dtype?: string };
        assert.equal(cfgJson.dtype, wantDtype === 'F16' ? 'float16' : 'float32');
        // Stored weights are the trainer's weights rounded to the stored dtype.
        const w = st.float32('model.norm.weight');
        const have = t.params.view('model.norm.weight');
        for (let i = 0; i < w.length; i++) assert.ok(Math.abs(w[i]! - have[i]!) <= (wantDtype === 'F16' ? 1e-3 : 0) * Math.abs(have[i]!), `model.norm.weight[${i}]`);
        const meta = readCheckpointMeta(ck);
        assert.equal(meta.step, 1);
        assert.equal(meta.policyVersion, 1);
        assert.equal(meta.baseModel, base);
        assert.match(meta.configHash, /^sha256:[0-9a-f]{64}$/);
        // A second write of the same version keeps the first.
        const before = readFileSync(join(ck, 'model.safetensors'));
        await t.sftStep(rows(4), HYPER);
        assert.equal(await t.save(ck, { policyVersion: 1, weightsDtype }), false);
        assert.deepEqual(readFileSync(join(ck, 'model.safetensors')), before);
        // A plain HF directory loads as step 0 without optimizer state.
        const plain = loadCheckpoint(base);
        assert.equal(plain.optimizer, null);
        assert.equal(plain.meta.step, 0);
        await t.release();
      } finally {
        rmSync(tmp, { recursive: true, force: true });
      }
    });
  });
}

test('float16 weights written from a float16 base round-trip to the same bytes', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'mars2-ckpt-'));
  try {
    const base = join(FIXTURES, 'qwen3');
    const t = await Trainer.load(base, { threads: 1 });
    await t.save(join(tmp, 'v0'), { policyVersion: 0, weightsDtype: 'base' });
    const [a, b] = [new SafetensorsDir(base), new SafetensorsDir(join(tmp, 'v0'))];
    assert.equal(b.tensors.size, a.tensors.size);
    for (const n of a.tensors.keys()) assert.deepEqual(b.raw(n), a.raw(n), n);
    await t.release();
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('a write stopped at its commit point (a cancelled step) leaves nothing behind: no checkpoint, no temporary folder', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'mars2-ckpt-'));
  try {
    const t = await Trainer.load(join(FIXTURES, 'llama'), { threads: 1 });
    const stop = new Error('trainStep was cancelled');
    let called = 0;
    const beforeCommit = async () => {
      called++;
      assert.deepEqual(readdirSync(tmp).filter((f) => f.startsWith('.v1.tmp-')).length, 1, 'every file is written before the commit point');
      throw stop;
    };
    await assert.rejects(t.save(join(tmp, 'v1'), { policyVersion: 1, beforeCommit }), stop);
    assert.equal(called, 1);
    assert.deepEqual(readdirSync(tmp), [], 'neither v1 nor its temporary folder');
    assert.equal(await t.save(join(tmp, 'v1'), { policyVersion: 1, beforeCommit: async () => {} }), true);
    assert.ok(existsSync(join(tmp, 'v1', 'model.safetensors')));
    await t.release();
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('mars2 model export writes a plain BF16 directory of a checkpoint: weights rounded to nearest even, no optimizer state, loads as a new base', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'mars2-ckpt-'));
  try {
    const t = await Trainer.load(join(FIXTURES, 'llama'), { threads: 1 });
    await t.save(join(tmp, 'v0'), { policyVersion: 3 });
    await t.release();
    const out = join(tmp, 'export');
    const r = await exportModel(join(tmp, 'v0'), out, 'BF16');
    assert.deepEqual(readdirSync(out).sort(), readdirSync(join(tmp, 'v0')).filter((f) => f !== 'optimizer.safetensors' && f !== 'mars2_checkpoint.json').sort());
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    assert.equal(config.dtype ?? config.torch_dtype, 'bfloat16');
    const [f32, bf16] = [new SafetensorsDir(join(tmp, 'v0')), new SafetensorsDir(out)];
    let n = 0;
    for (const [name, info] of f32.tensors) {
      assert.equal(bf16.tensors.get(name)?.dtype, 'BF16', name);
      const [a, b] = [f32.float32(name), bf16.float32(name)];
      n += a.length;
      for (let i = 0; i < a.length; i++) {
        // bfloat16 keeps 8 significant bits (ulp 2^-7 of the leading power of two): round-to-nearest errs ≤ 2^-8 of |x|.
        if (Math.abs(a[i]! - b[i]!) > Math.abs(a[i]!) * 2 ** -8) assert.fail(`${name}[${i}]: ${a[i]} → ${b[i]}`);
      }
      assert.deepEqual(info.shape, bf16.tensors.get(name)!.shape);
    }
    assert.equal(r.params, n);
    const plain = loadCheckpoint(out);
    assert.equal(plain.meta.step, 0);
    assert.equal(plain.meta.weightsDtype, 'BF16');
    assert.equal(plain.optimizer, null);
    await assert.rejects(exportModel(join(tmp, 'v0'), out, 'BF16'), /already exists/);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
