// Engine speed: prefill tok/s and decode tok/s at batch 1, 8 and 32 through the continuous-batching
// generator (delta-KV graph, last-position logits, JS sampling), on the random-weight models of
// bench/make_bench_models.py. Prints figures; run by hand:
//   .mars2/golden-venv/bin/python bench/make_bench_models.py [--torch]
//   node --import tsx bench/engine.ts [threads=2]
import { join } from 'node:path';
import { Generator } from '../src/models/generator';
import { ModelRuntime } from '../src/models/runtime';

const PROMPT = 128;
const NEW = 64;
const threads = Number(process.argv[2] ?? 2);

async function main() {
  for (const name of ['tiny5m', 'small25m']) {
    const dir = join(__dirname, '..', '.mars2', 'bench-models', name);
    const rt = await ModelRuntime.load(dir, { threads });
    const params = (rt.params.count / 1e6).toFixed(1);
    for (const B of [1, 8, 32]) {
      const gen = new Generator(rt, () => '', { maxBatch: 32 });
      const prompts = Array.from({ length: B }, (_, b) => Array.from({ length: PROMPT }, (_, i) => 2 + ((b * 7919 + i * 31) % 4000)));
      const run = (n: number) => Promise.all(prompts.map((promptIds, seed) => gen.submit({
        promptIds, sampling: { temperature: 0, topP: 1, topK: 0 }, seed, maxNewTokens: n, eosIds: [], stop: [],
      })));
      await run(2); // warm-up
      let t = performance.now();
      await run(1);
      const prefillMs = performance.now() - t;
      t = performance.now();
      await run(NEW + 1);
      const totalMs = performance.now() - t;
      const decodeMs = totalMs - prefillMs;
      console.log(`mars2 ${name} (${params}M) B=${B}: prefill ${((B * PROMPT) / prefillMs * 1e3).toFixed(0)} tok/s, decode ${((B * NEW) / decodeMs * 1e3).toFixed(0)} tok/s (${(decodeMs / NEW).toFixed(2)} ms/step)`);
    }
    await rt.release();
  }
}

void main();
