// The decoder layers with inference-only fusions (`DecoderOptions.fused`), for the engine's graphs: the
// same math as the unfused stack in decoder.ts, in fewer ORT kernels per token:
//   1. one MatMul for q|k|v and one for gate|up (weights concatenated in-graph; ORT folds the Concat and
//      Transpose of the initializers once, at session load), then Split;
//   2. one com.microsoft.RotaryEmbedding over q|k together (RoPE is per head, so q and k heads can share
//      one call) when there is no q/k RMSNorm (Qwen3 keeps two);
//   3. com.microsoft.SkipSimplifiedLayerNormalization for each residual add + the RMSNorm after it;
//   4. attention's 1/√hd folded into q's weights (q_norm's for Qwen3), and the past/new split sizes
//      computed once for all layers;
//   5. optionally (`attnOp`, DecoderOptions.attention 'onnx') one ONNX Attention node (opset 23: GQA,
//      additive mask, past K/V inputs, scale 1) per layer on 3-D q|k|v instead of the MatMul/Softmax
//      chain with its transposes (174 → 88 ORT kernels per decode step on tiny5m); new K/V leave as
//      (B, S, nkv·hd). ORT's CPU kernel copies past + new into its present outputs every step, so it
//      wins at batch 1 and loses at large batches (bench/README.md).
// No saved records: the trainer's backward uses the unfused stack.
import type { ModelConfig } from '../hf/config';
import type { Graph, Value } from '../onnx/graph';
import * as op from '../onnx/ops';
import { attention, linear, rmsNorm, rope, type RopeInputs } from './layers';

type ParamFn = (name: string) => Value;

/** x Wᵀ (+ b) for several [out, in] weights stacked along `out`: (…, in) → (…, Σ out). */
function stackedLinear(g: Graph, x: Value, ws: Value[], bs: (Value | undefined)[], hint: string): Value {
  const w = op.concat(g, ws, 0, `${hint}_w`);
  const b = bs.every((v) => v !== undefined) ? op.concat(g, bs as Value[], 0, `${hint}_bias`) : undefined;
  return linear(g, x, w, b, hint).y;
}

/** RoPE on x (B, S, nh·hd) → (B, S, nh, hd). */
function rope3(g: Graph, x: Value, nh: number, hd: number, r: RopeInputs, hint: string): Value {
  const [B, S] = x.shape;
  if (r.kind === 'ms') return op.reshape(g, op.msRotary(g, x, r.ids!, r.cos, r.sin, nh, hint), [B!, S!, nh, hd]);
  return rope(g, op.reshape(g, x, [B!, S!, nh, hd]), r, hint).y;
}

/**
 * The layer stack and final norm from the embeddings x (B, S, d): returns the final normed hidden states
 * (B, S, d) and the new K/V per layer (B, nkv, S, hd), as decoder.ts's unfused stack.
 */
