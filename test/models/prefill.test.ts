// Batched left-padded prefill (src/models/prefill.ts): mixed-length prompts prefilled in one run give
// the logits and K/V cache rows of prefilling each alone (1e-5) on the tiny Llama, Qwen2 and Qwen3
// fixtures, greedy generation through the batching Generator equals deterministic mode, and the
// grouping respects its token budget and padding ratio.
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
