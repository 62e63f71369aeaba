// MARS²-T+ depth-guided exploration (research/papers.md §3.5(b)): the GEN arm's reward observation
// at a node of depth d is reweighted
//
//   r̄_gen = w(d, c)·r,   w(d, c) = γ(d)^c,
//
// where γ(d) ∈ (0, 1] is a depth-dependent decay and c = the number of expansions already made from
// nodes at depth d (root = depth 0) before this one. Widening one level again and again thus looks
// less rewarding, which pushes the search deeper.
//
// Departures / choices (the paper's exact definitions were not recovered, papers.md §8.2):
//  1. γ is a table: γ(d) = gamma[min(d, gamma.length − 1)]. DEFAULT_DEPTH_GAMMA follows the one
//     known fact ("about 0.98 at shallow depths, decreasing").
//  2. c counts expansions per depth over the whole tree (not per node), before this one: the first
//     child ever made at a depth gets w = 1.
//  3. Only the GEN observation is reweighted. Child, CONT and agent posteriors see the raw score.
export const DEFAULT_DEPTH_GAMMA: readonly number[] = [0.98, 0.96, 0.93, 0.9, 0.85];

export function depthGamma(gamma: readonly number[], depth: number): number {
  return gamma[Math.min(depth, gamma.length - 1)];
}

/** w(d, c) = γ(d)^c. */
export function depthWeight(gamma: readonly number[], depth: number, expansionsBefore: number): number {
  return depthGamma(gamma, depth) ** expansionsBefore;
}