export function fusedStack(g: Graph, cfg: ModelConfig, P: ParamFn, x: Value, ropeIn: RopeInputs, bias: Value, past: { k: Value; v: Value }[] | undefined, attnOp = false) {
  const { numHeads: nq, numKvHeads: nkv, headDim: hd, rmsNormEps: eps } = cfg;
  const [B, S] = x.shape;
  let resid = x;
  let pending: Value | null = null; // a branch output not yet added to `resid`
  const norm = (w: Value, hint: string) => {
    if (!pending) return rmsNorm(g, resid, w, eps, hint).y;
    const r = op.skipSimplifiedLayerNorm(g, resid, pending, w, eps, hint);
    resid = r.sum;
    pending = null;
    return r.y;
  };
  const bOpt = (name: string, on: boolean) => (on ? P(name) : undefined);
  const newKv: { k: Value; v: Value }[] = [];
  const scale = g.scalar(1 / Math.sqrt(hd), x.dtype);
  const splitSizes = past && !attnOp && g.scope('attn_split', () => op.concat(g, [op.dimOf(g, past[0]!.k, 2), op.dimOf(g, x, 1)], 0, 'split_sizes'));
  // ONNX Attention (opset 23) takes the bias as (B, 1, S, T)
  const bias4 = attnOp ? op.raw(g, 'Squeeze', [bias, g.ints([2])], { dtype: bias.dtype, shape: [B!, 1, S!, bias.shape[4]!] }) : bias;
  for (let l = 0; l < cfg.numLayers; l++) {
    const p = `model.layers.${l}.`;
    g.scope(`layers.${l}`, () => {
      const n1 = norm(P(`${p}input_layernorm.weight`), 'input_norm');
      const a = (n: string) => P(`${p}self_attn.${n}.weight`);
      const ab = (n: string) => bOpt(`${p}self_attn.${n}.bias`, cfg.qkvBias);
      // 1/√hd folded into q's weights (or q_norm's): RoPE and the matmuls are linear in q.
      const sc = (w: Value | undefined) => w && op.mul(g, w, scale, 'q_scale_fold');
      const wq = cfg.qkNorm ? a('q_proj') : sc(a('q_proj'))!;
      const bq = cfg.qkNorm ? ab('q_proj') : sc(ab('q_proj'));
      const qkv = stackedLinear(g, n1, [wq, a('k_proj'), a('v_proj')], [bq, ab('k_proj'), ab('v_proj')], 'qkv_proj');
      let q: Value, k: Value, v: Value;
      if (attnOp) {
        // 3-D q|k|v (B, S, heads·hd) straight into ONNX Attention; new K/V leave in (B, S, nkv·hd)
        let q3: Value, k3: Value, v3: Value;
        if (!cfg.qkNorm && ropeIn.kind === 'ms') {
          const [qk, vv] = op.split(g, qkv, -1, [(nq + nkv) * hd, nkv * hd]);
          [q3, k3] = op.split(g, op.msRotary(g, qk!, ropeIn.ids!, ropeIn.cos, ropeIn.sin, nq + nkv, 'qk_rope'), -1, [nq * hd, nkv * hd]) as [Value, Value];
          v3 = vv!;
        } else {
          const [qa, ka, va] = op.split(g, qkv, -1, [nq * hd, nkv * hd, nkv * hd]);
          let q4 = op.reshape(g, qa!, [B!, S!, nq, hd]);
          let k4 = op.reshape(g, ka!, [B!, S!, nkv, hd]);
          if (cfg.qkNorm) {
            q4 = rmsNorm(g, q4, sc(P(`${p}self_attn.q_norm.weight`))!, eps, 'q_norm').y;
            k4 = rmsNorm(g, k4, P(`${p}self_attn.k_norm.weight`), eps, 'k_norm').y;
          }
          q3 = op.reshape(g, rope(g, q4, ropeIn, 'q_rope').y, [B!, S!, nq * hd]);
          k3 = op.reshape(g, rope(g, k4, ropeIn, 'k_rope').y, [B!, S!, nkv * hd]);
          v3 = va!;
        }
        const ins = past ? [q3, k3, v3, bias4, past[l]!.k, past[l]!.v] : [q3, k3, v3, bias4];
        // ORT's CPU kernel wants the present K/V outputs when a past is given (they stay inside the graph)
        const T = past ? 'cap+S' : S!;
        const [y] = g.node('Attention', ins, [
          { dtype: x.dtype, shape: [B!, S!, nq * hd], hint: 'attn' },
          ...(past ? [{ dtype: x.dtype, shape: [B!, nkv, T, hd], hint: 'present_k' }, { dtype: x.dtype, shape: [B!, nkv, T, hd], hint: 'present_v' }] : []),
        ], { q_num_heads: nq, kv_num_heads: nkv, scale: { float: 1 } });
        pending = linear(g, y!, P(`${p}self_attn.o_proj.weight`), bOpt(`${p}self_attn.o_proj.bias`, cfg.oBias), 'o_proj').y;
        newKv.push({ k: k3, v: v3 });
      } else if (!cfg.qkNorm) {
        const [qk, v3] = op.split(g, qkv, -1, [(nq + nkv) * hd, nkv * hd]);
        [q, k] = op.split(g, rope3(g, qk!, nq + nkv, hd, ropeIn, 'qk_rope'), 2, [nq, nkv]) as [Value, Value];
        v = op.reshape(g, v3!, [B!, S!, nkv, hd], 'v_proj4');
      } else {
        const [q3, k3, v3] = op.split(g, qkv, -1, [nq * hd, nkv * hd, nkv * hd]);
        const qn = rmsNorm(g, op.reshape(g, q3!, [B!, S!, nq, hd]), sc(P(`${p}self_attn.q_norm.weight`))!, eps, 'q_norm').y;
        const kn = rmsNorm(g, op.reshape(g, k3!, [B!, S!, nkv, hd]), P(`${p}self_attn.k_norm.weight`), eps, 'k_norm').y;
        q = rope(g, qn, ropeIn, 'q_rope').y;
        k = rope(g, kn, ropeIn, 'k_rope').y;
        v = op.reshape(g, v3!, [B!, S!, nkv, hd], 'v_proj4');
      }
      if (!attnOp) {
        const att = attention(g, q!, k!, v!, bias, past ? past[l]! : null, 'attn', { qScaled: true, splitSizes: splitSizes || undefined });
        pending = linear(g, att.y, P(`${p}self_attn.o_proj.weight`), bOpt(`${p}self_attn.o_proj.bias`, cfg.oBias), 'o_proj').y;
        newKv.push({ k: att.kNew, v: att.vNew });
      }
      const n2 = norm(P(`${p}post_attention_layernorm.weight`), 'post_attn_norm');
      const m = (n: string) => P(`${p}mlp.${n}.weight`);
      const mb = (n: string) => bOpt(`${p}mlp.${n}.bias`, cfg.mlpBias);
      const ff = cfg.intermediateSize;
      const [gt, up] = op.split(g, stackedLinear(g, n2, [m('gate_proj'), m('up_proj')], [mb('gate_proj'), mb('up_proj')], 'gate_up'), -1, [ff, ff]);
      const h = op.mul(g, op.mul(g, gt!, op.sigmoid(g, gt!), 'silu'), up!, 'gated');
      pending = linear(g, h, m('down_proj'), mb('down_proj'), 'down').y;
    });
  }
  const y = g.scope('final', () => norm(P('model.norm.weight'), 'norm'));
  return { y, newKv };
}
