// The row-chunked LM head (src/models/train/chunkedHead.ts) against the unchunked one in the whole
// training graph, on the tiny Llama (own lm_head) and Qwen2 (tied embedding) fixtures, with a left-padded
// row: log-probs and every parameter gradient equal within 1e-6 (float64) and 1e-5 (float32) of each
// tensor's largest entry, for chunk sizes that divide the N = 10 rows (5, 10), that do not (3, 4), 1,
// and more than the rows (64). The float64 finite-difference whole-model test runs chunked in
// trainGraph.test.ts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { loadParams, paramSpecs } from '../../src/models/arch/weights';
import { readModelConfig } from '../../src/models/hf/config';
import { buildTrainingGraph } from '../../src/models/train/graph';
import { rng } from './gradcheck';

const FIXTURES = join(__dirname, '..', 'fixtures', 'models');
const B = 2, S = 5;
const MASK = [[1, 1, 1, 1, 1], [0, 0, 1, 1, 1]];
const POS = [[0, 1, 2, 3, 4], [0, 0, 0, 1, 2]];
const IDS = [[5, 17, 5, 300, 42], [0, 0, 17, 9, 17]];
const TARGETS = [[17, 5, 300, 42, 7], [1, 2, 9, 17, 319]];

for (const name of ['llama', 'qwen2']) {
  describe(`${name} chunked LM head`, () => {
    const dir = join(FIXTURES, name);
    const cfg = readModelConfig(dir);
    const store = loadParams(dir, cfg);
    const specs = paramSpecs(cfg);
    const rand = rng(80);
    const w = Array.from({ length: B * S }, () => 2 * rand() - 1);

    const run = async (dtype: 'float32' | 'float64', headChunkRows: number) => {
      const arr = dtype === 'float32' ? Float32Array : Float64Array;
      const t = (rows: number[][]) => new ort.Tensor('int64', BigInt64Array.from(rows.flat().map(BigInt)), [B, S]);
      const feeds: Record<string, ort.Tensor> = {
        input_ids: t(IDS), position_ids: t(POS), attention_mask: t(MASK), targets: t(TARGETS), dlogp: new ort.Tensor(dtype, arr.from(w), [B, S]),
      };
      for (const s of specs) feeds[s.name] = new ort.Tensor(dtype, arr.from(store.view(s.name)), s.shape);
      const sess = await ort.InferenceSession.create(buildTrainingGraph(cfg, { dtype, headChunkRows }), {
        logSeverityLevel: 3, intraOpNumThreads: 1, graphOptimizationLevel: dtype === 'float64' ? 'basic' : 'all',
      });
      const out = await sess.run(feeds);
      await sess.release();
      return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Float64Array.from(v.data as Float32Array | Float64Array)]));
    };

    const compare = (got: Record<string, Float64Array>, want: Record<string, Float64Array>, tol: number, what: string) => {
      assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort());
      assert.equal(Object.keys(want).length, specs.length + 1);
      for (const [k, b] of Object.entries(want)) {
        const a = got[k]!;
        assert.equal(a.length, b.length, `${what} ${k}: ${a.length} values, unchunked has ${b.length}`);
        let scale = 0, diff = 0;
        for (let i = 0; i < b.length; i++) {
          scale = Math.max(scale, Math.abs(b[i]!));
          diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
        }
        assert.ok(scale > 0, `${what} ${k} is all zero`);
        assert.ok(diff <= tol * scale, `${what} ${k}: chunked vs unchunked max |Δ| ${diff} > ${tol} · ${scale}`);
      }
    };

    test('float64: chunks of 1, 3, 4, 5, 10 and 64 rows equal the unchunked head (≤ 1e-6)', async () => {
      const want = await run('float64', 0);
      for (const chunk of [1, 3, 4, 5, 10, 64]) compare(await run('float64', chunk), want, 1e-6, `${name} float64 chunk ${chunk}`);
    });

    test('float32: chunks of 3 and 256 rows equal the unchunked head (≤ 1e-5)', async () => {
      const want = await run('float32', 0);
      for (const chunk of [3, 256]) compare(await run('float32', chunk), want, 1e-5, `${name} float32 chunk ${chunk}`);
    });
  });
}

test('chunkRows must be a positive integer', () => {
  const cfg = readModelConfig(join(FIXTURES, 'llama'));
  assert.throws(() => buildTrainingGraph(cfg, { headChunkRows: 2.5 }), /chunkRows is 2.5; expected an integer ≥ 1/);
});
