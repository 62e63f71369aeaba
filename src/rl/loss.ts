// Reference policy losses, in float64 over plain arrays, with their exact gradient with respect to each
// token log-prob ℓ_t = log π_θ(o_t | ·). The trainer's ONNX graphs are checked against these.
// Spec: research/papers.md §2.10 (MARTI-v2's shipped settings), §4.3.
//
// GSPO (arXiv 2507.18071 eq. 5–7) with TIS (Yao et al., "Your efficient RL framework secretly brings you
// off-policy RL training") and a k3 KL penalty, per sequence k with action tokens o_k (mask = 1), n = |o_k|:
//   s_k   = exp( (1/n) Σ_t (ℓ_t − ℓ_t^b) ),   ℓ^b = ℓ^roll with TIS on, ℓ^old with TIS off
//   P_k   = −min( s_k·Â_k, clip(s_k, 1 − ε_lo, 1 + ε_hi)·Â_k )
//   w_t   = min( exp(ℓ_t^old − ℓ_t^roll), threshold ),  all w_t = 0 if any exp(ℓ^old − ℓ^roll) < veto
//   KL_t  = clamp( exp(ℓ_t^ref − ℓ_t) − (ℓ_t^ref − ℓ_t) − 1, −10, 10 )          (k3)
//   L_k   = (1/n) Σ_t w_t·P_k + β·(1/n) Σ_t KL_t
//   L     = (1/B) Σ_k L_k                                  (sequence mean, then batch mean)
// Plain GRPO (DeepSeekMath, arXiv 2402.03300 eq. 3), token level: r_t = exp(ℓ_t − ℓ_t^old) and
//   P_t = −min( r_t·Â_k, clip(r_t, 1 − ε_lo, 1 + ε_hi)·Â_k ),  L_k = (1/n) Σ_t w_t·P_t + β·(1/n) Σ_t KL_t,
// with the same TIS weight (OpenRLHF's `ppo` loss with vLLM IS correction) and the same aggregation.
// Gradients flow through ℓ only: ℓ^old, ℓ^roll, ℓ^ref and w are constants (detached in the code).
// Defaults are MARTI's MARS² scripts: ε_lo = ε_hi = 0.2, threshold 2, veto 1e−4, β = 1e−3.
//
// Departures from MARTI/OpenRLHF (marti/models/loss.py, marti/trainer/ray/ppo_actor.py):
// 1. A sequence with no action tokens is left out: it adds nothing and is not counted in B (MARTI's
//    masked_mean divides 0 by 0). A batch with none gives loss 0 and zero gradients.
// 2. The KL term is a token mean per sequence, then a batch mean, like the policy term. MARTI takes a
//    token mean over each micro-batch; with the micro_train_batch_size = 1 its scripts require, the two
//    are the same.
// 3. The TIS veto looks at action tokens only (mask = 1); masked positions are never read, so any
//    value there (even NaN) contributes nothing.
// 4. Only what the MARS² scripts use: no dual clip, no ICEPOP/MIS masking, no GSPO-token variant, no
//    entropy bonus, no DAPO token-mean aggregation.
// 5. `clipFraction` counts action tokens whose clipped branch is strictly smaller (OpenRLHF's
//    `clip_ratio`, lt(surr2, surr1)); under GSPO every token of a clipped sequence counts.
// 6. TIS weights under GSPO follow papers.md §2.10. MARTI's own loss.py could not be read; one OpenRLHF
//    fork seen applies the TIS weight to the `ppo` loss only, while keeping ℓ^roll as GSPO's ratio base.

/** One sequence's inputs; all arrays have the same length T (the action positions of the sample). */
export interface SequenceInput {
  /** (T) current policy log-probs ℓ_t: the variable the gradient is taken with respect to. */
  logp: ArrayLike<number>;
  /** (T) log-probs of the training engine before this update. */
  oldLogp: ArrayLike<number>;
  /** (T) behaviour log-probs recorded by the generation engine at rollout. */
  rolloutLogp: ArrayLike<number>;
  /** (T) frozen reference model log-probs. */
  refLogp: ArrayLike<number>;
  /** (T) 1 for an action token that is trained on, 0 for a position that is ignored. */
  mask: ArrayLike<number>;
  /** Â_k, the sequence's advantage (advantage.ts), shared by all its tokens. */
  advantage: number;
}

