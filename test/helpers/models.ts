// Tiny fixture models shaped for tests that need rewards: `commentModel` is a copy of the qwen3 (or llama) fixture
// whose answer tokens are '#' with a probability of about 0.4 each (whatever the prompt), so that a
// one-token answer is a valid Python program (a comment) about half the time and a syntax or name
// error otherwise. Trees of such nodes get scores 0 and 1 side by side: non-zero advantages, moving weights.
//
// How: the final RMSNorm keeps only hidden dimension 0 (norm weight e₀), so logits_t = W_t[0]·z with
// z = x₀/rms(x) at the last position; every lm_head row is zeroed in that column except '#''s, set
// to `scale`. Dimension 0 of every token embedding is a large constant, so z hardly depends on the
// prompt: p('#') = e^{scale·z} / (e^{scale·z} + V − 1) ≈ 0.4 at the default scale, the rest uniform.
import assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SafetensorsDir, writeSafetensors } from '../../src/models/hf/safetensors';

export const FIXTURE_MODELS = join(__dirname, '..', 'fixtures', 'models');

/**
 * Writes (once) the '#'-biased copy of a fixture under `<home>/models` and returns its directory
 * (named after the scale: a worker keeps loaded models by directory, so other weights need another name).
 */
export function commentModel(home: string, base: 'qwen3' | 'llama' = 'qwen3', scale = 1.6): string {
  const dir = join(home, 'models', `${base}-comment-${scale}`);
  if (existsSync(join(dir, 'config.json'))) return dir;
  const src = join(FIXTURE_MODELS, base);
  const tmp = `${dir}.tmp-${process.pid}`;
  cpSync(src, tmp, { recursive: true, filter: (p) => !/reference|\.safetensors$/.test(p) });
  const config = JSON.parse(readFileSync(join(src, 'config.json'), 'utf8'));
  writeFileSync(join(tmp, 'config.json'), JSON.stringify({ ...config, max_position_embeddings: 4096 }, null, 2));
  const vocab = JSON.parse(readFileSync(join(src, 'tokenizer.json'), 'utf8')).model.vocab as Record<string, number>;
  const hash = vocab['#'];
  const st = new SafetensorsDir(src);
  const hidden: number = config.hidden_size;
  const tensors = [...st.tensors.values()].map((info) => {
    const data = st.float32(info.name);
    if (info.name === 'model.norm.weight') data.fill(0)[0] = 1;
    if (info.name === 'model.embed_tokens.weight') {
      // Dimension 0 of every token embedding: a constant well above the other dimensions' scale.
      const rms = Math.sqrt(data.reduce((a, x) => a + x * x, 0) / data.length);
      for (let t = 0; t < info.shape[0]; t++) data[t * hidden] = 8 * Math.sqrt(hidden) * rms;
    }
    if (info.name === 'lm_head.weight') for (let t = 0; t < info.shape[0]; t++) data[t * hidden] = t === hash ? scale : 0;
    return { name: info.name, shape: info.shape, data };
  });
  writeFileSync(join(tmp, 'model.safetensors'), writeSafetensors(tensors));
  cpSync(tmp, dir, { recursive: true });
  return dir;
}

/** The largest |a[i] − b[i]| (the arrays must have one length). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, 'length mismatch');
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/**
 * Writes (once) a wider llama (hidden `hidden`, `layers` layers, context 4096, random weights) that never
 * ends an answer by itself: its end-of-sequence logit is pinned far below the rest (the dimension-0 trick
 * above), so a generation runs to maxNewTokens — seconds of decoding on the CPU, for cancellation tests.
 */
export function endlessModel(home: string, hidden = 512, layers = 6): string {
  const dir = join(home, 'models', `llama-endless-${hidden}x${layers}`);
  if (existsSync(join(dir, 'config.json'))) return dir;
  const src = join(FIXTURE_MODELS, 'llama');
  const tmp = `${dir}.tmp-${process.pid}`;
  cpSync(src, tmp, { recursive: true, filter: (p) => !/reference|\.safetensors$/.test(p) });
  const base = JSON.parse(readFileSync(join(src, 'config.json'), 'utf8'));
  const headDim = 64;
  const [heads, kvHeads, inter] = [hidden / headDim, hidden / headDim / 2, Math.round((hidden * 8) / 3)];
  const config = {
    ...base, hidden_size: hidden, num_hidden_layers: layers, head_dim: headDim, num_attention_heads: heads,
    num_key_value_heads: kvHeads, intermediate_size: inter, max_position_embeddings: 4096,
  };
  writeFileSync(join(tmp, 'config.json'), JSON.stringify(config, null, 2));
  const V: number = base.vocab_size;
  let seed = 12345;
  const normal = (n: number, std: number) => {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      const u = (seed + 1) / 4294967297;
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      const v = (seed + 1) / 4294967297;
      out[i] = std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
    return out;
  };
  const t = (name: string, shape: number[], data = normal(shape.reduce((a, b) => a * b, 1), 0.02)) => ({ name, shape, data });
  const ones = (n: number) => new Float32Array(n).fill(1);
  const embed = normal(V * hidden, 1);
  for (let v = 0; v < V; v++) embed[v * hidden] = 8 * Math.sqrt(hidden); // z = x₀/rms(x) ≈ √hidden at every position
  const head = normal(V * hidden, 0.05);
  head[config.eos_token_id * hidden] = -4; // the end-of-sequence logit ≈ −4·√hidden
  const tensors = [t('model.embed_tokens.weight', [V, hidden], embed), t('lm_head.weight', [V, hidden], head), t('model.norm.weight', [hidden], ones(hidden))];
  for (let l = 0; l < layers; l++) {
    const p = `model.layers.${l}`;
    tensors.push(
      t(`${p}.input_layernorm.weight`, [hidden], ones(hidden)),
      t(`${p}.post_attention_layernorm.weight`, [hidden], ones(hidden)),
      t(`${p}.self_attn.q_proj.weight`, [heads * headDim, hidden]),
      t(`${p}.self_attn.q_proj.bias`, [heads * headDim]),
      t(`${p}.self_attn.k_proj.weight`, [kvHeads * headDim, hidden]),
      t(`${p}.self_attn.k_proj.bias`, [kvHeads * headDim]),
      t(`${p}.self_attn.v_proj.weight`, [kvHeads * headDim, hidden]),
      t(`${p}.self_attn.v_proj.bias`, [kvHeads * headDim]),
      t(`${p}.self_attn.o_proj.weight`, [hidden, heads * headDim]),
      t(`${p}.self_attn.o_proj.bias`, [hidden]),
      t(`${p}.mlp.gate_proj.weight`, [inter, hidden]),
      t(`${p}.mlp.up_proj.weight`, [inter, hidden]),
      t(`${p}.mlp.down_proj.weight`, [hidden, inter]),
    );
  }
  writeFileSync(join(tmp, 'model.safetensors'), writeSafetensors(tensors));
  cpSync(tmp, dir, { recursive: true });
  return dir;
}
