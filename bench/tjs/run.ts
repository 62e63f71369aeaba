// transformers.js's side of bench/engine.ts: `model.generate` (greedy, lock-step batch of equal-length
// prompts, num_logits_to_keep = 1 while generating) on the folders bench/tjs/export.ts writes, with
// onnxruntime-node on `--threads` intra-op threads. Prints one JSON BenchResult per line.
// transformers.js lives in bench/tjs/node_modules (`npm ci --prefix bench/tjs --ignore-scripts`), not in
// the root package; it is loaded by a computed specifier so the root type-check never needs it.
//   node --import tsx bench/tjs/run.ts [--threads 2] [--runs 5]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TJS_MODELS_DIR, measure, parseSettings, promptIds, type BenchResult } from '../engine/shared';

const PKG = '@huggingface/transformers';

async function main() {
  const s = parseSettings(process.argv.slice(2));
  const tjs = await import(PKG);
  const version = JSON.parse(readFileSync(join(__dirname, 'node_modules', PKG, 'package.json'), 'utf8')).version as string;
  tjs.env.allowRemoteModels = false; // nothing is fetched: local folders only
  tjs.env.allowLocalModels = true;
  tjs.env.localModelPath = TJS_MODELS_DIR;
  for (const model of s.models) {
    const m = await tjs.AutoModelForCausalLM.from_pretrained(model, {
      dtype: 'fp32', device: 'cpu', session_options: { intraOpNumThreads: s.threads, interOpNumThreads: 1 },
    });
    const cfg = JSON.parse(readFileSync(join(TJS_MODELS_DIR, model, 'config.json'), 'utf8'));
    const d = cfg.hidden_size, ff = cfg.intermediate_size, V = cfg.vocab_size, hd = cfg.head_dim;
    const params = 2 * V * d + d + cfg.num_hidden_layers * (2 * d + d * hd * (2 * cfg.num_attention_heads + 2 * cfg.num_key_value_heads) + 3 * d * ff);
    for (const B of s.batches) {
      const ids = Array.from({ length: B }, (_, b) => promptIds(b, s.prompt)).flat();
      const input_ids = new tjs.Tensor('int64', BigInt64Array.from(ids, BigInt), [B, s.prompt]);
      const attention_mask = new tjs.Tensor('int64', new BigInt64Array(B * s.prompt).fill(1n), [B, s.prompt]);
      const gen = async (n: number): Promise<number[]> => {
        // eos_token_id null: exactly n new tokens, no EOS processor (mars2 runs with no EOS ids either)
        const out = await m.generate({ input_ids, attention_mask, max_new_tokens: n, do_sample: false, eos_token_id: null });
        return (out.tolist()[0] as bigint[]).slice(s.prompt).map(Number);
      };
      let r: BenchResult;
      try {
        r = { engine: 'transformers.js', model, params, batch: B, version, ...await measure(gen, B, s) };
      } catch (err) {
        r = { engine: 'transformers.js', model, params, batch: B, version, note: `failed: ${(err as Error).message.split('\n')[0]}` };
      }
      console.log(JSON.stringify(r));
    }
    await m.dispose();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
