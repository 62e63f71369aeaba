// Batched left-padded prefill (src/models/prefill.ts): mixed-length prompts prefilled in one run give
// the logits and K/V cache rows of prefilling each alone (1e-5) on the tiny Llama, Qwen2 and Qwen3
// fixtures, greedy generation through the batching Generator equals deterministic mode, and the
// grouping respects its token budget and padding ratio. The prompt cache: rows sharing a prompt
// (together, or later) are prefilled once; sampled outputs are those of the same seeds with no cache
// (1e-5), deterministic mode gives the same bits, and the cache keeps to its byte budget.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Generator } from '../../src/models/generator';
import { KvCache } from '../../src/models/kvcache';
import { prefillGroups, prefillRows } from '../../src/models/prefill';
import { ModelRuntime } from '../../src/models/runtime';
import { maxAbsDiff } from '../helpers/models';

const FIXTURES = join(__dirname, '..', 'fixtures', 'models');

/** Row r's valid K/V slots of every layer, as one flat array. */
function rowKv(c: KvCache, r: number, nkv: number, hd: number): number[] {
  const out: number[] = [];
  const len = c.lengths[r]!;
  for (const slab of [...c.k, ...c.v]) {
    for (let h = 0; h < nkv; h++) {
      const at = ((r * nkv + h) * c.cap) * hd;
      out.push(...slab.subarray(at, at + len * hd));
    }
  }
  return out;
}

describe('prefillGroups', () => {
  test('longest first; groups stay within the token budget and the padding ratio', () => {
    assert.deepEqual(prefillGroups([128, 128, 128, 128], 4096), [[0, 1, 2, 3]]);
    assert.deepEqual(prefillGroups([128, 128, 128, 128], 256), [[0, 1], [2, 3]]);
    assert.deepEqual(prefillGroups([10, 100, 90, 12], 4096), [[1, 2, 3], [0]]); // 4·100 > 1.5·212 real tokens
    assert.deepEqual(prefillGroups([10, 100, 90, 12], 4096, 1), [[1], [2], [3], [0]]);
    assert.deepEqual(prefillGroups([5000], 4096), [[0]]);
    assert.deepEqual(prefillGroups([], 4096), []);
  });
});

const PROMPTS = [
  [5, 9, 13, 2, 7, 30, 31, 8, 4, 22, 19],
  [3],
  [40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56],
  [11, 12, 13, 14, 15, 16],
];

