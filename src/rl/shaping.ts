// Reward transforms applied to one search tree before group normalisation: tree-consistent reward
// shaping (MARS², arXiv 2604.14564, P2 §3; research/papers.md §2.8, §4.2) and DAPO's overlong penalty
// (arXiv 2503.14476 §3.4; papers.md §2.9, first bullet).
//
// Shaping, for node v with raw score r_v, parent p(v) and the parent's children C(p):
//   b(v) = (1 − λ)·r_{p(v)} + λ·μ_{C(p(v))∖v}   parent is not the root, v has siblings
//   b(v) = r_{p(v)}                              parent is not the root, no siblings
//   b(v) = μ_{C(p(v))∖v}                         parent is the root, v has siblings
//   (no baseline)                                parent is the root, no siblings: r̂_v = r_v
//   Δ(v) = r_v − b(v),   r̂_v = r_v + γ·Δ(v)
// μ_{C∖v} is the leave-one-out mean over v's siblings (all children of p in the final tree, whether
// created before or after v).
//
// Overlong penalty (DAPO "soft overlong punishment"), with L_exp = maxResponseTokens − bufferTokens:
//   r ← r − min(ℓ − L_exp, bufferTokens)/bufferTokens · factor   when ℓ > L_exp
//
// Departures from the paper and from MARTI's code (marti/agent_workflows/ab_mcts_processor.py):
// 1. Parent links are explicit (`parentId`, null for a root child). MARTI reads `metadata.parent_idx`,
//    which its workflow never writes, so its shaping is a no-op as shipped; here it is real.
// 2. The parent term uses the parent's *raw* score, as the paper writes r_{p(v)}. MARTI's code shapes in
//    place and visits a parent's sibling group before its children's, so it reads the parent's already
//    shaped reward. Siblings are raw in both.
// 3. Arithmetic is float64 (MARTI: float32 numpy).
// 4. γ and λ have no defaults here: P2 does not state them; MARTI's scripts pass γ = λ = 0.5
//    (`reward_alloc.alpha/beta`), its helper defaults to γ = 0.3, λ = 0.5. The caller chooses.

/** One node of one tree, as shaping needs it. */
export interface ShapingNode {
  nodeId: number;
  /** The parent's `nodeId`, or null when the parent is the (scoreless) root. */
  parentId: number | null;
  /** Raw node reward r_v, usually 1 if every public test passed, else 0. */
  score: number;
}

export interface ShapingConfig {
  /** γ: weight of the structural bonus Δ(v). */
  gamma: number;
  /** λ: mix between the parent (vertical, 1 − λ) and the siblings (horizontal, λ) in the baseline. */
  lambda: number;
}

export interface OverlongConfig {
  /** generate_max_len: the generation budget in tokens (MARTI: 32768). */
  maxResponseTokens: number;
  /** overlong_buffer_len: the penalty ramps over the last this-many tokens (MARTI: 2048). */
  bufferTokens: number;
  /** overlong_penalty_factor: the penalty at (and beyond) the full budget (MARTI: 1.0). */
  penaltyFactor: number;
}

export const defaultOverlongConfig: OverlongConfig = {
  maxResponseTokens: 32768,
  bufferTokens: 2048,
  penaltyFactor: 1.0,
};

/**
 * The baseline b(v) of every node of one tree, in input order; null where the node has no baseline
 * (a root child without siblings). Throws if a parent id is not a node of the tree.
 */
export function shapingBaselines(nodes: readonly ShapingNode[], lambda: number): (number | null)[] {
  const byId = checkTree(nodes);
  // children grouped by parent key ('root' for null), raw score sums per group
  const groups = new Map<number | 'root', { sum: number; count: number }>();
  for (const node of nodes) {
    const key = node.parentId ?? 'root';
    const group = groups.get(key) ?? { sum: 0, count: 0 };
    group.sum += node.score;
    group.count += 1;
    groups.set(key, group);
  }
  return nodes.map((node) => {
    const group = groups.get(node.parentId ?? 'root')!;
    const siblingMean = group.count > 1 ? (group.sum - node.score) / (group.count - 1) : null;
    const parentScore = node.parentId === null ? null : byId.get(node.parentId)!.score;
    if (parentScore !== null && siblingMean !== null) return (1 - lambda) * parentScore + lambda * siblingMean;
    if (parentScore !== null) return parentScore;
    return siblingMean;
  });
}

/** r̂_v = r_v + γ·(r_v − b(v)) for every node of one tree, in input order. */
export function shapeTreeRewards(nodes: readonly ShapingNode[], config: ShapingConfig): number[] {
  checkShapingConfig(config);
  const baselines = shapingBaselines(nodes, config.lambda);
  return nodes.map((node, i) => {
    const b = baselines[i];
    return b === null ? node.score : node.score + config.gamma * (node.score - b);
  });
}

/** The overlong penalty (≤ 0) for a response of `responseTokens` tokens. */
export function overlongPenalty(responseTokens: number, config: OverlongConfig): number {
  checkOverlongConfig(config);
  const expectedTokens = config.maxResponseTokens - config.bufferTokens;
  const exceedTokens = Math.min(responseTokens - expectedTokens, config.bufferTokens);
  return exceedTokens > 0 ? (-exceedTokens / config.bufferTokens) * config.penaltyFactor : 0;
}

/**
 * Checks that node ids are unique and every parent id names a node of the same tree; returns the nodes
 * by id.
 */
export function checkTree<T extends ShapingNode>(nodes: readonly T[]): Map<number, T> {
  const byId = new Map<number, T>();
  for (const node of nodes) {
    if (byId.has(node.nodeId)) {
      throw new Error(`tree: nodeId ${node.nodeId} appears twice in one tree; node ids must be unique per tree`);
    }
    byId.set(node.nodeId, node);
  }
  for (const node of nodes) {
    if (node.parentId !== null && !byId.has(node.parentId)) {
      throw new Error(
        `tree: node ${node.nodeId} names parent ${node.parentId}, which is not a node of this tree; ` +
          `expected null (a root child) or the nodeId of another node of the same tree`,
      );
    }
  }
  return byId;
}

function checkShapingConfig(config: ShapingConfig): void {
  if (!Number.isFinite(config.gamma) || !(config.lambda >= 0 && config.lambda <= 1)) {
    throw new Error(
      `reward shaping: expected a finite gamma and lambda in [0, 1], found gamma=${config.gamma} lambda=${config.lambda}`,
    );
  }
}

function checkOverlongConfig(config: OverlongConfig): void {
  if (!(config.bufferTokens > 0 && config.maxResponseTokens >= config.bufferTokens)) {
    throw new Error(
      `overlong penalty: expected 0 < bufferTokens <= maxResponseTokens, found bufferTokens=${config.bufferTokens} ` +
        `maxResponseTokens=${config.maxResponseTokens}`,
    );
  }
}