export interface TisConfig {
  /** Truncation: w_t = min(exp(ℓ^old − ℓ^roll), threshold) (vllm_is_truncated_threshold = 2). */
  threshold: number;
  /** Any action token with exp(ℓ^old − ℓ^roll) below this zeroes the sequence's weight (1e−4). */
  vetoBelow: number;
}

export interface PolicyLossConfig {
  /** ε_lo: the ratio is clipped below at 1 − ε_lo. */
  clipLow: number;
  /** ε_hi: the ratio is clipped above at 1 + ε_hi. */
  clipHigh: number;
  /** Truncated importance sampling against the rollout policy; null turns IS correction off. */
  tis: TisConfig | null;
  /** β, the KL coefficient (init_kl_coef); 0 drops the term. */
  klCoef: number;
  /** k3 values are clamped to ±klClamp (10). */
  klClamp: number;
}

export const defaultPolicyLossConfig: PolicyLossConfig = {
  clipLow: 0.2,
  clipHigh: 0.2,
  tis: { threshold: 2, vetoBelow: 1e-4 },
  klCoef: 1e-3,
  klClamp: 10,
};

/** One sequence's share of the loss, before the batch mean. */
export interface SequenceLoss {
  /** n, the number of action tokens; 0 means the sequence was left out. */
  tokens: number;
  /** (1/n) Σ_t w_t·P. */
  policyLoss: number;
  /** (1/n) Σ_t KL_t. */
  kl: number;
  /** policyLoss + β·kl. */
  loss: number;
  /** (T) ∂loss/∂ℓ_t of this sequence alone (before dividing by B); 0 at masked positions. */
  dlogp: number[];
  /** GSPO: s_k; GRPO: the mean token ratio r_t over action tokens. */
  ratio: number;
  /** Action tokens whose clipped branch is active. */
  clippedTokens: number;
  tisVetoed: boolean;
  /** (1/n) Σ_t w_t (1 with TIS off). */
  tisWeightMean: number;
}

export interface PolicyLossResult {
  /** L = policyLoss + β·klLoss. */
  loss: number;
  policyLoss: number;
  /** The batch-mean KL, before β. */
  klLoss: number;
  /** (B)(T) ∂L/∂ℓ_t for every sequence and position. */
  dlogp: number[][];
  perSequence: SequenceLoss[];
  metrics: {
    /** Sequences counted in B (those with at least one action token). */
    sequences: number;
    tokens: number;
    clipFraction: number;
    tisVetoCount: number;
    /** Mean TIS weight over action tokens. */
    tisWeightMean: number;
  };
}

/** GSPO + TIS + k3 KL, sequence mean then batch mean. */
export function gspoLoss(
  batch: readonly SequenceInput[],
  config: PolicyLossConfig = defaultPolicyLossConfig,
): PolicyLossResult {
  return batchLoss(batch, config, gspoSequence);
}

/** Token-level GRPO (PPO-clip against ℓ^old) + TIS + k3 KL, sequence mean then batch mean. */
export function grpoLoss(
  batch: readonly SequenceInput[],
  config: PolicyLossConfig = defaultPolicyLossConfig,
): PolicyLossResult {
  return batchLoss(batch, config, grpoSequence);
}

/** −min(r·A, clip(r)·A), its derivative with respect to r, and whether the clipped branch is active. */
export function clippedSurrogate(
  r: number,
  advantage: number,
  clipLow: number,
  clipHigh: number,
): { value: number; dr: number; clipped: boolean } {
  const rc = Math.min(Math.max(r, 1 - clipLow), 1 + clipHigh);
  const clipped = rc * advantage < r * advantage; // only possible outside [1 − ε_lo, 1 + ε_hi]
  return clipped
    ? { value: -rc * advantage, dr: 0, clipped }
    : { value: -r * advantage, dr: -advantage, clipped };
}

