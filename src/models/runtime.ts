// One loaded model on onnxruntime-node: config, the shared float32 weight buffer, and two sessions built
// from the same decoder builder — the delta-KV step graph (last-position logits and their log-sum-exp,
// new K/V rows out; with attention 'auto' a second one for single-row steps) and the full-forward graph
// (all logits; used for scoring and consistency checks). Runs synchronously on
// the calling thread (ORT's `run` blocks it), so the engine calls it from a worker thread.
import { existsSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { buildInferenceGraph } from './arch/decoder';
import { QUANT_LOCATION, QuantStore, type QuantOptions } from './arch/quant';
import { bindParams, loadParams, WEIGHTS_LOCATION, type ParamStore } from './arch/weights';
import { readGenerationConfig, readModelConfig, type GenerationConfig, type ModelConfig } from './hf/config';
import { createSession } from './ortSessions';

export type ExecutionProvider = 'cpu' | 'cuda' | 'webgpu';

export interface RuntimeOptions {
  executionProvider?: ExecutionProvider;
  /** ORT intra-op threads (default: ORT's choice, all cores). */
  threads?: number;
  /** RoPE implementation in the graph (default 'ms', com.microsoft.RotaryEmbedding). */
  rope?: 'ms' | 'primitive';
  /** Inference kernel fusions in both graphs (DecoderOptions.fused; default true). */
  fused?: boolean;
  /**
   * Attention kernels of the step graph (DecoderOptions.attention; default 'primitive'). 'auto' loads
   * both step graphs and runs the 'onnx' one for single-row steps and the 'primitive' one for batches
   * (ORT's Attention copies the whole past into its present output, so it is slower at large B); it
   * holds a second copy of the weights in ORT. 'onnx' was 7–12% faster at B = 1 than the primitive
   * graph before that one went head-major (0c88650); since, the two are within noise (bench/README.md).
   */
  attention?: 'primitive' | 'onnx' | 'auto';
  /**
   * Projection weights of the inference graphs (default 'float32', exact). 'int8': block-quantized at
   * load (arch/quant.ts) and multiplied by MatMulNBits: a quarter of the bytes per decode step, logits
   * within quantization error of the float32 ones, so opt-in (evaluation, `mars2 solve`, benchmarks),
   * not for rollouts whose log-probs train the same weights in float32.
   */
  weights?: 'float32' | 'int8';
  /** Int8 block size and accuracy level (quant.ts; defaults 32 and 4). */
  quant?: QuantOptions;
  /** ORT session options merged over the defaults (for measurements, e.g. `enableProfiling`, `extra`). */
  session?: ort.InferenceSession.SessionOptions;
}

/** Per-layer K/V rows: k[l], v[l] each (B, nkv, S, hd) row-major, or (B, S, nkv, hd) when `layout` is 'bsnh'. */
export interface KvRows {
  k: Float32Array[];
  v: Float32Array[];
  layout?: 'bnsh' | 'bsnh';
}

export interface StepOut {
  /** (B, V) last-position logits. */
  logits: Float32Array;
  /** (B) log Σ_v exp logits[b, v]. */
  lse: Float32Array;
  kv: KvRows;
}

function i64(values: ArrayLike<number>, dims: number[]): ort.Tensor {
  const a = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) a[i] = BigInt(values[i]!);
  return new ort.Tensor('int64', a, dims);
}

export class ModelRuntime {
  private constructor(
    readonly dir: string,
    readonly cfg: ModelConfig,
    readonly gen: GenerationConfig,
    readonly params: ParamStore,
    private readonly step: ort.InferenceSession,
    /** The 'onnx'-attention step graph run for single-row steps (attention 'auto'), else null. */
    private readonly step1: ort.InferenceSession | null,
    private readonly full: ort.InferenceSession,
    /** Layout of the new K/V rows `step` outputs. */
    private readonly kvLayout: 'bnsh' | 'bsnh',
  ) {}

