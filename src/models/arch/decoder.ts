// The decoder stack (Llama / Qwen2 / Qwen3) built from the layer functions, and the two inference graphs
// the engine runs. One builder serves every graph: `kv: 'delta'` takes the cache as read-only inputs and
// outputs only the new K/V rows (onnx-engine.md §3), `kv: 'none'` is the plain full forward (scoring,
// tests, training). Graph I/O names:
//   inputs  input_ids, position_ids (B, S) int64; attention_mask (B, cap+S) int64;
//           past_key_values.{l}.key|value (B, nkv, cap, hd)          [delta only]
//   outputs logits (B, V) last position | (B, S, V) all positions;
//           logits_lse (B) log Σ_v exp logits (B, v)                [last only: the raw log-prob's normalizer]
//           new.{l}.key|value (B, nkv, S, hd)                        [delta only]
import type { ModelConfig } from '../hf/config';
import { Graph, type DType, type Value } from '../onnx/graph';
import * as op from '../onnx/ops';
import { fusedStack } from './fused';
import { attention, attentionBias, embedding, linear, rmsNorm, rope, ropeInputs, swiglu } from './layers';
import type { QuantLinear } from './quant';
import { ropeTables } from './rope';

export interface DecoderOptions {
  kv: 'none' | 'delta';
  /** 'last': logits of the last position only (B, V); 'all': (B, S, V); 'hidden': final normed hidden states. */
  logits: 'last' | 'all' | 'hidden';
  rope?: 'ms' | 'primitive';
  dtype?: DType;
  /**
   * Inference-only kernel fusions (fused.ts: stacked q|k|v and gate|up MatMuls, one RoPE over q|k,
   * SkipSimplifiedLayerNormalization). Same math; no per-layer saved records, so never for training.
   * Default false: the standard one-op-per-projection graph (also what bench/tjs exports).
   */
  fused?: boolean;
  /**
   * Attention kernels (fused graphs only): 'primitive' (default) MatMul/Softmax over [past | new] scores
   * (layers.ts attention), new K/V out as (B, nkv, S, hd); 'onnx' one ONNX Attention node per layer
   * (opset 23, GQA, additive mask, past K/V as inputs), new K/V out as (B, S, nkv·hd).
   */
  attention?: 'primitive' | 'onnx';
  /** Int8 projections (quant.ts; inference graphs only): every q/k/v, o, gate/up, down and LM head MatMul becomes MatMulNBits. */
  quant?: QuantLinear;
}

export interface DecoderIO {
  inputIds: Value;
  positionIds: Value;
  attentionMask: Value;
  past?: { k: Value; v: Value }[];
}

type ParamFn = (name: string) => Value;

type Saved<F extends (...a: never[]) => { saved: unknown }> = ReturnType<F>['saved'];

/** What one layer keeps for its backward (../train builds the backward from it). */
export interface LayerSaved {
  n1: Saved<typeof rmsNorm>;
  /** input_layernorm's output (B, S, d): the input of q/k/v_proj. */
  attnIn: Value;
  qn?: Saved<typeof rmsNorm>;
  kn?: Saved<typeof rmsNorm>;
  att: Saved<typeof attention>;
  o: Saved<typeof linear>;
  n2: Saved<typeof rmsNorm>;
  mlp: Saved<typeof swiglu>;
}

/** Builds the decoder on `g` (fused or not, as `opts.fused`); returns logits (or hidden states) and new K/V per layer. */
export function buildDecoderOutputs(g: Graph, cfg: ModelConfig, P: ParamFn, io: DecoderIO, opts: DecoderOptions): { out: Value; newKv: { k: Value; v: Value }[] } {
  if (!opts.fused) {
    if (opts.attention === 'onnx') throw new Error("DecoderOptions.attention 'onnx' needs fused: true");
    return buildDecoder(g, cfg, P, io, opts);
  }
  const tables = ropeTables(cfg);
  const ropeIn = g.scope('rope', () => ropeInputs(g, io.positionIds, tables.invFreq, tables.attentionFactor, opts.rope ?? 'ms', opts.dtype ?? 'float32'));
  const bias = g.scope('mask', () => attentionBias(g, io.attentionMask, io.positionIds, opts.dtype ?? 'float32'));
  const emb = g.scope('embed', () => embedding(g, P('model.embed_tokens.weight'), io.inputIds));
  const st = fusedStack(g, cfg, P, emb.y, ropeIn, bias, io.past, opts.attention === 'onnx', opts.quant);
  return { out: g.scope('final', () => logitsHead(g, cfg, P, st.y, opts.logits, opts.quant)), newKv: st.newKv };
}

