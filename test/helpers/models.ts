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
