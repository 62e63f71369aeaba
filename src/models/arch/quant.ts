// Int8 weights for the inference graphs (`RuntimeOptions.weights: 'int8'`, opt-in): every projection
// (q|k|v, o, gate|up, down, LM head) becomes one com.microsoft.MatMulNBits node (bits 8) over weights
// quantized here, at load, per block of `blockSize` inputs of an output row: scale = max|w| / 127,
// q = round(w / scale) + 128 (symmetric; MatMulNBits' default zero point for 8 bits is 128). A decode
// step then streams a quarter of the float32 bytes. Embeddings and norms stay float32.
// With accuracy level 4 (the default) ORT also quantizes the activations per block and multiplies in
// int8 (VNNI); level 0 computes in float32 from the dequantized weights (exact against them, but ORT's
// level-0 8-bit kernel is slow: a reference path, used by the tests).
// The quantized bytes of all graphs of a model live in one buffer, passed to ORT as external data next
// to the float32 one, so the step and full-forward sessions share them; the same rows give the same
// codes whether they are quantized alone or stacked (a block never spans two output rows).
import type { Graph, Value } from '../onnx/graph';
import * as op from '../onnx/ops';
import type { ParamStore } from './weights';

export const QUANT_LOCATION = 'weights.q8.bin';

export interface QuantOptions {
  /** Inputs per block (a power of two, ≥ 16, as MatMulNBits requires; default 32). */
  blockSize?: number;
  /** MatMulNBits accuracy_level: 4 int8 compute (default), 0 float32 compute. */
  accuracyLevel?: 0 | 4;
}

/** Block-quantizes `w` ([N, K] row-major, HF's [out, in]) to 8 bits; K is zero-padded to whole blocks. */
export function quantizeRows(w: Float32Array, N: number, K: number, blockSize: number): { codes: Uint8Array; scales: Float32Array } {
  if (w.length !== N * K) throw new Error(`quantizeRows: ${w.length} values for [${N}, ${K}]`);
  const nb = Math.ceil(K / blockSize);
  const codes = new Uint8Array(N * nb * blockSize).fill(128);
  const scales = new Float32Array(N * nb);
  for (let n = 0; n < N; n++) {
    for (let b = 0; b < nb; b++) {
      const from = n * K + b * blockSize, to = n * K + Math.min(K, (b + 1) * blockSize);
      let amax = 0;
      for (let i = from; i < to; i++) amax = Math.max(amax, Math.abs(w[i]!));
      const scale = amax > 0 ? amax / 127 : 1;
      scales[n * nb + b] = scale;
      const out = (n * nb + b) * blockSize;
      for (let i = from; i < to; i++) codes[out + i - from] = Math.max(-127, Math.min(127, Math.round(w[i]! / scale))) + 128;
    }
  }
  return { codes, scales };
}

/** The float32 values the codes stand for ([N, K]): (q − 128) · scale. */
export function dequantizeRows(codes: Uint8Array, scales: Float32Array, N: number, K: number, blockSize: number): Float32Array {
  const nb = Math.ceil(K / blockSize);
  const w = new Float32Array(N * K);
  for (let n = 0; n < N; n++) {
    for (let k = 0; k < K; k++) {
      const b = Math.floor(k / blockSize);
      w[n * K + k] = (codes[(n * nb + b) * blockSize + (k % blockSize)]! - 128) * scales[n * nb + b]!;
    }
  }
  return w;
}

/** x Wᵀ (+ b) for HF weights stacked along `out` (the first one times `scaleFirst`), on int8 codes. */
export type QuantLinear = (g: Graph, x: Value, names: string[], opts: { hint: string; scaleFirst?: number; bias?: Value }) => Value;

/** Quantizes a store's projections on demand into one shared buffer; `linear(g)` emits MatMulNBits nodes over it. */
export class QuantStore {
  private readonly chunks: Uint8Array[] = [];
  private size = 0;
  private readonly done = new Map<string, { codes: number; scales: number; N: number; K: number }>();
  readonly blockSize: number;
  readonly accuracyLevel: 0 | 4;

  constructor(private readonly params: ParamStore, opts: QuantOptions = {}) {
    this.blockSize = opts.blockSize ?? 32;
    this.accuracyLevel = opts.accuracyLevel ?? 4;
    const bs = this.blockSize;
    if (!Number.isInteger(bs) || bs < 16 || (bs & (bs - 1)) !== 0) throw new Error(`int8 weights: blockSize must be a power of two ≥ 16 (MatMulNBits); got ${bs}`);
  }

  private append(bytes: Uint8Array): number {
    const at = this.size;
    const pad = (64 - (bytes.length % 64)) % 64;
    this.chunks.push(bytes, new Uint8Array(pad));
    this.size += bytes.length + pad;
    return at;
  }

  private quantized(names: string[], scaleFirst: number) {
    const key = `${names.join('|')}@${scaleFirst}`;
    const hit = this.done.get(key);
    if (hit) return hit;
    const es = names.map((n) => this.params.entry(n));
    const K = es[0]!.shape[1]!;
    for (const e of es) if (e.shape.length !== 2 || e.shape[1] !== K) throw new Error(`int8 weights: '${e.name}' [${e.shape}] cannot be stacked with [·, ${K}]`);
    const N = es.reduce((s, e) => s + e.shape[0]!, 0);
    const w = new Float32Array(N * K);
    let at = 0;
    es.forEach((e, i) => {
      const v = this.params.view(e.name);
      if (i === 0 && scaleFirst !== 1) for (let j = 0; j < v.length; j++) w[at + j] = v[j]! * scaleFirst;
      else w.set(v, at);
      at += v.length;
    });
    const { codes, scales } = quantizeRows(w, N, K, this.blockSize);
    const out = { codes: this.append(codes), scales: this.append(new Uint8Array(scales.buffer)), N, K };
    this.done.set(key, out);
    return out;
  }

  /** The emitter for graph `g` (initializers point into this store's buffer). */
  get linear(): QuantLinear {
    return (g, x, names, { hint, scaleFirst = 1, bias }) => {
      const q = this.quantized(names, scaleFirst);
      const bs = this.blockSize, nb = Math.ceil(q.K / bs);
      const key = `${names.join('|')}@${scaleFirst}`;
      const B = g.initializer(`q8:${key}`, 'uint8', [q.N, nb, bs], { external: { location: QUANT_LOCATION, offset: q.codes, length: q.N * nb * bs } });
      const S = g.initializer(`q8s:${key}`, 'float32', [q.N * nb], { external: { location: QUANT_LOCATION, offset: q.scales, length: q.N * nb * 4 } });
      const K = x.shape[x.shape.length - 1];
      if (K !== q.K) throw new Error(`int8 linear '${hint}': input ${K} features, weights have ${q.K}`);
      const [y] = g.node('MatMulNBits', [x, B, S], [{ dtype: 'float32', shape: [...x.shape.slice(0, -1), q.N], hint }],
        { K: q.K, N: q.N, bits: 8, block_size: bs, accuracy_level: this.accuracyLevel }, 'com.microsoft');
      return bias ? op.add(g, y!, bias, `${hint}_b`) : y!;
    };
  }

  /** Every quantized byte so far, for ORT's `externalData` (build the graphs first). */
  bytes(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}
