// Parameters of a decoder under their HF names and [out, in] layouts, held in ONE float32 buffer that
// every session shares as ONNX external data ("weights.bin"), and that a training graph can take as
// zero-copy input views. `paramSpecs` lists what an architecture needs; `loadParams` fills the buffer
// from a model directory's safetensors (f32/f16/bf16 → f32); `bindParams` makes graph values of them.
import type { ModelConfig } from '../hf/config';
import { SafetensorsDir } from '../hf/safetensors';
import type { Graph, Value } from '../onnx/graph';

export interface ParamSpec {
  name: string;
  shape: number[];
}

/** Every parameter the architecture uses, in a fixed order. */
export function paramSpecs(cfg: ModelConfig): ParamSpec[] {
  const d = cfg.hiddenSize, hd = cfg.headDim, q = cfg.numHeads * hd, kv = cfg.numKvHeads * hd, ff = cfg.intermediateSize;
  const out: ParamSpec[] = [{ name: 'model.embed_tokens.weight', shape: [cfg.vocabSize, d] }];
  for (let l = 0; l < cfg.numLayers; l++) {
    const p = `model.layers.${l}.`;
    out.push({ name: `${p}input_layernorm.weight`, shape: [d] });
    out.push({ name: `${p}self_attn.q_proj.weight`, shape: [q, d] });
    if (cfg.qkvBias) out.push({ name: `${p}self_attn.q_proj.bias`, shape: [q] });
    out.push({ name: `${p}self_attn.k_proj.weight`, shape: [kv, d] });
    if (cfg.qkvBias) out.push({ name: `${p}self_attn.k_proj.bias`, shape: [kv] });
    out.push({ name: `${p}self_attn.v_proj.weight`, shape: [kv, d] });
    if (cfg.qkvBias) out.push({ name: `${p}self_attn.v_proj.bias`, shape: [kv] });
    out.push({ name: `${p}self_attn.o_proj.weight`, shape: [d, q] });
    if (cfg.oBias) out.push({ name: `${p}self_attn.o_proj.bias`, shape: [d] });
    if (cfg.qkNorm) {
      out.push({ name: `${p}self_attn.q_norm.weight`, shape: [hd] });
      out.push({ name: `${p}self_attn.k_norm.weight`, shape: [hd] });
    }
    out.push({ name: `${p}post_attention_layernorm.weight`, shape: [d] });
    for (const [n, shape] of [['gate_proj', [ff, d]], ['up_proj', [ff, d]], ['down_proj', [d, ff]]] as const) {
      out.push({ name: `${p}mlp.${n}.weight`, shape: [...shape] });
      if (cfg.mlpBias) out.push({ name: `${p}mlp.${n}.bias`, shape: [shape[0]] });
    }
  }
  out.push({ name: 'model.norm.weight', shape: [d] });
  if (!cfg.tieWordEmbeddings) out.push({ name: 'lm_head.weight', shape: [cfg.vocabSize, d] });
  return out;
}

export interface ParamEntry extends ParamSpec {
  /** Offset in float32 elements within the buffer (64-byte aligned). */
  offset: number;
  numel: number;
}

/** One float32 buffer with named, aligned slices. */
export class ParamStore {
  readonly entries = new Map<string, ParamEntry>();
  readonly data: Float32Array;

  constructor(specs: ParamSpec[], data?: Float32Array) {
    let off = 0;
    for (const s of specs) {
      const numel = s.shape.reduce((a, b) => a * b, 1);
      this.entries.set(s.name, { ...s, offset: off, numel });
      off += Math.ceil(numel / 16) * 16;
    }
    if (data && data.length !== off) throw new Error(`ParamStore: buffer has ${data.length} floats, layout needs ${off}`);
    this.data = data ?? new Float32Array(off);
  }

  entry(name: string): ParamEntry {
    const e = this.entries.get(name);
    if (!e) throw new Error(`parameter '${name}' is not part of this model`);
    return e;
  }

  /** A zero-copy view of one parameter. */
  view(name: string): Float32Array {
    const e = this.entry(name);
    return this.data.subarray(e.offset, e.offset + e.numel);
  }

  /** The buffer as bytes, for ORT's `externalData`. */
  bytes(): Uint8Array {
    return new Uint8Array(this.data.buffer, this.data.byteOffset, this.data.byteLength);
  }

  /** Total parameter count (without alignment padding). */
  get count(): number {
    let n = 0;
    for (const e of this.entries.values()) n += e.numel;
    return n;
  }
}

/** Loads every parameter of `cfg` from `dir`'s safetensors, checking names and shapes. */
export function loadParams(dir: string, cfg: ModelConfig): ParamStore {
  const st = new SafetensorsDir(dir);
  const store = new ParamStore(paramSpecs(cfg));
  for (const e of store.entries.values()) {
    const info = st.info(e.name);
    if (info.shape.join(',') !== e.shape.join(',')) {
      throw new Error(`${info.file}: tensor '${e.name}' has shape [${info.shape.join(', ')}], config.json implies [${e.shape.join(', ')}]`);
    }
    st.float32(e.name, store.view(e.name));
  }
  st.release();
  return store;
}

export const WEIGHTS_LOCATION = 'weights.bin';

/** Graph values for parameters: initializers pointing into the store's buffer, or graph inputs. */
export function bindParams(g: Graph, store: ParamStore, mode: 'initializer' | 'input' = 'initializer'): (name: string) => Value {
  const bound = new Map<string, Value>();
  return (name) => {
    const hit = bound.get(name);
    if (hit) return hit;
    const e = store.entry(name);
    const v = mode === 'input'
      ? g.input(name, 'float32', e.shape)
      : g.initializer(name, 'float32', e.shape, { external: { location: WEIGHTS_LOCATION, offset: e.offset * 4, length: e.numel * 4 } });
    bound.set(name, v);
    return v;
  };
}
