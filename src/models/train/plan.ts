// Micro-batch plans for the trainer (trainer.ts): which rows run together in one fwd+bwd run. Pure, so
// the run config (src/config/schema.ts) can take its default from here. Gradients add up over
// micro-batches, so a plan changes float rounding only, never the step.
/** The fastest measured budget at the RL loop's shape (bench/trainer.ts --rl). */
export const defaultMicroBatchTokens = 2048;

/**
 * Micro-batches as lists of row indices: rows sorted longest first (so a micro-batch pads to rows of
 * nearly its own length), then `size` rows each, or as many rows as fit `tokens` padded tokens.
 */
export function planMicroBatches(rows: readonly { ids: ArrayLike<number> }[], o: { size?: number; tokens?: number } = {}): number[][] {
  const order = rows.map((_, i) => i).sort((a, b) => rows[b]!.ids.length - rows[a]!.ids.length || a - b);
  const out: number[][] = [];
  const size = o.size === undefined ? 0 : Math.max(1, Math.floor(o.size));
  const tokens = o.tokens ?? defaultMicroBatchTokens;
  for (const i of order) {
    const cur = out.at(-1);
    // cur[0] is the micro-batch's longest row: its length − 1 is the padded width S.
    const fits = cur && (size ? cur.length < size : (cur.length + 1) * (rows[cur[0]!]!.ids.length - 1) <= tokens);
    if (fits) cur.push(i);
    else out.push([i]);
  }
  return out;
}
