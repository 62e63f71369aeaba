// The decoder layers with inference-only fusions (`DecoderOptions.fused`), for the engine's graphs: the
// same math as the unfused stack in decoder.ts, in fewer ORT kernels per token:
//   1. one MatMul for q|k|v and one for gate|up (weights concatenated in-graph; ORT folds the Concat and
//      Transpose of the initializers once, at session load), then Split;
//   2. head-major q|k|v: one Reshape + Transpose of the q|k|v projection to (B, heads, S, hd), then one
//      com.microsoft.RotaryEmbedding over the q and k heads together (RoPE is per head; Qwen3, with its
//      q/k RMSNorm, keeps two), so q, k and v reach attention without a transpose each and the new
//      K/V leave in cache layout (B, nkv, S, hd) straight from the Split;
//   3. com.microsoft.SkipSimplifiedLayerNormalization for each residual add + the RMSNorm after it;
//   4. attention's 1/√hd folded into q's weights (q_norm's for Qwen3), kᵀ folded into FusedMatMul, and
//      the past/new split sizes computed once for all layers (groupedAttention);
//   5. optionally (`attnOp`, DecoderOptions.attention 'onnx') one ONNX Attention node (opset 23: GQA,
//      additive mask, past K/V inputs, scale 1) per layer on 3-D q|k|v instead of the MatMul/Softmax
//      chain; new K/V leave as (B, S, nkv·hd). ORT's CPU kernel copies past + new into its present
//      outputs every step, so it loses at large batches (bench/README.md).
// Items 2 and 4 and the folded output Identity nodes (graph.ts) took a decode step from 174 to 153 ORT
// kernels on tiny5m, 246 to 215 on small25m.
// No saved records: the trainer's backward uses the unfused stack.
import type { ModelConfig } from '../hf/config';
import type { Dim, Graph, Value } from '../onnx/graph';
import * as op from '../onnx/ops';
import { linear, rmsNorm, rope, type RopeInputs } from './layers';
import type { QuantLinear } from './quant';

type ParamFn = (name: string) => Value;

/** RoPE on head-major x (B, nh, S, hd); `r` as from `headMajorRope`. */
function ropeHeads(g: Graph, x: Value, r: RopeInputs, hint: string): Value {
  return r.kind === 'ms' ? op.msRotaryHeads(g, x, r.ids!, r.cos, r.sin, hint) : rope(g, x, r, hint).y;
}

/** The RoPE inputs for head-major tensors: the primitive (B, S, 1, hd) tables become (B, 1, S, hd); 'ms' caches are layout-free. */
function headMajorRope(g: Graph, r: RopeInputs): RopeInputs {
  if (r.kind === 'ms') return r;
  return { ...r, cos: op.transpose(g, r.cos, [0, 2, 1, 3], 'rope_cos_hm'), sin: op.transpose(g, r.sin, [0, 2, 1, 3], 'rope_sin_hm') };
}

/**
 * Causal GQA attention on head-major tensors: q (B, nq, S, hd) already scaled by 1/√hd, k and v
 * (B, nkv, S, hd) after RoPE, past k/v (B, nkv, cap, hd), bias (B, 1, 1, S, cap+S). The rep = nq/nkv
 * query heads of a kv head share a broadcast axis, (B, nkv, rep, S, ·) against (B, nkv, 1, ·, ·), so at
 * decode (S = 1) every product is one GEMV per (row, query head) straight over the cache (kᵀ folded
 * into FusedMatMul); a (rep·S)-row GEMM instead makes MLAS pack the cache's V block per head and step
 * (that MatMul profiled 1.7× slower at batch 32). The past is never concatenated: scores against past
 * and new are, and the probabilities are split. Returns (B, S, nq·hd).
 */
function groupedAttention(g: Graph, q: Value, k: Value, v: Value, bias: Value, past: { k: Value; v: Value } | null, splitSizes?: Value): Value {
  const [B, nq, S, hd] = q.shape as [Dim, number, Dim, number];
  const nkv = k.shape[1] as number;
  const q5 = op.reshape(g, q, [B, nkv, nq / nkv, S, hd], 'q5'); // (B, nkv, rep, S, hd)
  const kv5 = (x: Value) => op.unsqueeze(g, x, [2]); // (B, nkv, 1, ·, hd)
  const v5 = kv5(v);
  const sNew = op.matmulTransB(g, q5, kv5(k), 'scores_new'); // (B, nkv, rep, S, S)
  const scores = past ? op.concat(g, [op.matmulTransB(g, q5, kv5(past.k), 'scores_past'), sNew], -1, 'scores') : sNew;
  const probs = op.softmax(g, op.add(g, scores, bias, 'scores_masked'), -1, 'probs');
  let ctx: Value; // (B, nkv, rep, S, hd)
  if (past) {
    const sizes = splitSizes ?? op.concat(g, [op.dimOf(g, past.k, 2), op.dimOf(g, k, 2)], 0, 'split_sizes');
    const [pPast, pNew] = op.split(g, probs, -1, [past.k.shape[2]!, S], sizes);
    ctx = op.add(g, op.matmul(g, pPast!, kv5(past.v)), op.matmul(g, pNew!, v5), 'ctx');
  } else {
    ctx = op.matmul(g, probs, v5, 'ctx');
  }
  return op.reshape(g, op.transpose(g, op.reshape(g, ctx, [B, nq, S, hd], 'ctx_heads'), [0, 2, 1, 3]), [B, S, nq * hd], 'attn');
}

