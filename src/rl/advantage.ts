// Tree-level group advantages (MARS², arXiv 2604.14564 §3, "path-level group advantage"; MARTI-MARS²,
// arXiv 2602.07848; research/papers.md §2.7, §2.9, §4.3). Every node of one search tree, from every
// agent, is one GRPO group:
//   Â_k = (r_k − mean_T(r)) / (std_T(r) + ε),   std unbiased (n − 1), ε = 1e−9
// where r_k is the node's reward after the optional tree-consistent shaping and the overlong penalty
// (shaping.ts). Then Â_k ← clamp(Â_k, −10, 10), and each agent trains only on its own nodes.
// Order: raw score → shaping → overlong penalty → normalisation → clamp → split by agent.
//
// Departures from MARTI (marti/trainer/ppo_utils/experience_maker.py, `group_norm`):
// 1. Groups are keyed by an explicit `treeId`, never by sample order. MARTI reshapes the flat batch into
//    rows of `max_num_nodes` and relies on each tree's nodes being contiguous; here input order is free
//    and trees may have different sizes.
// 2. A tree whose rewards are all equal gets Â = 0 exactly (MARTI: (r − mean)/(0 + 1e−9), which is 0 only
//    when the float mean equals r exactly), and a single-node tree gets Â = 0 (MARTI: NaN from the
//    unbiased std of one value).
// 3. The ±10 clamp is OpenRLHF's `reward_clip_range`, applied (as in its `compute_reward`) to the
//    normalised value. papers.md says "rewards are clipped beforehand"; the code clamps after. With the
//    unbiased std, |Â| ≤ (n − 1)/√n, so the clamp can only bind for trees of more than ~100 nodes.
// 4. The scalar Â_k is returned per node; placing it on every output token (γ_RL = 1 returns) is the
//    loss's job (loss.ts takes one advantage per sequence).
// 5. `groupBy: 'tree-agent'` (not MARS²'s; off by default) normalises each agent's nodes of a tree as
//    their own group, after shaping over the whole tree: an agent weaker than its partner then no longer
//    gets a negative mean advantage in every mixed tree (docs/results.md measures both).

import { checkTree, overlongPenalty, shapeTreeRewards, type OverlongConfig, type ShapingConfig } from './shaping';

/** One node of one search tree, as the advantage step needs it (refs and scalars, no tensors). */
export interface TreeNodeReward {
  treeId: string;
  /** Unique within the tree (the search's creation index). */
  nodeId: number;
  /** The parent's nodeId, or null when the parent is the root. */
  parentId: number | null;
  agent: string;
  /** Raw node reward: 1 if all public tests passed, else 0 (fractional scores are accepted). */
  score: number;
  /** Response length ℓ in tokens, for the overlong penalty. */
  responseTokens: number;
}

export interface AdvantageConfig {
  /** Tree-consistent shaping; null = off (MARTI as shipped, where it is inert). */
  shaping: ShapingConfig | null;
  /** Overlong penalty; null = off. */
  overlong: OverlongConfig | null;
  /** ε added to the std (MARTI: 1e−9). */
  epsilon: number;
  /** |Â| is clamped to this (OpenRLHF reward_clip_range: 10). */
  clip: number;
  /** The normalisation group: every node of a tree ('tree', MARS²) or each agent's nodes of a tree. */
  groupBy: 'tree' | 'tree-agent';
}

export const defaultAdvantageConfig: AdvantageConfig = {
  shaping: null,
  overlong: null,
  epsilon: 1e-9,
  clip: 10,
  groupBy: 'tree',
};

export interface NodeAdvantage {
  treeId: string;
  nodeId: number;
  agent: string;
  /** Raw score, as given. */
  score: number;
  /** After shaping (equals `score` when shaping is off or the node has no baseline). */
  shapedReward: number;
  /** After shaping and the overlong penalty: the value that is normalised. */
  reward: number;
  advantage: number;
}

/**
 * (r − mean)/(std + ε) over one group, unbiased std, then clamped to ±clip. All-equal rewards and
 * single-element groups give 0 exactly.
 */
export function groupNormalize(rewards: readonly number[], epsilon = 1e-9, clip = 10): number[] {
  const n = rewards.length;
  if (n === 0) return [];
  if (rewards.every((r) => r === rewards[0])) return rewards.map(() => 0);
  const mean = rewards.reduce((s, r) => s + r, 0) / n;
  const variance = rewards.reduce((s, r) => s + (r - mean) * (r - mean), 0) / (n - 1);
  const std = Math.sqrt(variance);
  return rewards.map((r) => Math.min(clip, Math.max(-clip, (r - mean) / (std + epsilon))));
}

/**
 * Rewards and advantages of every node, in input order. Nodes are grouped by `treeId` (input order is
 * irrelevant); parent ids must name nodes of the same tree.
 */
export function treeAdvantages(
  nodes: readonly TreeNodeReward[],
  config: AdvantageConfig = defaultAdvantageConfig,
): NodeAdvantage[] {
  const trees = new Map<string, number[]>(); // treeId → indices into nodes
  nodes.forEach((node, i) => {
    checkNode(node);
    const members = trees.get(node.treeId);
    if (members) members.push(i);
    else trees.set(node.treeId, [i]);
  });
  const out: NodeAdvantage[] = new Array(nodes.length);
  for (const members of trees.values()) {
    const tree = members.map((i) => nodes[i]);
    checkTree(tree);
    const shaped = config.shaping ? shapeTreeRewards(tree, config.shaping) : tree.map((node) => node.score);
    const rewards = shaped.map((r, j) =>
      config.overlong ? r + overlongPenalty(tree[j].responseTokens, config.overlong) : r,
    );
    const advantages = config.groupBy === 'tree-agent' ? byAgentNormalize(tree, rewards, config) : groupNormalize(rewards, config.epsilon, config.clip);
    members.forEach((i, j) => {
      const node = nodes[i];
      out[i] = {
        treeId: node.treeId,
        nodeId: node.nodeId,
        agent: node.agent,
        score: node.score,
        shapedReward: shaped[j],
        reward: rewards[j],
        advantage: advantages[j],
      };
    });
  }
  return out;
}

/** groupNormalize over each agent's nodes of one tree, in the tree's order. */
function byAgentNormalize(tree: readonly TreeNodeReward[], rewards: readonly number[], config: AdvantageConfig): number[] {
  const out = new Array<number>(tree.length);
  for (const idx of splitByAgent(tree.map((node, j) => ({ agent: node.agent, j }))).values()) {
    const a = groupNormalize(idx.map(({ j }) => rewards[j]), config.epsilon, config.clip);
    idx.forEach(({ j }, k) => (out[j] = a[k]));
  }
  return out;
}

/** Items grouped by `agent`, agents in order of first appearance, items in input order. */
export function splitByAgent<T extends { agent: string }>(items: readonly T[]): Map<string, T[]> {
  const byAgent = new Map<string, T[]>();
  for (const item of items) {
    const list = byAgent.get(item.agent);
    if (list) list.push(item);
    else byAgent.set(item.agent, [item]);
  }
  return byAgent;
}

function checkNode(node: TreeNodeReward): void {
  if (!Number.isFinite(node.score) || !Number.isFinite(node.responseTokens)) {
    throw new Error(
      `advantages: node ${node.nodeId} of tree ${node.treeId} has score=${node.score} ` +
        `responseTokens=${node.responseTokens}; expected finite numbers`,
    );
  }
}
