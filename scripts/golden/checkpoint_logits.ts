// Prints the engine's full-forward logits of a model directory for fixed token rows, as JSON
// {ids, logits: (B, S, V) flat}; used by check_checkpoint.py to compare a checkpoint with transformers.
// usage: node --import tsx scripts/golden/checkpoint_logits.ts DIR '[[1,2,3],[4,5,6]]'
import { ModelRuntime } from '../../src/models/runtime';

async function main(): Promise<void> {
  const [dir, idsJson] = process.argv.slice(2);
  if (!dir || !idsJson) throw new Error("usage: checkpoint_logits.ts DIR '[[ids…], …]' (rows of equal length)");
  const ids = JSON.parse(idsJson) as number[][];
  const rt = await ModelRuntime.load(dir, { threads: 1 });
  const logits = await rt.forwardAll(ids);
  await rt.release();
  process.stdout.write(JSON.stringify({ ids, logits: Array.from(logits) }));
}

void main();
