// The scalar value head of the reward model R_θ(x, y) of MARS²-T+ (papers.md §3.4), forward and backward
// side by side (STYLE 6), and its binary cross-entropy loss on the host:
//   z_b = w · h_{b, last(b)} + c        h (B, S, d) final normed hidden states, w (1, d), c (1)
//   p_b = σ(z_b)                        the probability that the candidate passes
//   L   = (1/B) Σ_b [softplus(z_b) − y_b·z_b],   y_b ∈ {0, 1}
//   ∂L/∂z_b = (σ(z_b) − y_b) / B
//   dh_{b,t} = [t = last(b)] · (∂L/∂z_b) w,  dw = Σ_b (∂L/∂z_b) h_{b,last(b)},  dc = Σ_b ∂L/∂z_b
// last(b) = the largest t with attention_mask[b, t] = 1 (right or left padding both work; a row with
// no 1 reads position 0). The row is picked with a one-hot (B, S) selector, so the backward scatters
// dz back with the same selector.
// Like the policy loss (loss.ts header) the BCE runs on the host over the graph's z: the graph takes
// dvalue = ∂L/∂z (B) as its upstream gradient.
// Departures:
//   1. papers.md §3.4 leaves the reward model's architecture and loss open; this is the pointwise choice
//      (labels = hidden-test pass/fail), not Bradley–Terry.
//   2. Parameters `score.weight` (1, d) and `score.bias` (1): HF's *ForSequenceClassification `score` has
//      no bias and picks the last non-pad token by pad_token_id rather than by the attention mask.
import type { ModelConfig } from '../hf/config';
import { paramSpecs, type ParamSpec } from '../arch/weights';
import { linear } from '../arch/layers';
import { linearBackward } from '../arch/backward';
import type { Graph, Value } from '../onnx/graph';
import * as op from '../onnx/ops';

/** The decoder's parameters without the LM head, plus the value head's. */
export function valueParamSpecs(cfg: ModelConfig): ParamSpec[] {
  return [
    ...paramSpecs(cfg).filter((s) => s.name !== 'lm_head.weight'),
    { name: 'score.weight', shape: [1, cfg.hiddenSize] },
    { name: 'score.bias', shape: [1] },
  ];
}

export function valueHead(g: Graph, hidden: Value, mask: Value, w: Value, b: Value) {
  // hidden (B, S, d), mask (B, S) int64, w (1, d), b (1) → logit (B)
  const S = op.squeeze(g, op.dimOf(g, mask, 1), [0]);
  const t = op.range(g, g.ints(0), S, g.ints(1), mask.shape[1]!, 'positions'); // (S)
  const last = op.reduceMax(g, op.mul(g, mask, t), [1], true, 'last_pos'); // (B, 1)
  const sel = op.cast(g, op.equal(g, t, last), hidden.dtype, 'last_onehot'); // (B, S)
  const hLast = op.squeeze(g, op.matmul(g, op.unsqueeze(g, sel, [1]), hidden), [1], 'last_hidden'); // (B, d)
  const lin = linear(g, hLast, w, b, 'score'); // (B, 1)
  return { logit: op.squeeze(g, lin.y, [-1], 'value_logit'), saved: { sel, x: lin.saved.x } };
}

export function valueHeadBackward(g: Graph, dlogit: Value, w: Value, saved: ReturnType<typeof valueHead>['saved']) {
  // dlogit (B) → dhidden (B, S, d), dw (1, d), db (1)
  const lin = linearBackward(g, op.unsqueeze(g, dlogit, [-1]), w, { x: saved.x }, true, 'score');
  const dh = op.mul(g, op.unsqueeze(g, saved.sel, [-1]), op.unsqueeze(g, lin.dx, [1]), 'd_last_hidden'); // (B, S, d)
  return { dx: dh, dw: lin.dw, db: lin.db! };
}

/** σ(z) without overflow for any finite z. */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** Mean binary cross-entropy of logits z against 0/1 labels, its gradient ∂L/∂z and the probabilities. */
export function bceLoss(logits: ArrayLike<number>, labels: ArrayLike<number>): { loss: number; dlogit: Float64Array; prob: Float64Array } {
  const B = logits.length;
  if (B === 0 || labels.length !== B) throw new Error(`bceLoss: ${B} logits and ${labels.length} labels; expected the same number ≥ 1`);
  const dlogit = new Float64Array(B), prob = new Float64Array(B);
  let loss = 0;
  for (let i = 0; i < B; i++) {
    const z = logits[i]!, y = labels[i]!;
    if (y !== 0 && y !== 1) throw new Error(`bceLoss: label[${i}] = ${y}; expected 0 or 1`);
    if (!Number.isFinite(z)) throw new Error(`bceLoss: logit[${i}] = ${z}; expected a finite number`);
    // softplus(z) − y·z = max(z, 0) − y·z + log1p(e^−|z|)
    loss += (Math.max(z, 0) - y * z + Math.log1p(Math.exp(-Math.abs(z)))) / B;
    prob[i] = sigmoid(z);
    dlogit[i] = (y === 1 ? -sigmoid(-z) : prob[i]!) / B; // σ(z) − 1 = −σ(−z), exact when saturated
  }
  return { loss, dlogit, prob };
}
