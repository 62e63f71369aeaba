// mars2's side of bench/engine.ts: the continuous-batching generator (delta-KV graph, last-position
// logits, JS sampling) on ModelRuntime in this process, greedy, B concurrent requests. Prints one JSON
// BenchResult per line. Run alone: node --import tsx bench/engine/mars2.ts [--threads 2] [--runs 5]
import { join } from 'node:path';
import { Generator } from '../../src/models/generator';
import { ModelRuntime } from '../../src/models/runtime';
import { MODELS_DIR, measure, parseSettings, promptIds, type BenchResult } from './shared';

async function main() {
  const s = parseSettings(process.argv.slice(2));
  for (const model of s.models) {
    const rt = await ModelRuntime.load(join(MODELS_DIR, model), { threads: s.threads });
    for (const B of s.batches) {
      const gen = new Generator(rt, () => '', { maxBatch: 32 });
      const prompts = Array.from({ length: B }, (_, b) => promptIds(b, s.prompt));
      const run = async (n: number) => {
        const outs = await Promise.all(prompts.map((ids, seed) => gen.submit({
          promptIds: ids, sampling: { temperature: 0, topP: 1, topK: 0 }, seed, maxNewTokens: n, eosIds: [], stop: [],
        })));
        return outs[0]!.tokenIds;
      };
      const r: BenchResult = { engine: 'mars2', model, params: rt.params.count, batch: B, ...await measure(run, B, s) };
      console.log(JSON.stringify(r));
    }
    await rt.release();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