/**
 * The layer stack and final norm from the embeddings x (B, S, d): returns the final normed hidden states
 * (B, S, d) and the new K/V per layer (B, nkv, S, hd), as decoder.ts's unfused stack.
 */
export function fusedStack(g: Graph, cfg: ModelConfig, P: ParamFn, x: Value, ropeIn: RopeInputs, bias: Value, past: { k: Value; v: Value }[] | undefined, attnOp = false, quant?: QuantLinear) {
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
  // x Wᵀ + b over the named weights stacked along `out`, the first one times `scaleFirst` (float32 MatMul, or int8 with `quant`)
  const proj = (xin: Value, names: string[], bs: (Value | undefined)[], hint: string, scaleFirst = 1): Value => {
    const b = bs.every((v) => v !== undefined) ? (bs.length === 1 ? bs[0] : op.concat(g, bs as Value[], 0, `${hint}_bias`)) : undefined;
    if (quant) return quant(g, xin, names, { hint, scaleFirst, bias: b });
    const ws = names.map((n, i) => (i === 0 && scaleFirst !== 1 ? op.mul(g, P(n), g.scalar(scaleFirst, x.dtype), 'q_scale_fold') : P(n)));
    return linear(g, xin, ws.length === 1 ? ws[0]! : op.concat(g, ws, 0, `${hint}_w`), b, hint).y;
  };
  const splitSizes = past && !attnOp && g.scope('attn_split', () => op.concat(g, [op.dimOf(g, past[0]!.k, 2), op.dimOf(g, x, 1)], 0, 'split_sizes'));
  // ONNX Attention (opset 23) takes the bias as (B, 1, S, T)
  const bias4 = attnOp ? op.raw(g, 'Squeeze', [bias, g.ints([2])], { dtype: bias.dtype, shape: [B!, 1, S!, bias.shape[4]!] }) : bias;
  const ropeHd = attnOp ? ropeIn : g.scope('rope', () => headMajorRope(g, ropeIn));
  for (let l = 0; l < cfg.numLayers; l++) {
    const p = `model.layers.${l}.`;
    g.scope(`layers.${l}`, () => {
      const n1 = norm(P(`${p}input_layernorm.weight`), 'input_norm');
      const ab = (n: string) => bOpt(`${p}self_attn.${n}.bias`, cfg.qkvBias);
      // 1/√hd folded into q's weights (or q_norm's): RoPE and the matmuls are linear in q.
      const sc = (w: Value | undefined) => w && op.mul(g, w, scale, 'q_scale_fold');
      const bq = cfg.qkNorm ? ab('q_proj') : sc(ab('q_proj'));
      const qkv = proj(n1, ['q_proj', 'k_proj', 'v_proj'].map((n) => `${p}self_attn.${n}.weight`), [bq, ab('k_proj'), ab('v_proj')], 'qkv_proj', cfg.qkNorm ? 1 : 1 / Math.sqrt(hd));
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
        pending = proj(y!, [`${p}self_attn.o_proj.weight`], [bOpt(`${p}self_attn.o_proj.bias`, cfg.oBias)], 'o_proj');
        newKv.push({ k: k3, v: v3 });
      } else {
        // head-major q|k|v: one Reshape + Transpose for all heads, RoPE over q|k heads together
        const heads = op.transpose(g, op.reshape(g, qkv, [B!, S!, nq + 2 * nkv, hd], 'qkv4'), [0, 2, 1, 3], 'qkv_heads'); // (B, H, S, hd)
        if (!cfg.qkNorm) {
          const [qk, vh] = op.split(g, heads, 1, [nq + nkv, nkv]);
          [q, k] = op.split(g, ropeHeads(g, qk!, ropeHd, 'qk_rope'), 1, [nq, nkv]) as [Value, Value];
          v = vh!;
        } else {
          const [qh, kh, vh] = op.split(g, heads, 1, [nq, nkv, nkv]);
          q = ropeHeads(g, rmsNorm(g, qh!, sc(P(`${p}self_attn.q_norm.weight`))!, eps, 'q_norm').y, ropeHd, 'q_rope');
          k = ropeHeads(g, rmsNorm(g, kh!, P(`${p}self_attn.k_norm.weight`), eps, 'k_norm').y, ropeHd, 'k_rope');
          v = vh!;
        }
        const att = groupedAttention(g, q, k, v, bias, past ? past[l]! : null, splitSizes || undefined);
        pending = proj(att, [`${p}self_attn.o_proj.weight`], [bOpt(`${p}self_attn.o_proj.bias`, cfg.oBias)], 'o_proj');
        newKv.push({ k, v });
      }
      const n2 = norm(P(`${p}post_attention_layernorm.weight`), 'post_attn_norm');
      const m = (n: string) => `${p}mlp.${n}.weight`;
      const mb = (n: string) => bOpt(`${p}mlp.${n}.bias`, cfg.mlpBias);
      const ff = cfg.intermediateSize;
      const [gt, up] = op.split(g, proj(n2, [m('gate_proj'), m('up_proj')], [mb('gate_proj'), mb('up_proj')], 'gate_up'), -1, [ff, ff]);
      const h = op.mul(g, op.mul(g, gt!, op.sigmoid(g, gt!), 'silu'), up!, 'gated');
      pending = proj(h, [m('down_proj')], [mb('down_proj')], 'down');
    });
  }
  const y = g.scope('final', () => norm(P('model.norm.weight'), 'norm'));
  return { y, newKv };
}
