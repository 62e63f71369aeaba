// Decoder layers as graph-building functions. Each returns its output and a `saved` record of what its
// backward needs (STYLE 6; the trainer builds `*Backward` beside these from the same records). Shapes
// in comments: B batch, S new tokens, T = cap + S attended slots, d hidden, hd head dim.
//   RMSNorm   y = x / sqrt(mean(x²) + ε) · w
//   Linear    y = x Wᵀ + b            (W in HF's [out, in] layout)
//   RoPE      x' = x·cos + rotate_half(x)·sin      (HF convention, halves not interleaved)
//   Attention softmax(q kᵀ / √hd + mask) v, GQA by broadcasting kv heads over rep = nq/nkv query heads
//   SwiGLU    y = down(silu(gate(x)) · up(x))
import type { Graph, Value } from '../onnx/graph';
import * as op from '../onnx/ops';

export function embedding(g: Graph, w: Value, ids: Value) {
  // w (V, d), ids (B, S) → (B, S, d)
  const y = op.gather(g, w, ids, 0, 'embed');
  return { y, saved: { ids } };
}

export function linear(g: Graph, x: Value, w: Value, b?: Value, hint = 'linear') {
  // x (..., in), w (out, in) → (..., out)
  const wt = op.transpose(g, w, [1, 0], `${hint}_wT`);
  let y = op.matmul(g, x, wt, hint);
  if (b) y = op.add(g, y, b, `${hint}_b`);
  return { y, saved: { x } };
}

export function rmsNorm(g: Graph, x: Value, w: Value, eps: number, hint = 'norm') {
  // x (..., d), w (d) → y (..., d); invStd (..., 1)
  const { y, invStd } = op.simplifiedLayerNorm(g, x, w, eps, hint);
  return { y, saved: { x, invStd } };
}

export interface RopeInputs {
  /** 'ms': cos/sin caches (N, hd/2) indexed by `ids` (B, S), for com.microsoft.RotaryEmbedding. */
  kind: 'ms' | 'primitive';
  cos: Value;
  sin: Value;
  ids?: Value;
}

/**
 * RoPE cos/sin for the positions (B, S): angle = float(pos) · inv_freq, computed in-graph in float32
 * like transformers. 'primitive' gives (B, S, 1, hd) tables; 'ms' gives (B·S, hd/2) caches plus
 * row indices (B, S) for com.microsoft.RotaryEmbedding.
 */
export function ropeInputs(g: Graph, positionIds: Value, invFreq: Float32Array, attentionFactor: number, kind: 'ms' | 'primitive', dtype: Value['dtype']): RopeInputs {
  const h = invFreq.length;
  const inv = g.constant(dtype, [1, 1, h], Array.from(invFreq), 'inv_freq');
  const pos = op.unsqueeze(g, op.cast(g, positionIds, dtype, 'pos_f'), [-1]); // (B, S, 1)
  const ang = op.mul(g, pos, inv, 'rope_angle'); // (B, S, hd/2)
  let cos = op.cos(g, ang, 'rope_cos');
  let sin = op.sin(g, ang, 'rope_sin');
  if (attentionFactor !== 1) {
    const af = g.scalar(attentionFactor, dtype);
    cos = op.mul(g, cos, af, 'rope_cos_scaled');
    sin = op.mul(g, sin, af, 'rope_sin_scaled');
  }
  if (kind === 'primitive') {
    const full = (t: Value) => op.unsqueeze(g, op.concat(g, [t, t], -1), [2]); // (B, S, 1, hd)
    return { kind, cos: full(cos), sin: full(sin) };
  }
  const flat = (t: Value) => op.reshape(g, t, ['B*S', h], 'rope_cache');
  const n = op.raw(g, 'Size', [positionIds], { dtype: 'int64', shape: [] });
  const rows = op.range(g, g.ints(0), n, g.ints(1), 'B*S', 'rope_rows');
  const ids = op.raw(g, 'Reshape', [rows, op.shapeOf(g, positionIds)], { dtype: 'int64', shape: [...positionIds.shape] });
  return { kind, cos: flat(cos), sin: flat(sin), ids };
}

/** Applies RoPE to x (B, S, nh, hd). */
export function rope(g: Graph, x: Value, r: RopeInputs, hint = 'rope') {
  const [B, S, nh, hd] = x.shape;
  if (r.kind === 'ms') {
    const x3 = op.reshape(g, x, [B!, S!, (nh as number) * (hd as number)]);
    const y3 = op.msRotary(g, x3, r.ids!, r.cos, r.sin, nh as number, hint);
    return { y: op.reshape(g, y3, [B!, S!, nh!, hd!]), saved: {} };
  }
  const half = (hd as number) / 2;
  const [x1, x2] = op.split(g, x, -1, [half, half]);
  const rot = op.concat(g, [op.neg(g, x2!), x1!], -1, `${hint}_rot`);
  const y = op.add(g, op.mul(g, x, r.cos), op.mul(g, rot, r.sin), hint);
  return { y, saved: {} };
}

