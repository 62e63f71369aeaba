// HF directory formats: config.json in both RoPE forms, RoPE tables against transformers' inv_freq,
// safetensors (f32/f16/bf16, sharded index) and errors that name the file and the key.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseModelConfig, readModelConfig } from '../../src/models/hf/config';
import { parseHeader, SafetensorsDir, writeSafetensors } from '../../src/models/hf/safetensors';
import { ropeTables } from '../../src/models/arch/rope';
import { loadParams, paramSpecs } from '../../src/models/arch/weights';

const FIXTURES = join(__dirname, '..', 'fixtures', 'models');
const readJson = (p: string) => JSON.parse(readFileSync(p, 'utf8')) as Record<string, any>;

describe('config.json', () => {
  test('fixture configs parse to the expected architectures', () => {
    const llama = readModelConfig(join(FIXTURES, 'llama'));
    assert.equal(llama.arch, 'llama');
    assert.deepEqual([llama.qkvBias, llama.oBias, llama.qkNorm, llama.tieWordEmbeddings], [true, true, false, false]);
    assert.equal(llama.rope.type, 'llama3');
    const qwen2 = readModelConfig(join(FIXTURES, 'qwen2'));
    assert.deepEqual([qwen2.qkvBias, qwen2.oBias, qwen2.tieWordEmbeddings, qwen2.rope.type], [true, false, true, 'yarn']);
    const qwen3 = readModelConfig(join(FIXTURES, 'qwen3'));
    assert.deepEqual([qwen3.qkNorm, qwen3.headDim, qwen3.numKvHeads, qwen3.rope.type], [true, 32, 1, 'linear']);
    assert.deepEqual(qwen3.eosTokenIds, [317]);
  });

  test('older rope_theta + rope_scaling and newer rope_parameters forms give the same config', () => {
    const newer = readJson(join(FIXTURES, 'qwen3', 'config.json'));
    const rp = { ...newer.rope_parameters };
    const older: Record<string, any> = { ...newer, rope_theta: rp.rope_theta, rope_scaling: { type: rp.rope_type, factor: rp.factor } };
    delete older.rope_parameters;
    assert.deepEqual(parseModelConfig(older), parseModelConfig(newer));
    const plain = { ...older, rope_scaling: null, rope_theta: 500000 };
    assert.deepEqual(parseModelConfig(plain).rope, { type: 'default' });
    assert.equal(parseModelConfig(plain).ropeTheta, 500000);
  });

  test('errors name the file and the key', () => {
    const c = readJson(join(FIXTURES, 'llama', 'config.json'));
    assert.throws(() => parseModelConfig({ ...c, hidden_size: 'big' }, 'x/config.json'), /x\/config\.json: key 'hidden_size' must be a number/);
    assert.throws(() => parseModelConfig({ ...c, num_key_value_heads: 3 }, 'x/config.json'), /key 'num_attention_heads' \(4\) must be a multiple of 'num_key_value_heads' \(3\)/);
    assert.throws(() => parseModelConfig({ ...c, model_type: 'gpt2', architectures: ['GPT2LMHeadModel'] }, 'x/config.json'), /key 'model_type' is 'gpt2'.*supported: llama, qwen2, qwen3/);
    const { intermediate_size: _, ...missing } = c;
    assert.throws(() => parseModelConfig(missing, 'x/config.json'), /key 'intermediate_size' is required/);
    assert.throws(() => parseModelConfig({ ...c, rope_scaling: { type: 'dynamic', factor: 2 } }, 'x/config.json'), /key 'rope_scaling\.rope_type' is 'dynamic'/);
    assert.throws(() => parseModelConfig({ ...c, rope_scaling: { type: 'llama3', factor: 8 } }, 'x/config.json'), /key 'rope_scaling\.low_freq_factor' is required/);
  });

  for (const name of ['llama', 'qwen2', 'qwen3']) {
    test(`${name}: RoPE inverse frequencies and attention factor match transformers`, () => {
      const ref = readJson(join(FIXTURES, name, 'reference.json')).rope as { inv_freq: number[]; attention_scaling: number };
      const t = ropeTables(readModelConfig(join(FIXTURES, name)));
      assert.equal(t.invFreq.length, ref.inv_freq.length);
      ref.inv_freq.forEach((v, i) => assert.ok(Math.abs(t.invFreq[i]! - v) <= 2e-7 * Math.abs(v), `inv_freq[${i}] ${t.invFreq[i]} vs ${v}`));
      assert.ok(Math.abs(t.attentionFactor - ref.attention_scaling) < 1e-9);
    });
  }
});

