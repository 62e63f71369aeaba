// mars2's side of bench/engine.ts: the continuous-batching generator (delta-KV graph, last-position
// logits, JS sampling) on ModelRuntime in this process, greedy, B concurrent requests. A child process
// serving the line protocol of ./shared (stdin `MODEL B` → one JSON sample per line), e.g.
//   echo 'tiny5m 8' | node --import tsx bench/engine/mars2.ts [--threads 2] [--prompt 128] [--new 64] [--attention A] [--int8]
import { join } from 'node:path';
import { Generator } from '../../src/models/generator';
import { ModelRuntime } from '../../src/models/runtime';
import { MODELS_DIR, parseSettings, promptIds, sample, serve } from './shared';

async function main() {
  const s = parseSettings(process.argv.slice(2));
  const ai = s.rest.indexOf('--attention');
  const attention = ai >= 0 ? s.rest[ai + 1] : undefined;
  if (attention !== undefined && attention !== 'onnx' && attention !== 'primitive' && attention !== 'auto') throw new Error(`--attention expects onnx, primitive or auto, found '${attention}'`);
  const runtimes = new Map<string, ModelRuntime>();
  await serve(async (model, B, warm) => {
    let rt = runtimes.get(model);
    if (!rt) runtimes.set(model, rt = await ModelRuntime.load(join(MODELS_DIR, model), { threads: s.threads, attention, weights: s.rest.includes('--int8') ? 'int8' : 'float32' }));
    const gen = new Generator(rt, () => '', { maxBatch: 32 });
    const prompts = Array.from({ length: B }, (_, b) => promptIds(b, s.prompt));
    const run = async (n: number) => {
      const outs = await Promise.all(prompts.map((ids, seed) => gen.submit({
        promptIds: ids, sampling: { temperature: 0, topP: 1, topK: 0 }, seed, maxNewTokens: n, eosIds: [], stop: [],
      })));
      return outs[0]!.tokenIds;
    };
    return { engine: 'mars2', model, params: rt.params.count, batch: B, ...await sample(run, B, s, warm) };
  });
  for (const rt of runtimes.values()) await rt.release();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
