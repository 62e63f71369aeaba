// safetensors files: an 8-byte little-endian header length, a JSON header
// {name: {dtype, shape, data_offsets: [begin, end]}, __metadata__?} and the raw little-endian data.
// Reads single files and sharded checkpoints (`model.safetensors.index.json` → weight_map), converting
// F32/F16/BF16 (and F64) to float32. Errors name the file and the tensor key.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type StDtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

export interface StTensorInfo {
  name: string;
  dtype: StDtype;
  shape: number[];
  file: string;
  /** Byte offset of the data within the file, and its length. */
  offset: number;
  length: number;
}

const width: Record<StDtype, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

export class SafetensorsError extends Error {
  override name = 'SafetensorsError';
}

/** Parses one file's header from its bytes. */
export function parseHeader(file: string, bytes: Uint8Array): StTensorInfo[] {
  if (bytes.length < 8) throw new SafetensorsError(`${file}: too short for a safetensors header (${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (8 + n > bytes.length) throw new SafetensorsError(`${file}: header length ${n} exceeds the file size ${bytes.length}`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, unknown>;
  } catch (err) {
    throw new SafetensorsError(`${file}: header is not valid JSON (${(err as Error).message})`);
  }
  const base = 8 + n;
  const out: StTensorInfo[] = [];
  for (const [name, v] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const t = v as { dtype?: string; shape?: number[]; data_offsets?: [number, number] };
    const dtype = t.dtype as StDtype;
    if (!(dtype in width)) throw new SafetensorsError(`${file}: tensor '${name}' has unsupported dtype ${String(t.dtype)}`);
    if (!Array.isArray(t.shape) || !Array.isArray(t.data_offsets)) throw new SafetensorsError(`${file}: tensor '${name}' lacks shape or data_offsets`);
    const [b, e] = t.data_offsets;
    const numel = t.shape.reduce((p, q) => p * q, 1);
    if (e - b !== numel * width[dtype]) {
      throw new SafetensorsError(`${file}: tensor '${name}' ${dtype}[${t.shape.join(', ')}] needs ${numel * width[dtype]} bytes, data_offsets span ${e - b}`);
    }
    if (base + e > bytes.length) throw new SafetensorsError(`${file}: tensor '${name}' ends past the end of the file`);
    out.push({ name, dtype, shape: t.shape, file, offset: base + b, length: e - b });
  }
  return out;
}

function bf16ToF32(src: Uint8Array, dst: Float32Array): void {
  const u32 = new Uint32Array(dst.buffer, dst.byteOffset, dst.length);
  for (let i = 0; i < dst.length; i++) u32[i] = (src[2 * i]! | (src[2 * i + 1]! << 8)) << 16;
}

function f16ToF32(src: Uint8Array, dst: Float32Array): void {
  for (let i = 0; i < dst.length; i++) {
    const h = src[2 * i]! | (src[2 * i + 1]! << 8);
    const s = h & 0x8000 ? -1 : 1;
    const e = (h >> 10) & 0x1f;
    const m = h & 0x3ff;
    dst[i] = e === 0 ? s * m * 2 ** -24 : e === 31 ? (m ? NaN : s * Infinity) : s * (1 + m / 1024) * 2 ** (e - 15);
  }
}

/** Converts one tensor's raw bytes to float32 into `dst` (length = numel). */
export function toFloat32(info: StTensorInfo, raw: Uint8Array, dst: Float32Array): void {
  switch (info.dtype) {
    case 'F32': new Uint8Array(dst.buffer, dst.byteOffset, dst.byteLength).set(raw); return;
    case 'BF16': bf16ToF32(raw, dst); return;
    case 'F16': f16ToF32(raw, dst); return;
    case 'F64': {
      const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      for (let i = 0; i < dst.length; i++) dst[i] = dv.getFloat64(8 * i, true);
      return;
    }
    default:
      throw new SafetensorsError(`${info.file}: tensor '${info.name}' is ${info.dtype}; expected a float dtype (F32, F16, BF16, F64)`);
  }
}

/** All tensors of a model directory (single file or sharded), with file bytes loaded on demand. */
export class SafetensorsDir {
  readonly tensors = new Map<string, StTensorInfo>();
  private files = new Map<string, Uint8Array>();

  /** `file`: read that one file of `dir` instead of the model's weights. */
  constructor(readonly dir: string, file?: string) {
    const index = join(dir, 'model.safetensors.index.json');
    const single = join(dir, file ?? 'model.safetensors');
    let shardNames: string[];
    if (file) {
      this.addFile(single);
    } else if (existsSync(index)) {
      let map: Record<string, string>;
      try {
        map = (JSON.parse(readFileSync(index, 'utf8')) as { weight_map: Record<string, string> }).weight_map;
      } catch (err) {
        throw new SafetensorsError(`${index}: cannot parse (${(err as Error).message})`);
      }
      if (!map || typeof map !== 'object') throw new SafetensorsError(`${index}: key 'weight_map' is missing`);
      shardNames = [...new Set(Object.values(map))];
      for (const s of shardNames) this.addFile(join(dir, s));
      for (const [name, shard] of Object.entries(map)) {
        const info = this.tensors.get(name);
        if (!info || info.file !== join(dir, shard)) {
          throw new SafetensorsError(`${index}: key 'weight_map.${name}' points to ${shard}, which does not hold that tensor`);
        }
      }
    } else if (existsSync(single)) {
      this.addFile(single);
    } else {
      throw new SafetensorsError(`${dir}: no model.safetensors or model.safetensors.index.json`);
    }
  }

  private addFile(path: string): void {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(path);
    } catch (err) {
      throw new SafetensorsError(`cannot read ${path}: ${(err as Error).message}`);
    }
    this.files.set(path, bytes);
    for (const t of parseHeader(path, bytes)) {
      if (this.tensors.has(t.name)) throw new SafetensorsError(`${path}: tensor '${t.name}' also appears in ${this.tensors.get(t.name)!.file}`);
      this.tensors.set(t.name, t);
    }
  }

  info(name: string): StTensorInfo {
    const t = this.tensors.get(name);
    if (!t) throw new SafetensorsError(`${this.dir}: tensor '${name}' not found in the checkpoint (it has ${this.tensors.size} tensors)`);
    return t;
  }

  raw(name: string): Uint8Array {
    const t = this.info(name);
    return this.files.get(t.file)!.subarray(t.offset, t.offset + t.length);
  }

  /** The tensor as float32 (copied; written into `dst` when given). */
  float32(name: string, dst?: Float32Array): Float32Array {
    const t = this.info(name);
    const n = t.shape.reduce((p, q) => p * q, 1);
    const out = dst ?? new Float32Array(n);
    if (out.length !== n) throw new SafetensorsError(`${t.file}: tensor '${name}' has ${n} elements, destination ${out.length}`);
    toFloat32(t, this.raw(name), out);
    return out;
  }

  /** Drops the loaded file bytes. */
  release(): void {
    this.files.clear();
  }
}

/** A tensor to write: its name, dtype, shape and raw little-endian bytes. */
export interface RawTensor {
  name: string;
  dtype: StDtype;
  shape: number[];
  bytes: Uint8Array;
}

/** One safetensors file (HF layout: u64 header length, JSON header padded to 8 bytes, the data). */
export function encodeSafetensors(tensors: readonly RawTensor[], metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let off = 0;
  for (const t of tensors) {
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [off, off + t.bytes.byteLength] };
    off += t.bytes.byteLength;
  }
  const text = JSON.stringify(header);
  const json = new TextEncoder().encode(text + ' '.repeat((8 - (new TextEncoder().encode(text).length % 8)) % 8));
  const out = new Uint8Array(8 + json.length + off);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let p = 8 + json.length;
  for (const t of tensors) {
    out.set(t.bytes, p);
    p += t.bytes.byteLength;
  }
  return out;
}

/** float32 tensors as one safetensors file (used by checkpoints' tests and fixtures). */
export function writeSafetensors(tensors: { name: string; shape: number[]; data: Float32Array }[], metadata: Record<string, string> = {}): Uint8Array {
  return encodeSafetensors(
    tensors.map((t) => ({ name: t.name, dtype: 'F32' as const, shape: t.shape, bytes: new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength) })),
    metadata,
  );
}