/** k3 estimate of KL(π_θ‖π_ref) at one token, clamped, and its derivative with respect to ℓ. */
export function k3(logp: number, refLogp: number, clamp: number): { value: number; dlogp: number } {
  const d = refLogp - logp;
  const value = Math.expm1(d) - d; // exp(d) − d − 1 without cancellation near d = 0
  if (value > clamp) return { value: clamp, dlogp: 0 };
  if (value < -clamp) return { value: -clamp, dlogp: 0 };
  return { value, dlogp: -Math.expm1(d) }; // d/dℓ [exp(d) − d − 1] = 1 − exp(d)
}

/** TIS weights at the given action positions (constants), and whether the veto zeroed them. */
export function tisWeights(
  oldLogp: ArrayLike<number>,
  rolloutLogp: ArrayLike<number>,
  positions: readonly number[],
  tis: TisConfig | null,
): { weights: number[]; vetoed: boolean } {
  if (tis === null) return { weights: positions.map(() => 1), vetoed: false };
  const rho = positions.map((t) => Math.exp(oldLogp[t] - rolloutLogp[t]));
  if (rho.some((x) => x < tis.vetoBelow)) return { weights: positions.map(() => 0), vetoed: true };
  return { weights: rho.map((x) => Math.min(x, tis.threshold)), vetoed: false };
}

type SequenceFn = (seq: SequenceInput, positions: readonly number[], config: PolicyLossConfig) => SequenceLoss;

function gspoSequence(seq: SequenceInput, positions: readonly number[], config: PolicyLossConfig): SequenceLoss {
  const n = positions.length;
  const base = config.tis ? seq.rolloutLogp : seq.oldLogp;
  const s = Math.exp(positions.reduce((acc, t) => acc + (seq.logp[t] - base[t]), 0) / n);
  const surrogate = clippedSurrogate(s, seq.advantage, config.clipLow, config.clipHigh);
  const { weights, vetoed } = tisWeights(seq.oldLogp, seq.rolloutLogp, positions, config.tis);
  const weightMean = weights.reduce((a, w) => a + w, 0) / n;
  const dlogp = new Array<number>(seq.logp.length).fill(0);
  // ∂s/∂ℓ_t = s/n for every action token; P_k is shared, so ∂/∂ℓ_t (1/n) Σ_u w_u P_k = w̄ · P_k'(s) · s/n
  const dPolicy = (weightMean * surrogate.dr * s) / n;
  for (const t of positions) dlogp[t] = dPolicy;
  const policyLoss = weightMean * surrogate.value;
  const kl = addKl(seq, positions, config, dlogp);
  return {
    tokens: n,
    policyLoss,
    kl,
    loss: policyLoss + config.klCoef * kl,
    dlogp,
    ratio: s,
    clippedTokens: surrogate.clipped ? n : 0,
    tisVetoed: vetoed,
    tisWeightMean: weightMean,
  };
}

function grpoSequence(seq: SequenceInput, positions: readonly number[], config: PolicyLossConfig): SequenceLoss {
  const n = positions.length;
  const { weights, vetoed } = tisWeights(seq.oldLogp, seq.rolloutLogp, positions, config.tis);
  const dlogp = new Array<number>(seq.logp.length).fill(0);
  let policyLoss = 0;
  let ratioSum = 0;
  let clippedTokens = 0;
  positions.forEach((t, j) => {
    const r = Math.exp(seq.logp[t] - seq.oldLogp[t]);
    const surrogate = clippedSurrogate(r, seq.advantage, config.clipLow, config.clipHigh);
    policyLoss += (weights[j] * surrogate.value) / n;
    dlogp[t] = (weights[j] * surrogate.dr * r) / n; // ∂r_t/∂ℓ_t = r_t
    ratioSum += r;
    if (surrogate.clipped) clippedTokens += 1;
  });
  const kl = addKl(seq, positions, config, dlogp);
  return {
    tokens: n,
    policyLoss,
    kl,
    loss: policyLoss + config.klCoef * kl,
    dlogp,
    ratio: ratioSum / n,
    clippedTokens,
    tisVetoed: vetoed,
    tisWeightMean: weights.reduce((a, w) => a + w, 0) / n,
  };
}

