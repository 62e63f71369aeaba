// Loss heads: from the training graph's per-token log-probs ℓ (B, S) to the loss and the per-token
// weight w_t = ∂L/∂ℓ_t that the graph's backward takes as `dlogp` (graph.ts).
//   SFT   L = −(1/M) Σ_t m_t ℓ_t,  M = Σ_t m_t (masked token cross-entropy, mean over loss tokens)
//         w_t = −m_t / M
//   RL    GSPO (+TIS, k3 KL) and plain GRPO exactly as src/rl/loss.ts, which is the reference: its
//         `dlogp` is used as w_t unchanged.
// The heads run on the host over ℓ, not in the graph (a departure from heads inside the graph):
//   1. Cost: the head is O(B·S) scalar work against O(params·B·S) in the graph.
//   2. One reference: the RL loss (clip branches, TIS veto, sequence/batch means, metrics) exists once,
//      in src/rl/loss.ts, already checked by its property and finite-difference tests; an ONNX copy would
//      be a second implementation to keep in step.
//   3. The price: w_t depends on ℓ at the current θ, so ℓ must be known before the fwd+bwd run. When a
//      rollout batch gets one optimizer step (gradient accumulation over micro-batches), θ = θ_old and ℓ
//      is the ℓ_old the trainer computes anyway; further steps on the same batch need one extra forward
//      (~1/3 of a step). SFT weights do not depend on ℓ at all.
import { gspoLoss, grpoLoss, type PolicyLossConfig, type PolicyLossResult, defaultPolicyLossConfig } from '../../rl/loss';

export interface HeadResult {
  loss: number;
  /** (B·S) row-major ∂L/∂ℓ_t; 0 where the token does not count. */
  dlogp: Float64Array;
}

/** Masked token cross-entropy: logp and mask (B·S) row-major; mean over the tokens with mask 1. */
export function sftLoss(logp: ArrayLike<number>, mask: ArrayLike<number>): HeadResult & { tokens: number } {
  if (logp.length !== mask.length) throw new Error(`sftLoss: logp has ${logp.length} values, mask ${mask.length}; expected equal (B·S)`);
  let tokens = 0;
  for (let i = 0; i < mask.length; i++) {
    if (mask[i] !== 0 && mask[i] !== 1) throw new Error(`sftLoss: mask[${i}] = ${mask[i]}; expected 0 or 1`);
    tokens += mask[i]!;
  }
  const dlogp = new Float64Array(logp.length);
  let loss = 0;
  if (tokens === 0) return { loss, dlogp, tokens };
  for (let i = 0; i < logp.length; i++) {
    if (mask[i] === 0) continue;
    loss -= logp[i]! / tokens;
    dlogp[i] = -1 / tokens;
  }
  return { loss, dlogp, tokens };
}

/** Per-row inputs of the RL loss; each array (S) aligned with the graph's logp row (targets positions). */
export interface PolicyRow {
  oldLogp: ArrayLike<number>;
  rolloutLogp: ArrayLike<number>;
  refLogp: ArrayLike<number>;
  /** 1 at completion (action) tokens, 0 at prompt and padding. */
  mask: ArrayLike<number>;
  advantage: number;
}

/** GSPO or GRPO over the graph's logp (B·S row-major), via src/rl/loss.ts. */
export function policyLoss(kind: 'gspo' | 'grpo', logp: ArrayLike<number>, rows: readonly PolicyRow[], config: PolicyLossConfig = defaultPolicyLossConfig): HeadResult & { result: PolicyLossResult } {
  const B = rows.length;
  if (B === 0 || logp.length % B !== 0) throw new Error(`policyLoss: logp has ${logp.length} values for ${B} rows; expected B·S`);
  const S = logp.length / B;
  const batch = rows.map((r, b) => ({ ...r, logp: Array.from({ length: S }, (_, t) => logp[b * S + t]!) }));
  const result = (kind === 'gspo' ? gspoLoss : grpoLoss)(batch, config);
  const dlogp = new Float64Array(B * S);
  result.dlogp.forEach((row, b) => row.forEach((w, t) => (dlogp[b * S + t] = w)));
  return { loss: result.loss, dlogp, result };
}