/** Builds the unfused decoder on `g`; returns logits (or hidden states), new K/V per layer and per-layer saved records. */
export function buildDecoder(g: Graph, cfg: ModelConfig, P: ParamFn, io: DecoderIO, opts: DecoderOptions) {
  const dtype = opts.dtype ?? 'float32';
  const { numHeads: nq, numKvHeads: nkv, headDim: hd, rmsNormEps: eps } = cfg;
  const tables = ropeTables(cfg);
  const ropeIn = g.scope('rope', () => ropeInputs(g, io.positionIds, tables.invFreq, tables.attentionFactor, opts.rope ?? 'ms', dtype));
  const bias = g.scope('mask', () => attentionBias(g, io.attentionMask, io.positionIds, dtype));
  const emb = g.scope('embed', () => embedding(g, P('model.embed_tokens.weight'), io.inputIds));
  if (opts.fused) throw new Error('buildDecoder: fused graphs keep no saved records; use buildDecoderOutputs');
  const [B, S] = io.inputIds.shape;
  let x = emb.y; // (B, S, d)
  const newKv: { k: Value; v: Value }[] = [];
  const saved: LayerSaved[] = [];
  const bOpt = (name: string, on: boolean) => (on ? P(name) : undefined);
  // x Wᵀ + b: a float32 MatMul (with the saved record the backward needs), or int8 with opts.quant
  const lin = (x: Value, name: string, b: Value | undefined, hint: string) => (opts.quant
    ? { y: opts.quant(g, x, [name], { hint, bias: b }), saved: { x } }
    : linear(g, x, P(name), b, hint));
  for (let l = 0; l < cfg.numLayers; l++) {
    const p = `model.layers.${l}.`;
    const out = g.scope(`layers.${l}`, () => {
      const n1 = rmsNorm(g, x, P(`${p}input_layernorm.weight`), eps, 'input_norm');
      const proj = (name: string, heads: number) => {
        const y = lin(n1.y, `${p}self_attn.${name}.weight`, bOpt(`${p}self_attn.${name}.bias`, cfg.qkvBias), name).y;
        return op.reshape(g, y, [B!, S!, heads, hd], `${name}4`); // (B, S, heads, hd)
      };
      let q = proj('q_proj', nq);
      let k = proj('k_proj', nkv);
      const v = proj('v_proj', nkv);
      let qn, kn;
      if (cfg.qkNorm) {
        qn = rmsNorm(g, q, P(`${p}self_attn.q_norm.weight`), eps, 'q_norm');
        kn = rmsNorm(g, k, P(`${p}self_attn.k_norm.weight`), eps, 'k_norm');
        q = qn.y;
        k = kn.y;
      }
      const qr = rope(g, q, ropeIn, 'q_rope');
      const kr = rope(g, k, ropeIn, 'k_rope');
      const att = attention(g, qr.y, kr.y, v, bias, io.past ? io.past[l]! : null);
      const o = lin(att.y, `${p}self_attn.o_proj.weight`, bOpt(`${p}self_attn.o_proj.bias`, cfg.oBias), 'o_proj');
      const h = op.add(g, x, o.y, 'resid_attn');
      const n2 = rmsNorm(g, h, P(`${p}post_attention_layernorm.weight`), eps, 'post_attn_norm');
      const mlpP = (n: string) => ({ w: `${p}mlp.${n}.weight`, b: bOpt(`${p}mlp.${n}.bias`, cfg.mlpBias) });
      const mlp = swiglu(g, n2.y, mlpP('gate_proj'), mlpP('up_proj'), mlpP('down_proj'), lin);
      const y = op.add(g, h, mlp.y, 'resid_mlp');
      const s: LayerSaved = { n1: n1.saved, attnIn: n1.y, qn: qn?.saved, kn: kn?.saved, att: att.saved, o: o.saved, n2: n2.saved, mlp: mlp.saved };
      return { y, kv: { k: att.kNew, v: att.vNew }, saved: s };
    });
    x = out.y;
    newKv.push(out.kv);
    saved.push(out.saved);
  }
  const final = g.scope('final', () => {
    const nf = rmsNorm(g, x, P('model.norm.weight'), eps, 'norm');
    return { y: logitsHead(g, cfg, P, nf.y, opts.logits, opts.quant), saved: nf.saved };
  });
  return { out: final.y, newKv, saved: { embed: emb.saved, rope: ropeIn, layers: saved, final: final.saved } };
}

/** From the final normed hidden states (B, S, d): themselves, or the logits of every / the last position. */
function logitsHead(g: Graph, cfg: ModelConfig, P: ParamFn, nf: Value, logits: DecoderOptions['logits'], quant?: QuantLinear): Value {
  if (logits === 'hidden') return nf;
  const xs = logits === 'last' ? op.gather(g, nf, g.ints(-1), 1, 'last_hidden') : nf; // (B, d) | (B, S, d)
  const head = cfg.tieWordEmbeddings ? 'model.embed_tokens.weight' : 'lm_head.weight';
  return quant ? quant(g, xs, [head], { hint: 'lm_head' }) : linear(g, xs, P(head), undefined, 'lm_head').y;
}

/** The inference graph: inputs and outputs as in the header; returns the serialized model. */
export function buildInferenceGraph(cfg: ModelConfig, P: (g: Graph) => ParamFn, opts: DecoderOptions): Uint8Array {
  const g = new Graph({ name: `${cfg.arch}_${opts.kv}_${opts.logits}`, opset: opts.attention === 'onnx' ? 23 : 21 });
  const dtype = opts.dtype ?? 'float32';
  const cap = opts.kv === 'delta' ? 'cap' : 0;
  const T = opts.kv === 'delta' ? 'cap+S' : 'S';
  const io: DecoderIO = {
    inputIds: g.input('input_ids', 'int64', ['B', 'S']),
    positionIds: g.input('position_ids', 'int64', ['B', 'S']),
    attentionMask: g.input('attention_mask', 'int64', ['B', T]),
  };
  if (opts.kv === 'delta') {
    io.past = [];
    for (let l = 0; l < cfg.numLayers; l++) {
      io.past.push({
        k: g.input(`past_key_values.${l}.key`, dtype, ['B', cfg.numKvHeads, cap, cfg.headDim]),
        v: g.input(`past_key_values.${l}.value`, dtype, ['B', cfg.numKvHeads, cap, cfg.headDim]),
      });
    }
  }
  const { out, newKv } = buildDecoderOutputs(g, cfg, P(g), io, opts);
  g.output(out, 'logits');
  if (opts.logits === 'last') g.output(op.reduceLogSumExp(g, out, [-1], false, 'lse'), 'logits_lse');
  if (opts.kv === 'delta') {
    newKv.forEach((kv, l) => {
      g.output(kv.k, `new.${l}.key`);
      g.output(kv.v, `new.${l}.value`);
    });
  }
  return g.toBytes();
}