/** Returns (1/n) Σ_t KL_t and adds β·∂/∂ℓ_t of it into dlogp. */
function addKl(seq: SequenceInput, positions: readonly number[], config: PolicyLossConfig, dlogp: number[]): number {
  const n = positions.length;
  let kl = 0;
  for (const t of positions) {
    const term = k3(seq.logp[t], seq.refLogp[t], config.klClamp);
    kl += term.value / n;
    dlogp[t] += (config.klCoef * term.dlogp) / n;
  }
  return kl;
}

function batchLoss(batch: readonly SequenceInput[], config: PolicyLossConfig, sequenceFn: SequenceFn): PolicyLossResult {
  checkConfig(config);
  const perSequence = batch.map((seq, b) => {
    const positions = actionPositions(seq, b);
    return positions.length === 0 ? emptySequence(seq.logp.length) : sequenceFn(seq, positions, config);
  });
  const counted = perSequence.filter((s) => s.tokens > 0);
  const B = counted.length;
  const mean = (f: (s: SequenceLoss) => number) => (B === 0 ? 0 : counted.reduce((a, s) => a + f(s), 0) / B);
  const tokens = counted.reduce((a, s) => a + s.tokens, 0);
  const perToken = (f: (s: SequenceLoss) => number) => (tokens === 0 ? 0 : counted.reduce((a, s) => a + f(s), 0) / tokens);
  return {
    loss: mean((s) => s.loss),
    policyLoss: mean((s) => s.policyLoss),
    klLoss: mean((s) => s.kl),
    dlogp: perSequence.map((s) => s.dlogp.map((g) => (B === 0 ? 0 : g / B))),
    perSequence,
    metrics: {
      sequences: B,
      tokens,
      clipFraction: perToken((s) => s.clippedTokens),
      tisVetoCount: counted.filter((s) => s.tisVetoed).length,
      tisWeightMean: perToken((s) => s.tisWeightMean * s.tokens),
    },
  };
}

function emptySequence(T: number): SequenceLoss {
  return {
    tokens: 0,
    policyLoss: 0,
    kl: 0,
    loss: 0,
    dlogp: new Array<number>(T).fill(0),
    ratio: 1,
    clippedTokens: 0,
    tisVetoed: false,
    tisWeightMean: 0,
  };
}

function actionPositions(seq: SequenceInput, b: number): number[] {
  const T = seq.logp.length;
  for (const [name, arr] of [
    ['oldLogp', seq.oldLogp],
    ['rolloutLogp', seq.rolloutLogp],
    ['refLogp', seq.refLogp],
    ['mask', seq.mask],
  ] as const) {
    if (arr.length !== T) {
      throw new Error(`policy loss: sequence ${b}: expected ${name} of length ${T} (as logp), found ${arr.length}`);
    }
  }
  if (!Number.isFinite(seq.advantage)) {
    throw new Error(`policy loss: sequence ${b}: expected a finite advantage, found ${seq.advantage}`);
  }
  const positions: number[] = [];
  for (let t = 0; t < T; t++) {
    const m = seq.mask[t];
    if (m !== 0 && m !== 1) {
      throw new Error(`policy loss: sequence ${b}: mask[${t}] = ${m}; expected 0 or 1`);
    }
    if (m === 1) positions.push(t);
  }
  return positions;
}

function checkConfig(config: PolicyLossConfig): void {
  const problems: string[] = [];
  if (!(config.clipLow >= 0 && config.clipLow < 1)) problems.push(`clipLow=${config.clipLow} (expected 0 <= clipLow < 1)`);
  if (!(config.clipHigh >= 0)) problems.push(`clipHigh=${config.clipHigh} (expected >= 0)`);
  if (!(config.klCoef >= 0)) problems.push(`klCoef=${config.klCoef} (expected >= 0)`);
  if (!(config.klClamp > 0)) problems.push(`klClamp=${config.klClamp} (expected > 0)`);
  if (config.tis && !(config.tis.threshold > 0)) problems.push(`tis.threshold=${config.tis.threshold} (expected > 0)`);
  if (config.tis && !(config.tis.vetoBelow >= 0)) problems.push(`tis.vetoBelow=${config.tis.vetoBelow} (expected >= 0)`);
  if (problems.length > 0) throw new Error(`policy loss config: ${problems.join('; ')}`);
}
