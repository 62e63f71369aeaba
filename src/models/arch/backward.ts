// Backward graphs of the decoder layers in layers.ts, one per forward and in the same order, each taking
// the upstream gradient and the forward's `saved` record (STYLE 6). Formulas: onnx-engine.md §5.3.
// Shapes in comments: B batch, S tokens, N = B·S rows, d hidden, hd head dim, V vocabulary.
//   Embedding  h = E[ids]                dE = scatter-add of dh into the rows ids (duplicates accumulate)
//   Linear     y = x Wᵀ + b              dx = dy W,  dW = dyᵀ x (summed over rows),  db = Σ_rows dy
//   RMSNorm    y = w ⊙ x·r, r = (mean(x²)+ε)^-½
//                                        dw = Σ_rows dy ⊙ x·r,  g = dy ⊙ w,  dx = r·g − x·r³·mean(g ⊙ x)
//   RoPE       y = x⊙cos + rot(x)⊙sin    dx = dy⊙cos − rot(dy)⊙sin   (the forward with sin negated)
//   Attention  S = q̃ kᵀ + M, q̃ = q/√hd, P = softmax(S), O = P v
//                                        dP = dO vᵀ, dS = P ⊙ (dP − rowsum(dP ⊙ P)),
//                                        dq = dS k /√hd,  dk = Σ_rep dSᵀ q̃,  dv = Σ_rep Pᵀ dO
//   SwiGLU     y = down(silu(g) ⊙ u), g = gate(x), u = up(x)
//                                        du = dh ⊙ silu(g),  dg = dh ⊙ u ⊙ σ(g)(1 + g(1 − σ(g)))
// Every function returns gradients; the caller adds them where a value fans out (residuals, q/k/v
// sharing one input, the tied embedding).
// Departures from the forward:
//   1. rmsNormBackward recomputes r from x when the saved inv_std is float32 but x is not (ORT has no
//      float64 SimplifiedLayerNormalization with a float64 inv_std).
//   2. attentionBackward covers the full forward without a KV cache (training graphs only).
import type { Graph, Value } from '../onnx/graph';
import * as op from '../onnx/ops';
import { rope, type RopeInputs, type attention, type embedding, type linear, type rmsNorm, type swiglu } from './layers';

type Saved<F extends (...a: never[]) => { saved: unknown }> = ReturnType<F>['saved'];

/** (..., k) → (N, k): the row view a weight gradient sums over. */
function rows(g: Graph, x: Value): Value {
  return op.reshape(g, x, ['N', x.shape[x.shape.length - 1]!], 'rows');
}

export function embeddingBackward(g: Graph, dy: Value, saved: Saved<typeof embedding>, vocab: number) {
  // dy (B, S, d), ids (B, S) → dw (V, d)
  const d = dy.shape[dy.shape.length - 1] as number;
  const zeros = op.filled(g, [vocab, d], 0, dy.dtype, 'd_embed_zero');
  const idx = op.unsqueeze(g, saved.ids, [-1]); // (B, S, 1)
  return { dw: op.scatterNDAdd(g, zeros, idx, dy, 'd_embed') };
}

export function linearBackward(g: Graph, dy: Value, w: Value, saved: Saved<typeof linear>, hasBias: boolean, hint = 'linear') {
  // dy (..., out), w (out, in), x (..., in) → dx (..., in), dw (out, in), db (out)
  const dx = op.matmul(g, dy, w, `d_${hint}_x`);
  const dy2 = rows(g, dy);
  const dw = op.gemm(g, dy2, rows(g, saved.x), { transA: true }, `d_${hint}_w`);
  const db = hasBias ? op.reduceSum(g, dy2, [0], false, `d_${hint}_b`) : undefined;
  return { dx, dw, db };
}

export function rmsNormBackward(g: Graph, dy: Value, w: Value, saved: Saved<typeof rmsNorm>, eps: number, hint = 'norm') {
  // dy, x (..., d), w (d), r (..., 1) → dx (..., d), dw (d)
  const { x } = saved;
  const r = saved.invStd.dtype === x.dtype
    ? saved.invStd
    : op.reciprocal(g, op.sqrt(g, op.add(g, op.reduceMean(g, op.mul(g, x, x), [-1]), g.scalar(eps, x.dtype))), `${hint}_r`);
  const xr = op.mul(g, x, r);
  const dw = op.reduceSum(g, rows(g, op.mul(g, dy, xr)), [0], false, `d_${hint}_w`);
  const gw = op.mul(g, dy, w);
  const m = op.reduceMean(g, op.mul(g, gw, x), [-1]); // (..., 1)
  const r3m = op.mul(g, op.mul(g, op.mul(g, r, r), r), m);
  const dx = op.sub(g, op.mul(g, gw, r), op.mul(g, x, r3m), `d_${hint}_x`);
  return { dx, dw };
}

