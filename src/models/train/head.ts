// The token log-prob head, forward and backward side by side (STYLE 6):
//   ℓ_t = log_softmax(z_t)[y_t]            z (..., V) logits, y (...) target ids
//   ∂ℓ_t/∂z_t = onehot(y_t) − softmax(z_t), so for any loss L with w_t = ∂L/∂ℓ_t:
//   dz_t = w_t·(onehot(y_t) − p_t)          (onnx-engine.md §5.3)
// The one-hot term is a ScatterElements add of w_t at y_t into −w_t·p_t, so no (…, V) one-hot is built.
import type { Graph, Value } from '../onnx/graph';
import * as op from '../onnx/ops';

export function tokenLogProbs(g: Graph, logits: Value, targets: Value) {
  // logits (..., V), targets (...) int64 → logp (...)
  const lsm = op.logSoftmax(g, logits, -1, 'log_softmax'); // (..., V)
  const idx = op.unsqueeze(g, targets, [-1]); // (..., 1)
  const logp = op.squeeze(g, op.gatherElements(g, lsm, idx, -1), [-1], 'logp');
  return { logp, saved: { lsm, idx } };
}

export function tokenLogProbsBackward(g: Graph, dlogp: Value, saved: ReturnType<typeof tokenLogProbs>['saved']) {
  // dlogp (...) = w_t → dlogits (..., V)
  const w = op.unsqueeze(g, dlogp, [-1]); // (..., 1)
  const base = op.neg(g, op.mul(g, w, op.exp(g, saved.lsm, 'probs')), 'd_logits_p'); // −w·p
  return { dlogits: op.scatterElementsAdd(g, base, saved.idx, w, -1, 'd_logits') };
}
