// The weight-streaming floor of a batch-1 decode step: one ORT session that only multiplies a (1, in)
// vector by every projection matrix of the model (q|k|v, o, gate|up, down per layer, and the LM head;
// the same shapes and float32 bytes a decode step reads), sums the outputs to one scalar, and nothing
// else. Its time per run is what any float32 engine pays per token at B=1 for the weights alone;
// bytes / time is the bandwidth it gets. Prints it beside the full step (ModelRuntime.stepRun, B=1),
// interleaved, min and median over rounds.
//   node --import tsx bench/engine/gemv.ts [--models tiny5m,small25m] [--threads 2] [--runs 15]
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { Graph, type Value } from '../../src/models/onnx/graph';
import * as op from '../../src/models/onnx/ops';
import { KvCache } from '../../src/models/kvcache';
import { ModelRuntime } from '../../src/models/runtime';
import { MODELS_DIR, median, parseSettings, promptIds } from './shared';

function floorGraph(d: number, ff: number, nq: number, nkv: number, hd: number, L: number, V: number): { bytes: Uint8Array; weightBytes: number } {
  const g = new Graph({ name: 'gemv_floor' });
  const x = g.input('x', 'float32', [1, d]);
  const xo = g.input('xo', 'float32', [1, nq * hd]);
  const xf = g.input('xf', 'float32', [1, ff]);
  let n = 0;
  const w = (rows: number, cols: number) => {
    n += rows * cols;
    const raw = new Uint8Array(rows * cols * 4);
    const f = new Float32Array(raw.buffer);
    // distinct contents per matrix: ORT dedupes identical initializers, which would leave one
    // cache-resident copy per shape and measure the cache, not the memory (before 2026-11-24 it did)
    for (let i = 0, x = n; i < f.length; i++) f[i] = ((x = (x * 1103515245 + 12345) >>> 0) % 1000) / 1e5;
    return g.initializer(`w${n}`, 'float32', [rows, cols], { raw });
  };
  const outs: Value[] = [];
  const sum = (y: Value) => outs.push(op.reduceSum(g, y, [1], false));
  for (let l = 0; l < L; l++) {
    sum(op.matmul(g, x, w(d, (nq + 2 * nkv) * hd)));
    sum(op.matmul(g, xo, w(nq * hd, d)));
    sum(op.matmul(g, x, w(d, 2 * ff)));
    sum(op.matmul(g, xf, w(ff, d)));
  }
  sum(op.matmul(g, x, w(d, V)));
  g.output(op.reduceSum(g, op.concat(g, outs, 0), [0], false), 'y');
  return { bytes: g.toBytes(), weightBytes: n * 4 };
}

async function main() {
  const s = parseSettings(process.argv.slice(2));
  for (const model of s.models) {
    const rt = await ModelRuntime.load(join(MODELS_DIR, model), { threads: s.threads });
    const c = rt.cfg;
    const fl = floorGraph(c.hiddenSize, c.intermediateSize, c.numHeads, c.numKvHeads, c.headDim, c.numLayers, c.vocabSize);
    const sess = await ort.InferenceSession.create(fl.bytes, { intraOpNumThreads: s.threads, interOpNumThreads: 1, graphOptimizationLevel: 'all', logSeverityLevel: 3 });
    const feeds = {
      x: new ort.Tensor('float32', new Float32Array(c.hiddenSize).fill(0.1), [1, c.hiddenSize]),
      xo: new ort.Tensor('float32', new Float32Array(c.numHeads * c.headDim).fill(0.1), [1, c.numHeads * c.headDim]),
      xf: new ort.Tensor('float32', new Float32Array(c.intermediateSize).fill(0.1), [1, c.intermediateSize]),
    };
    const cache = new KvCache(c.numLayers, c.numKvHeads, c.headDim);
    cache.addRow();
    const ctx = s.prompt + s.newTokens / 2;
    cache.ensureCap(s.prompt + s.newTokens + 1);
    const ids = promptIds(0, ctx);
    cache.append(0, 1, ctx, (await rt.stepRun(ids, ids.map((_, i) => i), new BigInt64Array(ctx).fill(1n), 1, ctx, 0, rt.emptyPast())).kv);
    const mask = cache.mask(0, 1, 1);
    const past = cache.past(0, 1);
    const steps = 50;
    const floor: number[] = [];
    const step: number[] = [];
    for (let r = 0; r < s.runs + 1; r++) {
      let t = performance.now();
      for (let i = 0; i < steps; i++) await sess.run(feeds);
      const f = (performance.now() - t) / steps;
      t = performance.now();
      for (let i = 0; i < steps; i++) await rt.stepRun([7], [ctx], mask, 1, 1, cache.cap, past);
      const st = (performance.now() - t) / steps;
      if (r > 0) { floor.push(f); step.push(st); }
    }
    const mb = fl.weightBytes / 1e6;
    const f = (xs: number[]) => `min ${Math.min(...xs).toFixed(3)} / median ${median(xs).toFixed(3)} ms`;
    console.log(`${model}: weights read per token ${mb.toFixed(1)} MB; GEMV-only floor ${f(floor)} (${(mb / Math.min(...floor)).toFixed(1)} GB/s at min); full step (B=1, ctx ${ctx}) ${f(step)}; floor / step (min) ${(Math.min(...floor) / Math.min(...step)).toFixed(2)}`);
    await sess.release();
    await rt.release();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