  static async load(dir: string, opts: RuntimeOptions = {}): Promise<ModelRuntime> {
    const cfg = readModelConfig(dir);
    const gen = readGenerationConfig(dir, existsSync);
    const params = loadParams(dir, cfg);
    const P = (g: Parameters<typeof bindParams>[0]) => bindParams(g, params, 'initializer');
    const rope = opts.rope ?? 'ms';
    const fused = opts.fused ?? true;
    const attention = opts.attention ?? 'primitive';
    const qs = opts.weights === 'int8' ? new QuantStore(params, opts.quant) : null;
    const quant = qs?.linear;
    const stepBytes = buildInferenceGraph(cfg, P, { kv: 'delta', logits: 'last', rope, fused, quant, attention: attention === 'onnx' ? 'onnx' : 'primitive' });
    const step1Bytes = attention === 'auto' ? buildInferenceGraph(cfg, P, { kv: 'delta', logits: 'last', rope, fused, quant, attention: 'onnx' }) : null;
    const fullBytes = buildInferenceGraph(cfg, P, { kv: 'none', logits: 'all', rope, fused, quant });
    const so: ort.InferenceSession.SessionOptions = {
      executionProviders: [opts.executionProvider ?? 'cpu'],
      graphOptimizationLevel: 'all',
      logSeverityLevel: 3,
      // No CPU arena: each policy version loads new sessions, and an arena keeps its peak activations
      // until the session goes, and RSS crept up over versions with it (bench/memory/loop.ts engine: v2 → v9
      // 391 → 447 MB with it, 323 → 364 MB and flat from v7 without); decode steps are no slower
      // (engine/step.ts: 0.457 vs 0.478 ms/token, bench/README.md).
      enableCpuMemArena: false,
      externalData: [{ path: WEIGHTS_LOCATION, data: params.bytes() }, ...(qs ? [{ path: QUANT_LOCATION, data: qs.bytes() }] : [])],
      ...(opts.threads ? { intraOpNumThreads: opts.threads, interOpNumThreads: 1 } : {}),
      ...opts.session,
    };
    const [step, step1, full] = await Promise.all([
      createSession(stepBytes, so),
      step1Bytes && createSession(step1Bytes, so),
      createSession(fullBytes, so),
    ]);
    return new ModelRuntime(dir, cfg, gen, params, step, step1, full, attention === 'onnx' ? 'bsnh' : 'bnsh');
  }

  /** Full forward of equal-length rows `ids` (B, S) → logits (B, S, V). */
  async forwardAll(ids: number[][]): Promise<Float32Array> {
    const B = ids.length, S = ids[0]!.length;
    if (ids.some((r) => r.length !== S)) throw new Error('forwardAll: rows must have equal length');
    const pos = ids.flatMap((r) => r.map((_, i) => i));
    const out = await this.full.run({
      input_ids: i64(ids.flat(), [B, S]),
      position_ids: i64(pos, [B, S]),
      attention_mask: i64(new Array(B * S).fill(1), [B, S]),
    });
    return out.logits!.data as Float32Array;
  }

  /**
   * One delta-KV step for B rows of S new tokens each. `past` holds per layer (B, nkv, cap, hd) buffers
   * (zero-copy), `mask` (B, cap + S) marks valid cache slots and the new tokens, `positions` (B, S).
   * Returns last-position logits (B, V), their log-sum-exp (B) and the new K/V rows per layer
   * ((B, nkv, S, hd), or (B, S, nkv, hd) with attention 'onnx': `kv.layout`).
   */
  async stepRun(ids: ArrayLike<number>, positions: ArrayLike<number>, mask: BigInt64Array, B: number, S: number, cap: number, past: KvRows): Promise<StepOut> {
    const { numLayers: L, numKvHeads: nkv, headDim: hd } = this.cfg;
    const feeds: Record<string, ort.Tensor> = {
      input_ids: i64(ids, [B, S]),
      position_ids: i64(positions, [B, S]),
      attention_mask: new ort.Tensor('int64', mask, [B, cap + S]),
    };
    for (let l = 0; l < L; l++) {
      feeds[`past_key_values.${l}.key`] = new ort.Tensor('float32', past.k[l]!, [B, nkv, cap, hd]);
      feeds[`past_key_values.${l}.value`] = new ort.Tensor('float32', past.v[l]!, [B, nkv, cap, hd]);
    }
    const one = B === 1 && this.step1 !== null;
    const out = await (one ? this.step1! : this.step).run(feeds);
    const kv: KvRows = { k: [], v: [], layout: one ? 'bsnh' : this.kvLayout };
    for (let l = 0; l < L; l++) {
      kv.k.push(out[`new.${l}.key`]!.data as Float32Array);
      kv.v.push(out[`new.${l}.value`]!.data as Float32Array);
    }
    return { logits: out.logits!.data as Float32Array, lse: out.logits_lse!.data as Float32Array, kv };
  }

  /** Empty per-layer K/V (cap 0) for a prefill of B rows. */
  emptyPast(): KvRows {
    const L = this.cfg.numLayers;
    return { k: Array.from({ length: L }, () => new Float32Array(0)), v: Array.from({ length: L }, () => new Float32Array(0)) };
  }

  async release(): Promise<void> {
    await Promise.all([this.step.release(), this.step1?.release(), this.full.release()]);
  }
}
