// The splits, fixed by the domain and never by the seed (so train from one seed and held-out problems
// from another stay disjoint). Each is a rule on a problem's spec and phrasing; the rules exclude each other:
//   train           depth 1–3, no held-out pair of parts, train paraphrases
//   heldout-combo   depth 2–3, at least one held-out pair (two parts train never shows together)
//   heldout-depth   depth 4–5, no held-out pair: every pair was seen in train, the depth never was
//   heldout-phrase  depth 1–3, no held-out pair, the held-out frame and some held-out paraphrases
// A pair of parts (unordered, within a family, parameters ignored) is held out when a hash of its ids
// falls in one bucket of HELD_OUT_BUCKETS: about one pair in six, fixed by the ids alone.
import type { Phrasing } from './family';

export const SPLITS = ['train', 'heldout-combo', 'heldout-depth', 'heldout-phrase'] as const;
export type Split = (typeof SPLITS)[number];

export interface SplitRule {
  /** The depths problems take in turn (a repeated depth is that much more common). */
  depths: readonly number[];
  /** 'none': no held-out pair among the parts; 'some': at least one. */
  pairs: 'none' | 'some';
  phrasing: Phrasing;
}

export const RULES: Record<Split, SplitRule> = {
  train: { depths: [1, 2, 2, 3, 3], pairs: 'none', phrasing: 'train' },
  'heldout-combo': { depths: [2, 3], pairs: 'some', phrasing: 'train' },
  'heldout-depth': { depths: [4, 5], pairs: 'none', phrasing: 'train' },
  'heldout-phrase': { depths: [1, 2, 2, 3, 3], pairs: 'none', phrasing: 'heldout' },
};

const HELD_OUT_BUCKETS = 6;

/** FNV-1a, 32 bits. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Whether train never shows parts `a` and `b` of `family` together. */
export function isHeldOutPair(family: string, a: string, b: string): boolean {
  const [x, y] = a < b ? [a, b] : [b, a];
  return fnv1a(`${family}:${x}+${y}`) % HELD_OUT_BUCKETS === 0;
}

/** The held-out pairs among a problem's parts, as 'a+b'. */
export function heldOutPairs(family: string, parts: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < parts.length; i++)
    for (let j = i + 1; j < parts.length; j++) if (isHeldOutPair(family, parts[i], parts[j])) out.push([parts[i], parts[j]].sort().join('+'));
  return out;
}

/** Whether a spec with these parts belongs to the split (its phrasing is the split's by construction). */
export function admits(rule: SplitRule, family: string, parts: readonly string[]): boolean {
  if (!rule.depths.includes(parts.length)) return false;
  const held = heldOutPairs(family, parts).length > 0;
  return rule.pairs === 'some' ? held : !held;
}
