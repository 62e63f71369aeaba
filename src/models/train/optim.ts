// The trainer's optimizer, on the host over Float32Array parameters:
//
//   clip:   g ← g · min(1, max_norm / (‖g‖₂ + 1e-6))                       (torch clip_grad_norm_)
//   AdamW:  θ ← θ(1 − η·λ);  m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²
//           θ ← θ − (η / (1−β₁ᵗ)) · m / (√v / √(1−β₂ᵗ) + ε)              (torch.optim.AdamW)
//   η(t):   t/W during warm-up, then min + (η₀ − min)·½(1 + cos(π (t−W)/(T−W)))
//           (transformers get_cosine_with_min_lr_schedule_with_warmup)
//
// Departures from PyTorch:
// 1. Element updates are computed in float64 and stored in float32 (torch computes in float32), so
//    results agree to ~1e-7 relative, not bit for bit.
// 2. No amsgrad, no maximize, no capturable/fused variants.
// Parameters that get no weight decay are chosen by name: norms and biases (`decays`).

export interface AdamWConfig {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

export const defaultAdamW: AdamWConfig = { lr: 1e-6, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 };

export interface ScheduleConfig {
  /** Peak learning rate. */
  lr: number;
  minLr: number;
  warmupSteps: number;
  totalSteps: number;
}

/** The optimizer state of one model: a step counter and the two moments per parameter. */
export interface AdamWState {
  step: number;
  m: Float32Array[];
  v: Float32Array[];
}

/** HF parameter names that take weight decay: everything but norms and biases. */
export function decays(name: string): boolean {
  return !(/norm/i.test(name) || name.endsWith('.bias'));
}

export function initAdamW(sizes: number[]): AdamWState {
  return { step: 0, m: sizes.map((n) => new Float32Array(n)), v: sizes.map((n) => new Float32Array(n)) };
}

/** The learning rate to use for optimizer step `step` (0-based: the first step is 0). */
export function cosineLr(step: number, cfg: ScheduleConfig): number {
  if (step < cfg.warmupSteps) return (cfg.lr * step) / Math.max(1, cfg.warmupSteps);
  const progress = Math.min(1, (step - cfg.warmupSteps) / Math.max(1, cfg.totalSteps - cfg.warmupSteps));
  const minRate = cfg.minLr / cfg.lr;
  const factor = 0.5 * (1 + Math.cos(Math.PI * progress));
  return cfg.lr * (factor * (1 - minRate) + minRate);
}

/** The global L2 norm of all gradients. */
export function globalNorm(grads: Float32Array[]): number {
  let sum = 0;
  for (const g of grads) for (let i = 0; i < g.length; i++) sum += g[i] * g[i];
  return Math.sqrt(sum);
}

/** Scales gradients in place so their global norm is at most `maxNorm`; returns the norm before clipping. */
export function clipGradNorm(grads: Float32Array[], maxNorm: number): number {
  const norm = globalNorm(grads);
  const coef = maxNorm / (norm + 1e-6);
  if (coef < 1) for (const g of grads) for (let i = 0; i < g.length; i++) g[i] *= coef;
  return norm;
}

/** `into += scale · g`, for gradient accumulation over micro-batches. */
export function accumulate(into: Float32Array[], grads: Float32Array[], scale: number): void {
  for (let p = 0; p < into.length; p++) {
    const a = into[p];
    const g = grads[p];
    if (a.length !== g.length) throw new Error(`gradient ${p} has ${g.length} elements, expected ${a.length}`);
    for (let i = 0; i < a.length; i++) a[i] += scale * g[i];
  }
}

/**
 * One AdamW step in place on `params` (and `state`), with learning rate `lr`. `decay[p]` says whether
 * parameter p takes weight decay.
 */
export function adamwStep(
  params: Float32Array[],
  grads: Float32Array[],
  state: AdamWState,
  cfg: AdamWConfig,
  lr: number,
  decay: boolean[],
): void {
  state.step += 1;
  const t = state.step;
  const bc1 = 1 - cfg.beta1 ** t;
  const sqrtBc2 = Math.sqrt(1 - cfg.beta2 ** t);
  const stepSize = lr / bc1;
  for (let p = 0; p < params.length; p++) {
    const w = params[p];
    const g = grads[p];
    const m = state.m[p];
    const v = state.v[p];
    if (g.length !== w.length || m.length !== w.length) throw new Error(`parameter ${p}: sizes of weights, gradient and moments differ`);
    const shrink = decay[p] ? 1 - lr * cfg.weightDecay : 1;
    for (let i = 0; i < w.length; i++) {
      const gi = g[i];
      const mi = cfg.beta1 * m[i] + (1 - cfg.beta1) * gi;
      const vi = cfg.beta2 * v[i] + (1 - cfg.beta2) * gi * gi;
      m[i] = mi;
      v[i] = vi;
      w[i] = w[i] * shrink - (stepSize * mi) / (Math.sqrt(vi) / sqrtBc2 + cfg.eps);
    }
  }
}
