// HF `config.json` → ModelConfig for the decoder families mars2 runs: Llama (LlamaForCausalLM), Qwen2
// (q/k/v biases) and Qwen3 (q/k RMSNorm over head_dim, explicit head_dim). Reads both RoPE forms in the
// wild: the older top-level `rope_theta` + `rope_scaling` and the newer `rope_parameters` object that
// transformers ≥ 5 writes. Errors name the file and the key.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export type Arch = 'llama' | 'qwen2' | 'qwen3';

export type RopeScaling =
  | { type: 'default' }
  | { type: 'linear'; factor: number }
  | { type: 'llama3'; factor: number; lowFreqFactor: number; highFreqFactor: number; originalMaxPositionEmbeddings: number }
  | {
      type: 'yarn'; factor: number; originalMaxPositionEmbeddings: number; betaFast: number; betaSlow: number;
      attentionFactor: number | null; mscale: number | null; mscaleAllDim: number | null; truncate: boolean;
    };

export interface ModelConfig {
  arch: Arch;
  vocabSize: number;
  hiddenSize: number;
  intermediateSize: number;
  numLayers: number;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  rmsNormEps: number;
  maxPositionEmbeddings: number;
  tieWordEmbeddings: boolean;
  /** Biases on q/k/v projections (Qwen2 always; Llama/Qwen3 with attention_bias). */
  qkvBias: boolean;
  /** Bias on o_proj (Llama/Qwen3 attention_bias). */
  oBias: boolean;
  /** Biases on gate/up/down (Llama mlp_bias). */
  mlpBias: boolean;
  /** Qwen3: RMSNorm over head_dim on q and k before RoPE. */
  qkNorm: boolean;
  ropeTheta: number;
  rope: RopeScaling;
  bosTokenId: number | null;
  eosTokenIds: number[];
}

class ConfigError extends Error {
  override name = 'ConfigError';
}

type Json = Record<string, unknown>;