for (const name of ['llama', 'qwen2', 'qwen3']) {
  describe(`${name} batched prefill`, () => {
    const dir = join(FIXTURES, name);

    test('mixed-length prompts in one left-padded run equal each prefilled alone (logits and K/V, 1e-5)', async () => {
      const rt = await ModelRuntime.load(dir, { threads: 1 });
      const { numLayers: L, numKvHeads: nkv, headDim: hd, vocabSize: V } = rt.cfg;
      const maxLen = Math.max(...PROMPTS.map((p) => p.length));
      const together = new KvCache(L, nkv, hd);
      for (const _ of PROMPTS) together.addRow();
      together.ensureCap(maxLen + 1);
      const { logits, lse } = await prefillRows(rt, together, 0, PROMPTS);
      assert.equal(logits.length, PROMPTS.length * V);
      assert.deepEqual(together.lengths, PROMPTS.map((p) => p.length));
      for (let b = 0; b < PROMPTS.length; b++) {
        const alone = new KvCache(L, nkv, hd);
        alone.addRow();
        alone.ensureCap(maxLen + 1);
        const one = (await prefillRows(rt, alone, 0, [PROMPTS[b]!])).logits;
        const dl = maxAbsDiff(logits.subarray(b * V, (b + 1) * V), one);
        assert.ok(dl <= 1e-5, `row ${b}: max |Δlogit| = ${dl}`);
        const dk = maxAbsDiff(rowKv(together, b, nkv, hd), rowKv(alone, 0, nkv, hd));
        assert.ok(dk <= 1e-5, `row ${b}: max |ΔK/V| = ${dk}`);
      }
      // and the full forward of each prompt agrees with its batched row's last logits
      for (let b = 0; b < PROMPTS.length; b++) {
        const S = PROMPTS[b]!.length;
        const full = await rt.forwardAll([PROMPTS[b]!]);
        const d = maxAbsDiff(logits.subarray(b * V, (b + 1) * V), full.subarray((S - 1) * V, S * V));
        assert.ok(d <= 1e-5, `row ${b} vs full forward: max |Δlogit| = ${d}`);
        // the graph's log-sum-exp (the raw log-prob's normalizer) against float64 in JS
        let m = -Infinity, sum = 0;
        for (let v = 0; v < V; v++) m = Math.max(m, logits[b * V + v]!);
        for (let v = 0; v < V; v++) sum += Math.exp(logits[b * V + v]! - m);
        assert.ok(Math.abs(lse[b]! - (m + Math.log(sum))) <= 1e-5, `row ${b}: lse ${lse[b]} vs ${m + Math.log(sum)}`);
      }
      await rt.release();
    });

    test('prompt cache: a group of rows on one prompt is prefilled once; outputs match no cache; deterministic mode is bit-identical', async () => {
      const rt = await ModelRuntime.load(dir, { threads: 1 });
      const sampled = { temperature: 1, topP: 1, topK: 0 };
      const job = (promptIds: number[], seed: number) => ({ promptIds, sampling: sampled, seed, maxNewTokens: 6, eosIds: [], stop: [] });
      // Two prompts × 8 samples, then the same again (cache hits across admissions), and a long prompt
      // (prefilled alone, in chunks) twice.
      const long = Array.from({ length: 40 }, (_, i) => 3 + ((i * 7) % 50));
      const jobs = [...[PROMPTS[0]!, PROMPTS[2]!].flatMap((p, i) => Array.from({ length: 8 }, (_, j) => job(p, 10 * i + j))), job(long, 90), job(long, 91)];
      const cached = new Generator(rt, () => '', { maxBatch: 32, prefillChunk: 16 });
      const plain = new Generator(rt, () => '', { maxBatch: 32, prefillChunk: 16, promptCacheBytes: 0 });
      const a = await Promise.all(jobs.map((j) => cached.submit(j)));
      assert.deepEqual(cached.promptStats, { hits: 15, prefills: 3 }, 'one prefill per distinct prompt');
      const again = await Promise.all(jobs.slice(0, 4).map((j) => cached.submit(j)));
      assert.equal(cached.promptStats.hits, 19, 'a prompt seen before is not prefilled again');
      const b = await Promise.all(jobs.map((j) => plain.submit(j)));
      assert.deepEqual(plain.promptStats, { hits: 0, prefills: 18 });
      for (let i = 0; i < jobs.length; i++) {
        assert.deepEqual(a[i]!.tokenIds, b[i]!.tokenIds, `request ${i}: the tokens of its own prefill`);
        assert.ok(maxAbsDiff(a[i]!.rawLogprobs, b[i]!.rawLogprobs) < 1e-5, `request ${i} log-probs`);
      }
      again.forEach((r, i) => assert.deepEqual(r.tokenIds, a[i]!.tokenIds));
      const det = new Generator(rt, () => '', { deterministic: true });
      const detPlain = new Generator(rt, () => '', { deterministic: true, promptCacheBytes: 0 });
      for (const j of jobs.slice(6, 10)) {
        const x = await det.submit(j), y = await detPlain.submit(j);
        assert.deepEqual(x.tokenIds, y.tokenIds);
        assert.deepEqual(x.rawLogprobs, y.rawLogprobs, 'deterministic mode: the same bits');
      }
      assert.ok(det.promptStats.hits >= 2);
      // A budget of about one prompt's K/V: older prompts leave, none is served wrong.
      const { numLayers, numKvHeads, headDim, vocabSize } = rt.cfg;
      const one = 2 * numLayers * numKvHeads * PROMPTS[0]!.length * headDim * 4 + vocabSize * 4;
      const small = new Generator(rt, () => '', { maxBatch: 32, promptCacheBytes: one });
      for (const p of PROMPTS) await small.submit(job(p, 1));
      const last = await small.submit(job(PROMPTS[0]!, 1));
      assert.deepEqual(last.tokenIds, (await plain.submit(job(PROMPTS[0]!, 1))).tokenIds);
      assert.equal(small.promptStats.hits, 0, 'the first prompt was evicted by the later ones');
      await rt.release();
    });

    test('greedy generation with batched prefill equals deterministic mode', async () => {
      const rt = await ModelRuntime.load(dir, { threads: 1 });
      const greedy = { temperature: 0, topP: 1, topK: 0 };
      const job = (promptIds: number[], i: number) => ({ promptIds, sampling: greedy, seed: i, maxNewTokens: 10 + i, eosIds: [], stop: [] });
      const batched = new Generator(rt, () => '', { maxBatch: 8 });
      const det = new Generator(rt, () => '', { deterministic: true });
      const together = await Promise.all(PROMPTS.map((p, i) => batched.submit(job(p, i))));
      for (let i = 0; i < PROMPTS.length; i++) {
        const alone = await det.submit(job(PROMPTS[i]!, i));
        assert.deepEqual(together[i]!.tokenIds, alone.tokenIds, `request ${i}`);
        assert.ok(together[i]!.rawLogprobs.every((x, j) => Math.abs(x - alone.rawLogprobs[j]!) < 1e-5), `request ${i} log-probs`);
      }
      await rt.release();
    });
  });
}