export function ropeBackward(g: Graph, dy: Value, r: RopeInputs, hint = 'rope') {
  // dy (B, S, nh, hd) → dx (B, S, nh, hd): rotation by the negated angle
  return { dx: rope(g, dy, { ...r, sin: op.neg(g, r.sin, `${hint}_neg_sin`) }, `d_${hint}`).y };
}

export function attentionBackward(g: Graph, dy: Value, saved: Saved<typeof attention>) {
  // dy (B, S, nq·hd); q5 (B, nkv, rep, S, hd) scaled; k, v (B, nkv, S, hd); P (B, nkv, rep, S, S)
  //   → dq (B, S, nq, hd), dk, dv (B, S, nkv, hd), in the layouts attention() took them
  const { q5, kNew, vNew, probs } = saved;
  const [B, nkv, rep, S, hd] = q5.shape as [string | number, number, number, string | number, number];
  const nq = nkv * rep;
  const tr = (x: Value) => op.transpose(g, x, [0, 1, 2, 4, 3]);
  const k5 = op.unsqueeze(g, kNew, [2]); // (B, nkv, 1, S, hd)
  const v5 = op.unsqueeze(g, vNew, [2]);
  const dO4 = op.transpose(g, op.reshape(g, dy, [B, S, nq, hd]), [0, 2, 1, 3]); // (B, nq, S, hd)
  const dO5 = op.reshape(g, dO4, [B, nkv, rep, S, hd], 'd_ctx5');
  const dP = op.matmul(g, dO5, tr(v5), 'd_probs'); // (B, nkv, rep, S, S)
  const dv = op.reduceSum(g, op.matmul(g, tr(probs), dO5), [2], false, 'd_v_heads'); // (B, nkv, S, hd)
  const dS = op.mul(g, probs, op.sub(g, dP, op.reduceSum(g, op.mul(g, dP, probs), [-1])), 'd_scores');
  const dq5 = op.matmul(g, dS, k5, 'd_q5'); // (B, nkv, rep, S, hd), w.r.t. the scaled q
  const dk = op.reduceSum(g, op.matmul(g, tr(dS), q5), [2], false, 'd_k_heads'); // (B, nkv, S, hd)
  const scale = g.scalar(1 / Math.sqrt(hd), dy.dtype);
  const dq = op.transpose(g, op.reshape(g, op.mul(g, dq5, scale), [B, nq, S, hd]), [0, 2, 1, 3], 'd_q'); // (B, S, nq, hd)
  return {
    dq,
    dk: op.transpose(g, dk, [0, 2, 1, 3], 'd_k'), // (B, S, nkv, hd)
    dv: op.transpose(g, dv, [0, 2, 1, 3], 'd_v'),
  };
}

interface Proj { w: Value; b?: Value }

export function swigluBackward(g: Graph, dy: Value, gate: Proj, up: Proj, down: Proj, saved: Saved<typeof swiglu>) {
  // dy (B, S, d); gate/up outputs, h (B, S, ff) → dx (B, S, d) and per-projection { dw, db }
  const dn = linearBackward(g, dy, down.w, { x: saved.h }, !!down.b, 'down');
  const sg = op.sigmoid(g, saved.gate);
  const silu = op.mul(g, saved.gate, sg);
  const du = op.mul(g, dn.dx, silu, 'd_up_out');
  const one = g.scalar(1, dy.dtype);
  const dsilu = op.mul(g, sg, op.add(g, one, op.mul(g, saved.gate, op.sub(g, one, sg)))); // σ(g)(1 + g(1 − σ(g)))
  const dgt = op.mul(g, op.mul(g, dn.dx, saved.up), dsilu, 'd_gate_out');
  const gb = linearBackward(g, dgt, gate.w, { x: saved.x }, !!gate.b, 'gate');
  const ub = linearBackward(g, du, up.w, { x: saved.x }, !!up.b, 'up');
  return {
    dx: op.add(g, gb.dx, ub.dx, 'd_mlp_x'),
    gate: { dw: gb.dw, db: gb.db },
    up: { dw: ub.dw, db: ub.db },
    down: { dw: dn.dw, db: dn.db },
  };
}