function reader(file: string, obj: Json) {
  const where = (key: string) => `${file}: key '${key}'`;
  const num = (o: Json, key: string, path = key): number | undefined => {
    const v = o[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new ConfigError(`${where(path)} must be a number, found ${JSON.stringify(v)}`);
    return v;
  };
  const reqNum = (o: Json, key: string, path = key): number => {
    const v = num(o, key, path);
    if (v === undefined) throw new ConfigError(`${where(path)} is required but missing`);
    return v;
  };
  const int = (key: string): number => {
    const v = reqNum(obj, key);
    if (!Number.isInteger(v) || v <= 0) throw new ConfigError(`${where(key)} must be a positive integer, found ${v}`);
    return v;
  };
  const bool = (key: string, fallback: boolean): boolean => {
    const v = obj[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'boolean') throw new ConfigError(`${where(key)} must be true or false, found ${JSON.stringify(v)}`);
    return v;
  };
  return { where, num, reqNum, int, bool };
}

function archOf(file: string, c: Json): Arch {
  const archs = Array.isArray(c.architectures) ? (c.architectures as unknown[]).map(String) : [];
  const mt = typeof c.model_type === 'string' ? c.model_type : '';
  const known: Record<string, Arch> = { LlamaForCausalLM: 'llama', Qwen2ForCausalLM: 'qwen2', Qwen3ForCausalLM: 'qwen3', llama: 'llama', qwen2: 'qwen2', qwen3: 'qwen3' };
  const hit = known[mt] ?? archs.map((a) => known[a]).find((a) => a !== undefined);
  if (!hit) {
    throw new ConfigError(`${file}: key 'model_type' is '${mt}' (architectures ${JSON.stringify(archs)}); supported: llama, qwen2, qwen3`);
  }
  return hit;
}

function idList(file: string, key: string, v: unknown): number[] {
  if (v === undefined || v === null) return [];
  const list = Array.isArray(v) ? v : [v];
  for (const x of list) if (!Number.isInteger(x)) throw new ConfigError(`${file}: key '${key}' must be a token id or a list of them, found ${JSON.stringify(v)}`);
  return list as number[];
}

function parseRope(file: string, c: Json, maxPos: number): { theta: number; rope: RopeScaling } {
  const r = reader(file, c);
  // Newer form: rope_parameters {rope_type, rope_theta, factor, …}; older: rope_theta + rope_scaling {type|rope_type, …}.
  const newer = c.rope_parameters as Json | undefined | null;
  const older = c.rope_scaling as Json | undefined | null;
  const p: Json = (newer && typeof newer === 'object' ? newer : older && typeof older === 'object' ? older : {}) as Json;
  const prefix = newer ? 'rope_parameters.' : older ? 'rope_scaling.' : '';
  if (Object.values(p).some((v) => v && typeof v === 'object')) {
    throw new ConfigError(`${file}: key '${prefix.slice(0, -1)}' is nested per layer type; per-layer RoPE is not supported`);
  }
  const theta = r.num(p, 'rope_theta', `${prefix}rope_theta`) ?? r.num(c, 'rope_theta') ?? 10000;
  const partial = r.num(p, 'partial_rotary_factor', `${prefix}partial_rotary_factor`) ?? r.num(c, 'partial_rotary_factor') ?? 1;
  if (partial !== 1) throw new ConfigError(`${file}: key 'partial_rotary_factor' is ${partial}; only 1 is supported`);
  const type = String(p.rope_type ?? p.type ?? 'default');
  const k = (key: string) => `${prefix}${key}`;
  const origMax = r.num(c, 'original_max_position_embeddings') ?? r.num(p, 'original_max_position_embeddings', k('original_max_position_embeddings')) ?? maxPos;
  switch (type) {
    case 'default':
      return { theta, rope: { type: 'default' } };
    case 'linear':
      return { theta, rope: { type: 'linear', factor: r.reqNum(p, 'factor', k('factor')) } };
    case 'llama3':
      return {
        theta,
        rope: {
          type: 'llama3', factor: r.reqNum(p, 'factor', k('factor')), lowFreqFactor: r.reqNum(p, 'low_freq_factor', k('low_freq_factor')),
          highFreqFactor: r.reqNum(p, 'high_freq_factor', k('high_freq_factor')), originalMaxPositionEmbeddings: origMax,
        },
      };
    case 'yarn': {
      const factor = r.num(p, 'factor', k('factor')) ?? maxPos / origMax;
      const truncate = p.truncate === undefined || p.truncate === null ? true : Boolean(p.truncate);
      return {
        theta,
        rope: {
          type: 'yarn', factor, originalMaxPositionEmbeddings: origMax,
          betaFast: r.num(p, 'beta_fast', k('beta_fast')) || 32, betaSlow: r.num(p, 'beta_slow', k('beta_slow')) || 1,
          attentionFactor: r.num(p, 'attention_factor', k('attention_factor')) ?? null,
          mscale: r.num(p, 'mscale', k('mscale')) ?? null, mscaleAllDim: r.num(p, 'mscale_all_dim', k('mscale_all_dim')) ?? null, truncate,
        },
      };
    }
    default:
      throw new ConfigError(`${file}: key '${k('rope_type')}' is '${type}'; supported: default, linear, llama3, yarn`);
  }
}

/** Parses a config object (as read from `file`, named in errors). */
export function parseModelConfig(c: Json, file = 'config.json'): ModelConfig {
  const r = reader(file, c);
  const arch = archOf(file, c);
  const hiddenSize = r.int('hidden_size');
  const numHeads = r.int('num_attention_heads');
  const numKvHeads = c.num_key_value_heads === undefined || c.num_key_value_heads === null ? numHeads : r.int('num_key_value_heads');
  if (numHeads % numKvHeads !== 0) {
    throw new ConfigError(`${file}: key 'num_attention_heads' (${numHeads}) must be a multiple of 'num_key_value_heads' (${numKvHeads})`);
  }
  const headDim = c.head_dim === undefined || c.head_dim === null ? hiddenSize / numHeads : r.int('head_dim');
  if (!Number.isInteger(headDim) || headDim % 2 !== 0) {
    throw new ConfigError(`${file}: key 'head_dim' (or hidden_size/num_attention_heads) must be an even integer, found ${headDim}`);
  }
  if (arch === 'qwen2' && c.use_sliding_window === true) {
    throw new ConfigError(`${file}: key 'use_sliding_window' is true; sliding-window attention is not supported`);
  }
  const maxPositionEmbeddings = r.int('max_position_embeddings');
  const { theta, rope } = parseRope(file, c, maxPositionEmbeddings);
  const attentionBias = r.bool('attention_bias', false);
  return {
    arch,
    vocabSize: r.int('vocab_size'),
    hiddenSize,
    intermediateSize: r.int('intermediate_size'),
    numLayers: r.int('num_hidden_layers'),
    numHeads,
    numKvHeads,
    headDim,
    rmsNormEps: r.num(c, 'rms_norm_eps') ?? 1e-6,
    maxPositionEmbeddings,
    tieWordEmbeddings: r.bool('tie_word_embeddings', false),
    qkvBias: arch === 'qwen2' ? true : attentionBias,
    oBias: arch === 'qwen2' ? false : attentionBias,
    mlpBias: arch === 'llama' ? r.bool('mlp_bias', false) : false,
    qkNorm: arch === 'qwen3',
    ropeTheta: theta,
    rope,
    bosTokenId: typeof c.bos_token_id === 'number' ? c.bos_token_id : null,
    eosTokenIds: idList(file, 'eos_token_id', c.eos_token_id),
  };
}

function readJson(path: string): Json {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read ${path}: ${(err as Error).message}`);
  }
  try {
    const v = JSON.parse(text) as unknown;
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not a JSON object');
    return v as Json;
  } catch (err) {
    throw new ConfigError(`${path} is not valid JSON: ${(err as Error).message}`);
  }
}

/** Reads `dir/config.json`. */
export function readModelConfig(dir: string): ModelConfig {
  const file = join(dir, 'config.json');
  return parseModelConfig(readJson(file), file);
}

export interface GenerationConfig {
  eosTokenIds: number[];
  temperature?: number;
  topP?: number;
  topK?: number;
  doSample?: boolean;
}

/** Reads `dir/generation_config.json` when present. */
export function readGenerationConfig(dir: string, exists: (p: string) => boolean): GenerationConfig {
  const file = join(dir, 'generation_config.json');
  if (!exists(file)) return { eosTokenIds: [] };
  const c = readJson(file);
  const r = reader(file, c);
  return {
    eosTokenIds: idList(file, 'eos_token_id', c.eos_token_id),
    temperature: r.num(c, 'temperature'),
    topP: r.num(c, 'top_p'),
    topK: r.num(c, 'top_k'),
    doSample: typeof c.do_sample === 'boolean' ? c.do_sample : undefined,
  };
}

export { readJson as readJsonObject, ConfigError };
