// Golden tests against PyTorch + transformers (fixtures from scripts/golden/make_models.py): full-forward
// logits, the delta-KV step graph against the full forward, for the tiny Llama, Qwen2 and Qwen3.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SafetensorsDir } from '../../src/models/hf/safetensors';
import { ModelRuntime } from '../../src/models/runtime';

const FIXTURES = join(__dirname, '..', 'fixtures', 'models');
const REGEN = 'regenerate with: .mars2/golden-venv/bin/python scripts/golden/make_models.py';

interface Reference {
  logits_input_ids: number[][];
  greedy: { prompt_ids: number[]; new_ids: number[] };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, 'length mismatch');
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

for (const name of ['llama', 'qwen2', 'qwen3']) {
  const dir = join(FIXTURES, name);
  const ref = JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8')) as Reference;
  for (const rope of ['ms', 'primitive'] as const) {
    describe(`${name} golden (rope ${rope})`, () => {
      test('full-forward logits match transformers within 1e-4', async () => {
        const rt = await ModelRuntime.load(dir, { threads: 1, rope });
        const want = new SafetensorsDir(dir, 'reference.safetensors').float32('logits');
        const got = await rt.forwardAll(ref.logits_input_ids);
        const d = maxAbsDiff(got, want);
        assert.ok(d <= 1e-4, `max |Δlogit| = ${d} > 1e-4 (${REGEN})`);
        await rt.release();
      });
    });
  }
}