describe('safetensors', () => {
  test('write/read round trip; f16 and bf16 convert to f32 exactly', () => {
    const dir = mkdtempSync(join(tmpdir(), 'st-'));
    const a = Float32Array.from([1, -2.5, 3.25, 0]);
    writeFileSync(join(dir, 'model.safetensors'), writeSafetensors([{ name: 'a', shape: [2, 2], data: a }]));
    assert.deepEqual(Array.from(new SafetensorsDir(dir).float32('a')), [1, -2.5, 3.25, 0]);
    // hand-made header: f16 [1, -2, 0.5, 65504, 2^-24] and bf16 [1, -3, 0.15625]
    const f16 = new Uint16Array([0x3c00, 0xc000, 0x3800, 0x7bff, 0x0001]);
    const bf16 = new Uint16Array([0x3f80, 0xc040, 0x3e20]);
    const header = JSON.stringify({ h: { dtype: 'F16', shape: [5], data_offsets: [0, 10] }, b: { dtype: 'BF16', shape: [3], data_offsets: [10, 16] } });
    const hb = new TextEncoder().encode(header);
    const file = new Uint8Array(8 + hb.length + 16);
    new DataView(file.buffer).setBigUint64(0, BigInt(hb.length), true);
    file.set(hb, 8);
    file.set(new Uint8Array(f16.buffer), 8 + hb.length);
    file.set(new Uint8Array(bf16.buffer), 8 + hb.length + 10);
    writeFileSync(join(dir, 'model.safetensors'), file);
    const st = new SafetensorsDir(dir);
    assert.deepEqual(Array.from(st.float32('h')), [1, -2, 0.5, 65504, 2 ** -24]);
    assert.deepEqual(Array.from(st.float32('b')), [1, -3, 0.15625]);
    assert.throws(() => st.float32('missing'), /tensor 'missing' not found/);
  });

  test('malformed files: errors name the file and the tensor', () => {
    const hb = new TextEncoder().encode(JSON.stringify({ w: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }));
    const file = new Uint8Array(8 + hb.length + 8);
    new DataView(file.buffer).setBigUint64(0, BigInt(hb.length), true);
    file.set(hb, 8);
    assert.throws(() => parseHeader('m.safetensors', file), /m\.safetensors: tensor 'w' F32\[3\] needs 12 bytes, data_offsets span 8/);
    assert.throws(() => new SafetensorsDir(mkdtempSync(join(tmpdir(), 'st-'))), /no model\.safetensors or model\.safetensors\.index\.json/);
  });

  test('sharded bf16 checkpoint (qwen2) and f16 checkpoint (qwen3) load every parameter', () => {
    for (const name of ['qwen2', 'qwen3']) {
      const dir = join(FIXTURES, name);
      const cfg = readModelConfig(dir);
      const store = loadParams(dir, cfg);
      assert.equal(store.entries.size, paramSpecs(cfg).length);
      const st = new SafetensorsDir(dir);
      const w = store.view('model.layers.1.mlp.down_proj.weight');
      assert.deepEqual(Array.from(w), Array.from(st.float32('model.layers.1.mlp.down_proj.weight')));
      assert.ok(w.some((x) => x !== 0));
    }
    assert.ok(Object.keys(readJson(join(FIXTURES, 'qwen2', 'model.safetensors.index.json')).weight_map).length > 0);
  });

  test('a shape that disagrees with config.json names the file and the tensor', () => {
    const dir = join(FIXTURES, 'llama');
    const cfg = { ...readModelConfig(dir), intermediateSize: 100 };
    assert.throws(() => loadParams(dir, cfg), /model\.safetensors: tensor 'model\.layers\.0\.mlp\.gate_proj\.weight' has shape \[112, 64\], config\.json implies \[100, 64\]/);
  });
});
