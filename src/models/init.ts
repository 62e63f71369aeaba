// A new, randomly initialised HF model directory (`mars2 model init`), loadable by the engine, the trainer
// and transformers: config.json (Llama / Qwen2 / Qwen3, vocab_size and special ids from the tokenizer),
// generation_config.json, the tokenizer files copied, model.safetensors (F32).
//
// Initialisation follows transformers' `_init_weights` for these models: every Linear and Embedding
// weight ~ normal(0, initializer_range = 0.02), biases 0, RMSNorm weights 1, and the embedding row of
// pad_token_id zeroed (nn.Embedding's padding_idx). Draws come from one Rng.fromSeed(seed) stream, taken
// parameter by parameter in `paramSpecs` order, element by element in row-major order, so a seed and a
// shape give the same bytes on every machine (V8's Math.log/cos are fdlibm ports). The stream is mars2's,
// not torch's: the values differ from a torch init with the same seed, only the distribution agrees.
import { cpSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ParamStore, paramSpecs } from './arch/weights';
import { parseModelConfig, type Arch, type ModelConfig } from './hf/config';
import { encodeSafetensors } from './hf/safetensors';
import { ModelTokenizer, TOKENIZER_FILES } from './tokenizer';
import { Rng } from '../search/rng';
import { standardNormal } from '../search/samplers';

export interface InitShape {
  arch: Arch;
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  numKvHeads: number;
  intermediateSize: number;
  /** Default hiddenSize / numHeads. */
  headDim?: number;
  /** Default 2048. */
  maxPositions?: number;
  tieEmbeddings?: boolean;
  /** Default 10000. */
  ropeTheta?: number;
}

export interface TokenizerIds {
  vocabSize: number;
  bos: number | null;
  eos: number | null;
  pad: number | null;
}

const ARCHITECTURES: Record<Arch, string> = { llama: 'LlamaForCausalLM', qwen2: 'Qwen2ForCausalLM', qwen3: 'Qwen3ForCausalLM' };
export const INITIALIZER_RANGE = 0.02;

/** config.json's object, in the keys transformers 5 writes for the family (RoPE as `rope_parameters`). */
export function initConfig(s: InitShape, tok: TokenizerIds): Record<string, unknown> {
  const layers = s.numLayers;
  const family: Record<Arch, Record<string, unknown>> = {
    llama: { attention_bias: false, mlp_bias: false, pretraining_tp: 1 },
    qwen2: { use_sliding_window: false, sliding_window: null, max_window_layers: layers },
    qwen3: { attention_bias: false, use_sliding_window: false, sliding_window: null, max_window_layers: layers },
  };
  return {
    architectures: [ARCHITECTURES[s.arch]],
    model_type: s.arch,
    vocab_size: tok.vocabSize,
    hidden_size: s.hiddenSize,
    intermediate_size: s.intermediateSize,
    num_hidden_layers: layers,
    num_attention_heads: s.numHeads,
    num_key_value_heads: s.numKvHeads,
    head_dim: s.headDim ?? s.hiddenSize / s.numHeads,
    hidden_act: 'silu',
    max_position_embeddings: s.maxPositions ?? 2048,
    initializer_range: INITIALIZER_RANGE,
    rms_norm_eps: 1e-6,
    rope_parameters: { rope_type: 'default', rope_theta: s.ropeTheta ?? 10000 },
    attention_dropout: 0,
    tie_word_embeddings: s.tieEmbeddings ?? false,
    use_cache: true,
    bos_token_id: tok.bos,
    eos_token_id: tok.eos,
    pad_token_id: tok.pad,
    dtype: 'float32',
    ...family[s.arch],
  };
}

/** The parameters, initialised as `_init_weights` does, from `seed`. */
export function initParams(cfg: ModelConfig, seed: number, padTokenId: number | null): ParamStore {
  const store = new ParamStore(paramSpecs(cfg));
  const rng = Rng.fromSeed(seed);
  for (const [name] of store.entries) {
    const x = store.view(name);
    if (name.endsWith('norm.weight')) x.fill(1);
    else if (name.endsWith('.bias')) x.fill(0);
    else for (let i = 0; i < x.length; i++) x[i] = INITIALIZER_RANGE * standardNormal(rng);
    if (name === 'model.embed_tokens.weight' && padTokenId !== null) x.fill(0, padTokenId * cfg.hiddenSize, (padTokenId + 1) * cfg.hiddenSize);
  }
  return store;
}

/** model.safetensors' bytes (F32, paramSpecs order). */
export function initSafetensors(cfg: ModelConfig, params: ParamStore): Uint8Array {
  return encodeSafetensors(
    paramSpecs(cfg).map((s) => {
      const x = params.view(s.name);
      return { name: s.name, dtype: 'F32' as const, shape: s.shape, bytes: new Uint8Array(x.buffer, x.byteOffset, x.byteLength) };
    }),
    { format: 'pt' },
  );
}

export interface InitResult {
  cfg: ModelConfig;
  params: number;
}

/**
 * Writes the model directory `out` (which must not exist; written to a sibling temp directory and renamed)
 * from the tokenizer directory `tokenizerDir`. Throws ConfigError for an inconsistent shape.
 */
export function writeInitModel(out: string, tokenizerDir: string, shape: InitShape, seed: number): InitResult {
  const tok = ModelTokenizer.load(tokenizerDir);
  const ids: TokenizerIds = { vocabSize: tok.vocabSize, bos: tok.bosTokenId ?? null, eos: tok.eosTokenId ?? null, pad: tok.padTokenId ?? null };
  const config = initConfig(shape, ids);
  const cfg = parseModelConfig(config, 'config.json (from the flags)');
  const params = initParams(cfg, seed, ids.pad);
  const target = resolve(out);
  mkdirSync(dirname(target), { recursive: true });
  const tmp = join(dirname(target), `.${basename(target)}.tmp-${process.pid}`);
  mkdirSync(tmp);
  try {
    for (const f of TOKENIZER_FILES) if (existsSync(join(tokenizerDir, f))) cpSync(join(tokenizerDir, f), join(tmp, f));
    writeFileSync(join(tmp, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
    const gen = { _from_model_config: true, bos_token_id: ids.bos, eos_token_id: ids.eos, pad_token_id: ids.pad };
    writeFileSync(join(tmp, 'generation_config.json'), `${JSON.stringify(gen, null, 2)}\n`);
    writeFileSync(join(tmp, 'model.safetensors'), initSafetensors(cfg, params));
    renameSync(tmp, target);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  return { cfg, params: paramSpecs(cfg).reduce((a, s) => a + s.shape.reduce((p, q) => p * q, 1), 0) };
}