/**
 * Additive attention mask (B, 1, 1, S, T) from attention_mask (B, T) over [cache slots | new tokens] and
 * position_ids (B, S): key j is visible to query i iff mask[j] = 1 and keypos(j) ≤ pos(i), where
 * keypos = cumsum(mask) − 1 (cache slots hold positions 0.. in order).
 */
export function attentionBias(g: Graph, attentionMask: Value, positionIds: Value, dtype: Value['dtype']) {
  const kpos = op.sub(g, op.cumSum(g, attentionMask, 1, 'kpos_cs'), g.ints(1), 'kpos'); // (B, T)
  const causal = op.lessOrEqual(g, op.unsqueeze(g, kpos, [1]), op.unsqueeze(g, positionIds, [2]), 'causal'); // (B, S, T)
  const valid = op.unsqueeze(g, op.cast(g, attentionMask, 'bool'), [1]); // (B, 1, T)
  const allowed = op.and(g, causal, valid, 'allowed');
  const bias = op.where(g, allowed, g.scalar(0, dtype), g.scalar(dtype === 'float64' ? -1e300 : -3.0e38, dtype), 'mask_bias');
  return op.unsqueeze(g, bias, [1, 2]); // (B, 1, 1, S, T)
}

/**
 * Causal GQA attention over optional cached keys/values plus the S new ones.
 * q (B, S, nq, hd) and k, v (B, S, nkv, hd) after RoPE; past k/v (B, nkv, cap, hd); bias (B, 1, 1, S, cap+S).
 * Returns y (B, S, nq·hd) and the new k, v in cache layout (B, nkv, S, hd). The past is never
 * concatenated: scores against past and new are concatenated instead, and the probabilities split.
 */
export function attention(g: Graph, q: Value, k: Value, v: Value, bias: Value, past: { k: Value; v: Value } | null, hint = 'attn') {
  const [B, S, nq, hd] = q.shape as [string | number, string | number, number, number];
  const nkv = k.shape[2] as number;
  const rep = nq / nkv;
  const qs = op.mul(g, q, g.scalar(1 / Math.sqrt(hd), q.dtype), 'q_scaled');
  const qh = op.transpose(g, qs, [0, 2, 1, 3]); // (B, nq, S, hd)
  const q5 = op.reshape(g, qh, [B, nkv, rep, S, hd], 'q5'); // (B, nkv, rep, S, hd)
  const kNew = op.transpose(g, k, [0, 2, 1, 3], 'k_new'); // (B, nkv, S, hd)
  const vNew = op.transpose(g, v, [0, 2, 1, 3], 'v_new');
  const kT = (kk: Value) => op.transpose(g, op.unsqueeze(g, kk, [2]), [0, 1, 2, 4, 3]); // (B, nkv, 1, hd, ·)
  const sNew = op.matmul(g, q5, kT(kNew), 'scores_new'); // (B, nkv, rep, S, S)
  let scores = sNew;
  if (past) scores = op.concat(g, [op.matmul(g, q5, kT(past.k), 'scores_past'), sNew], -1, 'scores'); // (B, nkv, rep, S, T)
  const probs = op.softmax(g, op.add(g, scores, bias, 'scores_masked'), -1, 'probs');
  let out5: Value;
  if (past) {
    const sizes = op.concat(g, [op.dimOf(g, past.k, 2), op.dimOf(g, kNew, 2)], 0, 'split_sizes');
    const [pPast, pNew] = op.split(g, probs, -1, [past.k.shape[2]!, S], sizes);
    out5 = op.add(g, op.matmul(g, pPast!, op.unsqueeze(g, past.v, [2])), op.matmul(g, pNew!, op.unsqueeze(g, vNew, [2])), 'ctx5');
  } else {
    out5 = op.matmul(g, probs, op.unsqueeze(g, vNew, [2]), 'ctx5'); // (B, nkv, rep, S, hd)
  }
  const out4 = op.transpose(g, op.reshape(g, out5, [B, nq, S, hd]), [0, 2, 1, 3]); // (B, S, nq, hd)
  const y = op.reshape(g, out4, [B, S, nq * hd], hint);
  return { y, kNew, vNew, saved: { q5, kNew, vNew, probs } };
}

/** SwiGLU with the weights as values, or as names resolved by `lin` (decoder.ts: float32 or int8 projections). */
export function swiglu<W extends Value | string>(g: Graph, x: Value, gate: { w: W; b?: Value }, up: { w: W; b?: Value }, down: { w: W; b?: Value },
  lin: (x: Value, w: W, b: Value | undefined, hint: string) => { y: Value } = (xx, w, b, hint) => linear(g, xx, w as Value, b, hint)) {
  // x (B, S, d) → (B, S, d) through ff
  const gt = lin(x, gate.w, gate.b, 'gate');
  const u = lin(x, up.w, up.b, 'up');
  const silu = op.mul(g, gt.y, op.sigmoid(g, gt.y), 'silu');
  const h = op.mul(g, silu, u.y, 'gated');
  const dn = lin(h, down.w, down.b, 'down');
  return { y: dn.y, saved: { x, gate: gt.y, up: u.y, h } };
}
