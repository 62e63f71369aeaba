// Batched prefill: prompts admitted at one step boundary run through the delta-KV graph together, in
// one session run, left-padded to the longest (so the last position of every row is its last prompt
// token and the 'last' logits head serves all rows). Padding is masked by attention_mask = 0; a pad
// query gets position 0. The graph's key positions are cumsum(mask) − 1 (layers.ts attentionBias), so a
// row's real tokens see exactly what they would see alone: the pads' scores get −3e38 and their
// probabilities underflow to exactly 0. The pads' K/V rows are dropped when appending to the cache.
import type { KvCache } from './kvcache';
import type { ModelRuntime, StepOut } from './runtime';

/**
 * Splits prompts (by length) into prefill groups: longest first, a group grows while its padded size
 * B·S_max stays within `budget` tokens and at most `maxPadRatio` × its real tokens. Returns the
 * prompts' indices per group.
 */
export function prefillGroups(lengths: readonly number[], budget: number, maxPadRatio = 1.5): number[][] {
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[b]! - lengths[a]! || a - b);
  const groups: number[][] = [];
  let cur: number[] = [];
  let real = 0;
  for (const i of order) {
    const smax = cur.length > 0 ? lengths[cur[0]!]! : lengths[i]!;
    const padded = (cur.length + 1) * smax;
    if (cur.length > 0 && (padded > budget || padded > maxPadRatio * (real + lengths[i]!))) {
      groups.push(cur);
      cur = [];
      real = 0;
    }
    cur.push(i);
    real += lengths[i]!;
  }
  if (cur.length > 0) groups.push(cur);
  return groups;
}

/**
 * Prefills `prompts` into the fresh (empty) cache rows from, from + 1, … in one left-padded run on an
 * empty past; appends their K/V and returns the step output (last-position logits (n, V), row b at b·V).
 * The rows must exist and the cache must have room for the longest prompt.
 */
export async function prefillRows(rt: ModelRuntime, cache: KvCache, from: number, prompts: readonly number[][]): Promise<StepOut> {
  const B = prompts.length;
  const S = Math.max(...prompts.map((p) => p.length));
  const ids = new Array<number>(B * S).fill(0);
  const pos = new Array<number>(B * S).fill(0);
  const mask = new BigInt64Array(B * S);
  const pads = prompts.map((p) => S - p.length);
  prompts.forEach((p, b) => {
    for (let i = 0; i < p.length; i++) {
      const at = b * S + pads[b]! + i;
      ids[at] = p[i]!;
      pos[at] = i;
      mask[at] = 1n;
    }
  });
  const out = await rt.stepRun(ids, pos, mask, B, S, 0, rt.emptyPast());
  cache.append(from, B, S, out.kv, pads);
  return out;
}
