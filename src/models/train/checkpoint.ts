// Trainer checkpoints: one directory per policy version that is at once
//   - an HF model directory transformers and the engine load: config.json, generation_config.json,
//     tokenizer files and chat template copied from the base, model.safetensors (HF names and
//     [out, in] layouts; F32, or the base's F16/BF16);
//   - the optimizer state for resuming: optimizer.safetensors with `exp_avg.<name>`, `exp_avg_sq.<name>`
//     (AdamW m, v) and, when the weights are stored below float32, `master.<name>` (the float32 weights,
//     so a resume continues bit for bit); its metadata holds the AdamW step;
//   - mars2_checkpoint.json: step, policy version, config hash, base model, weights dtype, metrics.
// Written atomically as a whole: files go into a sibling temp directory, each fsynced, then the temp
// directory is fsynced and renamed onto the target. A reader sees no directory or the complete one; if
// another writer got there first, its checkpoint is kept (same version, same content by construction).
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { loadParams, paramSpecs, type ParamStore } from '../arch/weights';
import { readJsonObject, readModelConfig, type ModelConfig } from '../hf/config';
import { encodeSafetensors, SafetensorsDir, type RawTensor, type StDtype } from '../hf/safetensors';
import { syncDir, writeSynced } from '../../store';
import type { AdamWState } from './optim';
import { TOKENIZER_FILES } from '../tokenizer';

export const META_FILE = 'mars2_checkpoint.json';
export const OPTIMIZER_FILE = 'optimizer.safetensors';

/** Files of a base model directory that a checkpoint carries over unchanged (when present). */
const COPIED = [...TOKENIZER_FILES, 'generation_config.json'];

export interface CheckpointMeta {
  format: 1;
  /** Optimizer steps taken since the base model. */
  step: number;
  policyVersion: number;
  /** sha256 of the parsed architecture (ModelConfig): checkpoints of one family share it. */
  configHash: string;
  /** Absolute path of the base model directory the run started from. */
  baseModel: string;
  weightsDtype: 'F32' | 'F16' | 'BF16';
  metrics?: Record<string, number>;
}

export interface Checkpoint {
  dir: string;
  cfg: ModelConfig;
  meta: CheckpointMeta;
  params: ParamStore;
  /** null for a plain HF directory (no optimizer state). */
  optimizer: AdamWState | null;
}

export function configHash(cfg: ModelConfig): string {
  return `sha256:${createHash('sha256').update(JSON.stringify(cfg)).digest('hex')}`;
}

/** The float dtype of a model directory's weights (the first tensor's), for `weightsDtype: 'base'`. */
export function baseWeightsDtype(dir: string): 'F32' | 'F16' | 'BF16' {
  const st = new SafetensorsDir(dir);
  const d: StDtype | undefined = st.tensors.values().next().value?.dtype;
  st.release();
  return d === 'F16' || d === 'BF16' ? d : 'F32';
}

const TORCH_DTYPE = { F32: 'float32', F16: 'float16', BF16: 'bfloat16' } as const;

// float32 → bfloat16 / float16 bits, round to nearest even (as torch's .to()).
function toBf16(x: Float32Array): Uint16Array {
  const u = new Uint32Array(x.buffer, x.byteOffset, x.length);
  const out = new Uint16Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const b = u[i]!;
    out[i] = (b & 0x7fffffff) > 0x7f800000 ? (b >>> 16) | 0x40 : (b + 0x7fff + ((b >>> 16) & 1)) >>> 16;
  }
  return out;
}

function toF16(x: Float32Array): Uint16Array {
  const u = new Uint32Array(x.buffer, x.byteOffset, x.length);
  const out = new Uint16Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const b = u[i]!;
    const sign = (b >>> 16) & 0x8000;
    const exp = (b >>> 23) & 0xff;
    const man = b & 0x7fffff;
    if (exp === 0xff) { out[i] = sign | 0x7c00 | (man ? 0x200 : 0); continue; }
    const e = exp - 127 + 15;
    if (e >= 0x1f) { out[i] = sign | 0x7c00; continue; }
    if (e <= 0) {
      if (e < -10) { out[i] = sign; continue; }
      const m = man | 0x800000;
      const shift = 14 - e;
      const half = 1 << (shift - 1);
      let r = m >>> shift;
      const rem = m & ((1 << shift) - 1);
      if (rem > half || (rem === half && (r & 1))) r++;
      out[i] = sign | r;
      continue;
    }
    let h = (e << 10) | (man >>> 13);
    const rem = man & 0x1fff;
    if (rem > 0x1000 || (rem === 0x1000 && (h & 1))) h++;
    out[i] = sign | h;
  }
  return out;
}

