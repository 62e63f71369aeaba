// Token sampling from one row of logits, with HF's warper order (temperature → top-k → top-p):
//   raw      ℓ_raw(t) = z_t − log Σ_v exp z_v                      (temperature 1, full vocabulary)
//   sampling q(t) ∝ exp(z_t / T) on the kept set K (top-k, then the smallest prefix of the
//            descending order whose mass before each kept token is < top_p), ℓ(t) = log q(t)
// Greedy (T = 0) takes the first argmax and reports ℓ = 0 (a point mass). The uniform draw comes from a
// per-request PRNG (xoshiro128**, seeded by splitmix32 from the request seed), one draw per token, so a
// seed's tokens never depend on what else is in the batch.
// Departures from transformers: 1. top-k keeps exactly k tokens (ties broken by lower id), HF keeps all
// tokens tied with the k-th; 2. probabilities are computed in float64.

export interface SamplingParams {
  /** 0 = greedy. */
  temperature: number;
  /** 1 = off. */
  topP: number;
  /** 0 = off. */
  topK: number;
}

export interface Sampled {
  token: number;
  /** log-prob under the sampling distribution (0 for greedy). */
  logprob: number;
  /** log-prob at temperature 1 over the full vocabulary. */
  rawLogprob: number;
}

/** log Σ exp z_i given max = max_i z_i (float64 accumulation). */
function logSumExp(z: ArrayLike<number>, max: number): number {
  let sum = 0;
  for (let i = 0; i < z.length; i++) sum += Math.exp(z[i]! - max);
  return max + Math.log(sum);
}

/** Indices of the k largest entries, descending (ties: lower index first). */
function topKIndices(z: ArrayLike<number>, k: number): number[] {
  // k-th largest threshold by sorting a copy only when k is large; otherwise a bounded insertion list.
  if (k > 256) {
    const idx = Array.from({ length: z.length }, (_, i) => i);
    idx.sort((a, b) => z[b]! - z[a]! || a - b);
    return idx.slice(0, k);
  }
  const top: number[] = [];
  for (let i = 0; i < z.length; i++) {
    const v = z[i]!;
    let j: number;
    if (top.length < k) {
      top.push(i);
      j = top.length - 1;
    } else if (v > z[top[k - 1]!]!) {
      j = k - 1;
      top[j] = i;
    } else {
      continue;
    }
    while (j > 0 && z[top[j - 1]!]! < v) {
      top[j] = top[j - 1]!;
      top[j - 1] = i;
      j--;
    }
  }
  return top;
}

/**
 * The kept token set, descending by probability, given the weights w_i = exp((z_i − max)/T).
 * Without top-k/top-p the set is the whole vocabulary (returned as null: iterate in id order).
 */
function keptSet(z: ArrayLike<number>, p: SamplingParams, w: Float64Array, total: number): number[] | null {
  const V = z.length;
  const useK = p.topK > 0 && p.topK < V;
  const useP = p.topP < 1;
  if (!useK && !useP) return null;
  let cand: number[];
  if (useK) {
    cand = topKIndices(z, p.topK);
  } else {
    // Candidates with weight ≥ t; if they hold ≥ top_p of the mass, the nucleus lies within them.
    cand = [];
    for (let t = 1e-3; ; t /= 100) {
      cand = [];
      let mass = 0;
      for (let i = 0; i < V; i++) {
        if (w[i]! >= t) {
          cand.push(i);
          mass += w[i]!;
        }
      }
      if (mass / total >= p.topP || t < 1e-30) break;
    }
    cand.sort((a, b) => z[b]! - z[a]! || a - b);
  }
  if (!useP) return cand;
  // top-p normalizes over what top-k left (everything when top-k is off)
  let candMass = 0;
  if (useK) for (const i of cand) candMass += w[i]!;
  else candMass = total;
  const kept: number[] = [];
  let before = 0;
  for (const i of cand) {
    if (kept.length > 0 && before / candMass >= p.topP) break;
    kept.push(i);
    before += w[i]!;
  }
  return kept;
}

let weights = new Float64Array(0);

/**
 * Samples one token from logits z (length V) with uniform draw u ∈ [0, 1). `rawLse`, when the caller
 * has it (the step graph outputs it), is log Σ_v exp z_v; otherwise it is computed here.
 */
export function sampleToken(z: ArrayLike<number>, p: SamplingParams, u: number, rawLse?: number): Sampled {
  const V = z.length;
  let max = -Infinity;
  let arg = 0;
  for (let i = 0; i < V; i++) {
    if (z[i]! > max) {
      max = z[i]!;
      arg = i;
    }
  }
  const lse = rawLse ?? logSumExp(z, max);
  if (p.temperature <= 0) return { token: arg, logprob: 0, rawLogprob: z[arg]! - lse };
  if (weights.length < V) weights = new Float64Array(V);
  const w = weights;
  const inv = 1 / p.temperature;
  let all = 0;
  for (let i = 0; i < V; i++) all += (w[i] = Math.exp((z[i]! - max) * inv));
  const ids = keptSet(z, p, w, all);
  let total = 0;
  if (ids) for (const i of ids) total += w[i]!;
  else total = all;
  const target = u * total;
  let acc = 0;
  let token = -1;
  const n = ids ? ids.length : V;
  for (let j = 0; j < n; j++) {
    const i = ids ? ids[j]! : j;
    const wi = w[i]!;
    acc += wi;
    if (acc > target && wi > 0) {
      token = i;
      break;
    }
  }
  if (token < 0) token = ids ? ids[ids.length - 1]! : arg; // u·total at the rounding edge
  return { token, logprob: Math.log(w[token]! / total), rawLogprob: z[token]! - lse };
}
