// The score posteriors AB-MCTS-A samples from, as TreeQuest 0.3.3 defines them
// (research/treequest.md §2, research/papers.md §2.4).
//
// Gaussian: Normal–scaled-Inv-χ² prior (m0, κ0, ν0, τ0²), default (0, 1, 1, 0.1). After n observations
// with mean x̄ and S = Σ(x − x̄)²:
//   κn = κ0 + n,  νn = ν0 + n,  mn = (κ0·m0 + n·x̄)/κn,
//   τn² = (ν0·τ0² + S + n·κ0·(m0 − x̄)²/κn) / νn.
// A Thompson draw is σ² ~ InvGamma(νn/2, scale νn·τn²/2), then μ ~ N(mn, σ²/κn); the draw is μ (a
// draw of the posterior mean, marginally mn + √(τn²/κn)·t_νn), not a predictive draw of a score.
// Beta: prior (a0, b0), default (0.5, 0.5); each observation x ∈ [0, 1] adds x to a and 1 − x to b.
//
// Departures:
//  1. Observations are kept as sufficient statistics (n, Σx, S by Welford's update) rather than as
//     the list TreeQuest re-reduces with numpy on every update; parameters agree to rounding
//     (~1e-15 relative), which the trace replay checks at 1e-9.
//  2. The draw uses samplers.ts, not numpy's streams: same distribution, different numbers.
import type { Rng } from './rng';
import { beta, inverseGamma, standardNormal } from './samplers';

export type DistType = 'gaussian' | 'beta';

export interface GaussianPrior {
  m: number;
  kappa: number;
  nu: number;
  tauSquare: number;
}

export interface BetaPrior {
  a: number;
  b: number;
}

export type Prior = ({ dist: 'gaussian' } & GaussianPrior) | ({ dist: 'beta' } & BetaPrior);

export const DEFAULT_GAUSSIAN_PRIOR: Readonly<GaussianPrior> = { m: 0, kappa: 1, nu: 1, tauSquare: 0.1 };
export const DEFAULT_BETA_PRIOR: Readonly<BetaPrior> = { a: 0.5, b: 0.5 };

/** Sufficient statistics of the observations one distribution has seen. Plain JSON. */
export interface Obs {
  n: number;
  sum: number;
  /** Σ(x − x̄)², by Welford's update. */
  m2: number;
}

export const NO_OBS: Readonly<Obs> = Object.freeze({ n: 0, sum: 0, m2: 0 });

/** Returns new statistics with x added (the input is not modified). */
export function observe(o: Obs, x: number): Obs {
  const n = o.n + 1;
  const oldMean = o.n === 0 ? 0 : o.sum / o.n;
  const sum = o.sum + x;
  const newMean = sum / n;
  return { n, sum, m2: o.m2 + (x - oldMean) * (x - newMean) };
}

export type PosteriorParams =
  | { dist: 'gaussian'; m: number; kappa: number; nu: number; tauSquare: number }
  | { dist: 'beta'; a: number; b: number };

export function posteriorParams(prior: Prior, o: Obs): PosteriorParams {
  if (prior.dist === 'beta') {
    return { dist: 'beta', a: prior.a + o.sum, b: prior.b + (o.n - o.sum) };
  }
  const { m, kappa, nu, tauSquare } = prior;
  if (o.n === 0) return { dist: 'gaussian', m, kappa, nu, tauSquare };
  const n = o.n;
  const mean = o.sum / n;
  const kappaN = kappa + n;
  const nuN = nu + n;
  return {
    dist: 'gaussian',
    m: (kappa * m + n * mean) / kappaN,
    kappa: kappaN,
    nu: nuN,
    tauSquare: (nu * tauSquare + o.m2 + (n * kappa * (m - mean) * (m - mean)) / kappaN) / nuN,
  };
}

/** One Thompson draw from the posterior (the posterior mean μ for gaussian, p for beta). */
export function samplePosterior(p: PosteriorParams, rng: Rng): number {
  if (p.dist === 'beta') return beta(rng, p.a, p.b);
  const sigmaSquare = inverseGamma(rng, p.nu / 2, (p.nu * p.tauSquare) / 2);
  return p.m + Math.sqrt(sigmaSquare / p.kappa) * standardNormal(rng);
}

/**
 * Which distribution a draw comes from (the roles of research/treequest-traces.json, plus
 * NODE_ACTION for the stack strategy's per-node agent posteriors).
 *   GEN, CONT      node = the node deciding; agent set when the pair is per agent (stack, agent-first)
 *   CHILD          node = the parent, child = the child's node id
 *   ACTION         agent = the agent; the tree-wide agent posterior (prior + all its scores)
 *   NODE_ACTION    node, agent; stack only
 */
export type DrawRole = 'GEN' | 'CONT' | 'CHILD' | 'ACTION' | 'NODE_ACTION';

export interface Draw {
  role: DrawRole;
  node?: number;
  child?: number;
  agent?: number;
  params: PosteriorParams;
  nObs: number;
}

/** Turns a Draw into a number. The default draws from the posterior; tests inject recorded values. */
export type Sampler = (draw: Draw, rng: Rng) => number;

export const thompsonSampler: Sampler = (draw, rng) => samplePosterior(draw.params, rng);