const bytesOf = (a: Float32Array | Uint16Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** The base's tokenizer files and generation config into `tmp`, and its config.json with its dtype set. */
async function copyModelFiles(baseDir: string, tmp: string, dtype: 'F32' | 'F16' | 'BF16'): Promise<void> {
  for (const f of COPIED) if (existsSync(join(baseDir, f))) await writeSynced(join(tmp, f), readFileSync(join(baseDir, f)));
  const config = readJsonObject(join(baseDir, 'config.json'));
  for (const k of ['dtype', 'torch_dtype']) if (k in config) config[k] = TORCH_DTYPE[dtype];
  if (!('dtype' in config) && !('torch_dtype' in config)) config.torch_dtype = TORCH_DTYPE[dtype];
  await writeSynced(join(tmp, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
}

/** model.safetensors of `params` in `dtype` (HF names and layouts). */
function weightsFile(specs: ReturnType<typeof paramSpecs>, params: ParamStore, dtype: 'F32' | 'F16' | 'BF16'): Uint8Array {
  const weights: RawTensor[] = specs.map((s) => {
    const x = params.view(s.name);
    return { name: s.name, dtype, shape: s.shape, bytes: bytesOf(dtype === 'F32' ? x : dtype === 'BF16' ? toBf16(x) : toF16(x)) };
  });
  return encodeSafetensors(weights, { format: 'pt' });
}

export interface WriteCheckpointOptions {
  /** The base model directory: config, tokenizer and chat template come from it. */
  baseDir: string;
  cfg: ModelConfig;
  params: ParamStore;
  optimizer: AdamWState;
  policyVersion: number;
  /** 'F32' (default) or 'base': the base's dtype (F16/BF16 weights keep float32 masters for resume). */
  weightsDtype?: 'F32' | 'base';
  metrics?: Record<string, number>;
  /**
   * Called once every file is written and synced, just before the checkpoint becomes visible; when it
   * throws (a cancelled step), nothing is committed and the error propagates.
   */
  beforeCommit?: () => Promise<void>;
}

/**
 * Writes a checkpoint to `dir` atomically. Returns false (and writes nothing) when `dir` already exists
 * or another writer created it meanwhile.
 */
export async function writeCheckpoint(dir: string, o: WriteCheckpointOptions): Promise<boolean> {
  if (existsSync(dir)) return false;
  const baseDir = resolve(o.baseDir);
  const baseMeta = existsSync(join(baseDir, META_FILE)) ? readCheckpointMeta(baseDir) : null;
  const dtype = o.weightsDtype === 'base' ? baseWeightsDtype(baseDir) : 'F32';
  const specs = paramSpecs(o.cfg);
  if (o.optimizer.m.length !== specs.length || o.optimizer.v.length !== specs.length) {
    throw new Error(`writeCheckpoint: optimizer state has ${o.optimizer.m.length} moments, the model ${specs.length} parameters`);
  }
  await mkdir(dirname(resolve(dir)), { recursive: true });
  const tmp = join(dirname(resolve(dir)), `.${basename(dir)}.tmp-${randomBytes(6).toString('hex')}`);
  await mkdir(tmp);
  try {
    await copyModelFiles(baseDir, tmp, dtype);
    if (!existsSync(join(baseDir, 'generation_config.json'))) {
      const gen = { bos_token_id: o.cfg.bosTokenId, eos_token_id: o.cfg.eosTokenIds.length === 1 ? o.cfg.eosTokenIds[0] : o.cfg.eosTokenIds };
      await writeSynced(join(tmp, 'generation_config.json'), `${JSON.stringify(gen, null, 2)}\n`);
    }
    await writeSynced(join(tmp, 'model.safetensors'), weightsFile(specs, o.params, dtype));
    const opt: RawTensor[] = [];
    specs.forEach((s, i) => {
      opt.push({ name: `exp_avg.${s.name}`, dtype: 'F32', shape: s.shape, bytes: bytesOf(o.optimizer.m[i]!) });
      opt.push({ name: `exp_avg_sq.${s.name}`, dtype: 'F32', shape: s.shape, bytes: bytesOf(o.optimizer.v[i]!) });
      if (dtype !== 'F32') opt.push({ name: `master.${s.name}`, dtype: 'F32', shape: s.shape, bytes: bytesOf(o.params.view(s.name)) });
    });
    await writeSynced(join(tmp, OPTIMIZER_FILE), encodeSafetensors(opt, { step: String(o.optimizer.step) }));
    const meta: CheckpointMeta = {
      format: 1, step: o.optimizer.step, policyVersion: o.policyVersion, configHash: configHash(o.cfg),
      baseModel: baseMeta ? baseMeta.baseModel : baseDir, weightsDtype: dtype, ...(o.metrics ? { metrics: o.metrics } : {}),
    };
    await writeSynced(join(tmp, META_FILE), `${JSON.stringify(meta, null, 2)}\n`);
    await syncDir(tmp);
    await o.beforeCommit?.();
    try {
      await rename(tmp, dir);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if ((code === 'ENOTEMPTY' || code === 'EEXIST') && existsSync(join(dir, META_FILE))) return false;
      throw err;
    }
    await syncDir(dirname(resolve(dir)));
    return true;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

export function readCheckpointMeta(dir: string): CheckpointMeta {
  const file = join(dir, META_FILE);
  const m = readJsonObject(file) as Partial<CheckpointMeta>;
  if (m.format !== 1 || typeof m.step !== 'number' || typeof m.policyVersion !== 'number' || typeof m.configHash !== 'string' || typeof m.baseModel !== 'string') {
    throw new Error(`${file}: expected {format: 1, step, policyVersion, configHash, baseModel, …}, found ${JSON.stringify(m).slice(0, 200)}`);
  }
  return m as CheckpointMeta;
}

/**
 * Loads a checkpoint (or a plain HF model directory: step 0, version 0, no optimizer state) for resuming:
 * float32 parameters (the masters when the weights are stored below float32) and the AdamW state.
 */
export function loadCheckpoint(dir: string): Checkpoint {
  const cfg = readModelConfig(dir);
  const hasMeta = existsSync(join(dir, META_FILE));
  const meta: CheckpointMeta = hasMeta
    ? readCheckpointMeta(dir)
    : { format: 1, step: 0, policyVersion: 0, configHash: configHash(cfg), baseModel: resolve(dir), weightsDtype: baseWeightsDtype(dir) };
  if (meta.configHash !== configHash(cfg)) {
    throw new Error(`${join(dir, META_FILE)}: configHash ${meta.configHash} does not match ${join(dir, 'config.json')} (${configHash(cfg)}); the directory was altered after it was written`);
  }
  const params = loadParams(dir, cfg);
  if (!hasMeta) return { dir, cfg, meta, params, optimizer: null };
  const st = new SafetensorsDir(dir, OPTIMIZER_FILE);
  const specs = paramSpecs(cfg);
  const optimizer: AdamWState = { step: meta.step, m: [], v: [] };
  for (const s of specs) {
    optimizer.m.push(st.float32(`exp_avg.${s.name}`));
    optimizer.v.push(st.float32(`exp_avg_sq.${s.name}`));
    if (meta.weightsDtype !== 'F32') st.float32(`master.${s.name}`, params.view(s.name));
  }
  st.release();
  return { dir, cfg, meta, params, optimizer };
}

/**
 * A plain HF model directory of `src`'s weights (a checkpoint or any model directory) in `dtype`: config
 * (its dtype field set), generation config, tokenizer files and model.safetensors; no optimizer state
 * and no mars2_checkpoint.json, so it loads as a new base (step 0, version 0). For shipping a trained
 * model lean: BF16 halves the file, and the trainer keeps float32 weights when it starts from it.
 * Written like a checkpoint: into a sibling temp directory, then renamed; `out` must not exist.
 */
export async function exportModel(src: string, out: string, dtype: 'F32' | 'F16' | 'BF16'): Promise<{ bytes: number; params: number }> {
  if (existsSync(out)) throw new Error(`${out} already exists`);
  const cfg = readModelConfig(src);
  const params = loadParams(src, cfg);
  await mkdir(dirname(resolve(out)), { recursive: true });
  const tmp = join(dirname(resolve(out)), `.${basename(out)}.tmp-${randomBytes(6).toString('hex')}`);
  await mkdir(tmp);
  try {
    await copyModelFiles(src, tmp, dtype);
    const specs = paramSpecs(cfg);
    const file = weightsFile(specs, params, dtype);
    await writeSynced(join(tmp, 'model.safetensors'), file);
    await syncDir(tmp);
    await rename(tmp, out);
    await syncDir(dirname(resolve(out)));
    return { bytes: file.byteLength, params: specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0) };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
