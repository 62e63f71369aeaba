// Decode step (batch 1 unless --batches B) of mars2's engine under ORT session-option variants, interleaved in one process
// (every variant has its own ModelRuntime; rounds alternate the variants, figures are medians over
// rounds). Per variant: `gen` = Generator decode ms/token (greedy, B prompts of --prompt tokens, --new
// new tokens, the bench's protocol), `run` = ModelRuntime.stepRun alone at the same context (B=1, cap
// as the generator's), `js` = gen − run (feeds, cache append, sampling, event-loop hops).
//   node --import tsx bench/engine/step.ts [--models tiny5m] [--threads 2] [--runs 7] [--batches 1] [--variants base,t1,nospin]
// Variants: base (the default options), t1 (1 intra-op thread), nospin (session.intra_op.allow_spinning
// = 0), noarena (enableCpuMemArena false), nopattern (enableMemPattern false), extended
// (graphOptimizationLevel 'extended'), unfused (DecoderOptions.fused false), nopack (session.disable_prepacking = 1), int8
// (RuntimeOptions.weights 'int8'), profile (enableProfiling:
// writes onnxruntime_profile_*.json in the working directory, for a per-kernel breakdown).
import { join } from 'node:path';
import { Generator } from '../../src/models/generator';
import { KvCache } from '../../src/models/kvcache';
import { ModelRuntime, type RuntimeOptions } from '../../src/models/runtime';
import { MODELS_DIR, median, parseSettings, promptIds } from './shared';

const VARIANTS: Record<string, (threads: number) => RuntimeOptions> = {
  base: (t) => ({ threads: t }),
  t1: () => ({ threads: 1 }),
  nospin: (t) => ({ threads: t, session: { extra: { session: { intra_op: { allow_spinning: '0' } } } } }),
  noarena: (t) => ({ threads: t, session: { enableCpuMemArena: false } }),
  nopattern: (t) => ({ threads: t, session: { enableMemPattern: false } }),
  extended: (t) => ({ threads: t, session: { graphOptimizationLevel: 'extended' } }),
  unfused: (t) => ({ threads: t, fused: false }),
  noarena_nospin: (t) => ({ threads: t, session: { enableCpuMemArena: false, extra: { session: { intra_op: { allow_spinning: '0' } } } } }),
  t1_noarena: () => ({ threads: 1, session: { enableCpuMemArena: false } }),
  onnxattn: (t) => ({ threads: t, attention: 'onnx' }),
  auto: (t) => ({ threads: t, attention: 'auto' }),
  onnxattn_noarena: (t) => ({ threads: t, attention: 'onnx', session: { enableCpuMemArena: false } }),
  int8: (t) => ({ threads: t, weights: 'int8' }),
  nopack: (t) => ({ threads: t, session: { extra: { session: { disable_prepacking: '1' } } } }),
  profile: (t) => ({ threads: t, session: { enableProfiling: true, profileFilePrefix: 'onnxruntime_profile' } }),
};

async function measure(rt: ModelRuntime, prompt: number, newTokens: number, B: number) {
  const gen = new Generator(rt, () => '', { maxBatch: B });
  const job = (n: number) => Promise.all(Array.from({ length: B }, (_, b) => gen.submit({ promptIds: promptIds(b, prompt), sampling: { temperature: 0, topP: 1, topK: 0 }, seed: b, maxNewTokens: n, eosIds: [], stop: [] })));
  let t = performance.now();
  await job(1);
  const t1 = performance.now() - t;
  t = performance.now();
  await job(newTokens + 1);
  const genMs = (performance.now() - t - t1) / newTokens / B;
  // stepRun alone: one row prefilled to `prompt + newTokens / 2` tokens, then steps at that context
  const { numLayers: L, numKvHeads: nkv, headDim: hd } = rt.cfg;
  const cache = new KvCache(L, nkv, hd);
  for (let b = 0; b < B; b++) cache.addRow();
  const ctx = prompt + newTokens / 2;
  cache.ensureCap(prompt + newTokens + 1);
  const ids = promptIds(0, ctx);
  const pre = await rt.stepRun(Array(B).fill(ids).flat(), Array(B).fill(ids.map((_, i) => i)).flat(), new BigInt64Array(B * ctx).fill(1n), B, ctx, 0, rt.emptyPast());
  cache.append(0, B, ctx, pre.kv);
  const mask = cache.mask(0, B, 1);
  const past = cache.past(0, B);
  t = performance.now();
  for (let i = 0; i < newTokens; i++) await rt.stepRun(Array(B).fill(7), Array(B).fill(ctx), mask, B, 1, cache.cap, past);
  const runMs = (performance.now() - t) / newTokens / B;
  return { genMs, runMs };
}

async function main() {
  const s = parseSettings(process.argv.slice(2));
  const vi = s.rest.indexOf('--variants');
  const names = vi >= 0 ? s.rest[vi + 1]!.split(',') : ['base', 't1', 'nospin', 'noarena', 'nopattern'];
  for (const n of names) if (!VARIANTS[n]) throw new Error(`--variants: unknown '${n}'; expected some of ${Object.keys(VARIANTS).join(',')}`);
  for (const model of s.models) {
    const rts = new Map<string, ModelRuntime>();
    for (const n of names) rts.set(n, await ModelRuntime.load(join(MODELS_DIR, model), VARIANTS[n]!(s.threads)));
    const B = s.batches.length === 1 ? s.batches[0]! : 1;
    for (const rt of rts.values()) await measure(rt, s.prompt, s.newTokens, B); // warm-up
    const res = new Map<string, { genMs: number; runMs: number }[]>(names.map((n) => [n, []]));
    for (let r = 0; r < s.runs; r++) {
      const order = names.map((_, i) => names[(i + r) % names.length]!);
      for (const n of order) res.get(n)!.push(await measure(rts.get(n)!, s.prompt, s.newTokens, B));
    }
    console.log(`${model}: B=${B} decode (ms per token = per step / B), prompt ${s.prompt}, ${s.newTokens} new, threads ${s.threads}, median of ${s.runs} interleaved rounds`);
    console.log('| variant | gen ms/token | tok/s | stepRun ms | js ms | min gen | min stepRun |\n|---|--:|--:|--:|--:|--:|--:|');
    for (const n of names) {
      const g = median(res.get(n)!.map((x) => x.genMs));
      const run = median(res.get(n)!.map((x) => x.runMs));
      const gmin = Math.min(...res.get(n)!.map((x) => x.genMs));
      const rmin = Math.min(...res.get(n)!.map((x) => x.runMs));
      console.log(`| ${n} | ${g.toFixed(3)} | ${Math.round(1000 / g)} | ${run.toFixed(3)} | ${(g - run).toFixed(3)} | ${gmin.toFixed(3)} | ${rmin.toFixed(3)} |`);
    }
    for (const rt of rts.values()) await rt.release();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
