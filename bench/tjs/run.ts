// transformers.js's side of bench/engine.ts: `model.generate` (greedy, lock-step batch of equal-length
// prompts, num_logits_to_keep = 1 while generating) on the folders bench/tjs/export.ts writes, with
// onnxruntime-node on `--threads` intra-op threads. A child process serving the line protocol of
// ../engine/shared (stdin `MODEL B` → one JSON sample per line), e.g.
//   echo 'tiny5m 8' | node --import tsx bench/tjs/run.ts [--threads 2] [--prompt 128] [--new 64]
// transformers.js lives in bench/tjs/node_modules (`npm ci --prefix bench/tjs --ignore-scripts`), not in
// the root package; it is loaded by a computed specifier so the root type-check never needs it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TJS_MODELS_DIR, parseSettings, promptIds, sample, serve, type BenchResult } from '../engine/shared';

const PKG = '@huggingface/transformers';

async function main() {
  const s = parseSettings(process.argv.slice(2));
  const tjs = await import(PKG);
  const version = JSON.parse(readFileSync(join(__dirname, 'node_modules', PKG, 'package.json'), 'utf8')).version as string;
  tjs.env.allowRemoteModels = false; // nothing is fetched: local folders only
  tjs.env.allowLocalModels = true;
  tjs.env.localModelPath = TJS_MODELS_DIR;
  const models = new Map<string, { m: any; params: number }>();
  const load = async (model: string) => {
    const m = await tjs.AutoModelForCausalLM.from_pretrained(model, {
      dtype: s.rest.includes('--int8') ? 'q8' : 'fp32', device: 'cpu', session_options: { intraOpNumThreads: s.threads, interOpNumThreads: 1 },
    });
    const c = JSON.parse(readFileSync(join(TJS_MODELS_DIR, model, 'config.json'), 'utf8'));
    const d = c.hidden_size, hd = c.head_dim;
    const perLayer = 2 * d + d * hd * (2 * c.num_attention_heads + 2 * c.num_key_value_heads) + 3 * d * c.intermediate_size;
    return { m, params: 2 * c.vocab_size * d + d + c.num_hidden_layers * perLayer };
  };
  await serve(async (model, B, warm) => {
    let entry = models.get(model);
    if (!entry) models.set(model, entry = await load(model));
    const { m, params } = entry;
    const ids = Array.from({ length: B }, (_, b) => promptIds(b, s.prompt)).flat();
    const input_ids = new tjs.Tensor('int64', BigInt64Array.from(ids, BigInt), [B, s.prompt]);
    const attention_mask = new tjs.Tensor('int64', new BigInt64Array(B * s.prompt).fill(1n), [B, s.prompt]);
    const gen = async (n: number): Promise<number[]> => {
      // eos_token_id null: exactly n new tokens, no EOS processor (mars2 runs with no EOS ids either)
      const out = await m.generate({ input_ids, attention_mask, max_new_tokens: n, do_sample: false, eos_token_id: null });
      return (out.tolist()[0] as bigint[]).slice(s.prompt).map(Number);
    };
    const r: BenchResult = { engine: 'transformers.js', model, params, batch: B, version };
    try {
      return { ...r, ...await sample(gen, B, s, warm) };
    } catch (err) {
      return { ...r, note: `failed: ${(err as Error).message.split('\n')[0]}` };
    }
  });
  for (const { m } of models.values()) await m.dispose();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
