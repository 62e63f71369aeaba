// Loss heads (src/models/train/loss.ts) through the whole training graph: the gradient the graph returns
// for w_t = ∂L/∂ℓ_t of the SFT cross-entropy, GSPO (+TIS, k3 KL) and GRPO losses of src/rl/loss.ts equals
// float64 finite differences of that host-side loss of ℓ(θ) (rel ≤ 1e-6), on the tiny fixtures. Rows
// include prompt/padding positions (mask 0), a clipped GSPO sequence and a TIS-truncated token.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadParams, paramSpecs } from '../../src/models/arch/weights';
import { readModelConfig } from '../../src/models/hf/config';
import { trainingForward } from '../../src/models/train/graph';
import { policyLoss, sftLoss, type PolicyRow } from '../../src/models/train/loss';
import { defaultPolicyLossConfig } from '../../src/rl/loss';
import { gradcheck, rng, type GradcheckOptions, type InputSpec } from './gradcheck';

const FIXTURES = join(__dirname, '..', 'fixtures', 'models');
const S = 6;
const IDS = [[5, 17, 5, 300, 42, 8], [9, 9, 17, 9, 17, 1], [4, 3, 2, 1, 0, 319]];
const TARGETS = [[17, 5, 300, 42, 7, 2], [1, 2, 9, 17, 319, 4], [3, 2, 1, 0, 319, 5]];
/** Loss tokens: completion positions only (prompt = first 2, one padded tail). */
const LOSS_MASK = [[0, 0, 1, 1, 1, 1], [0, 1, 1, 1, 0, 0], [0, 0, 0, 1, 1, 1]];

const i64 = (rows: number[][]): InputSpec => ({ dtype: 'int64', shape: [rows.length, rows[0]!.length], data: rows.flat() });

async function checkModel(name: string, hostLoss: GradcheckOptions['hostLoss'], seed: number) {
  const dir = join(FIXTURES, name);
  const cfg = readModelConfig(dir);
  const store = loadParams(dir, cfg);
  const specs = paramSpecs(cfg);
  const inputs: Record<string, InputSpec> = {
    input_ids: i64(IDS), position_ids: i64(IDS.map((r) => r.map((_, i) => i))), attention_mask: i64(IDS.map((r) => r.map(() => 1))), targets: i64(TARGETS),
  };
  for (const s of specs) inputs[s.name] = { dtype: 'float64', shape: s.shape, data: Float64Array.from(store.view(s.name)) };
  const r = await gradcheck(inputs, (g, v) => {
    const f = trainingForward(g, cfg, (n) => v[n]!, { inputIds: v.input_ids!, positionIds: v.position_ids!, attentionMask: v.attention_mask!, targets: v.targets! }, 'float64');
    return { out: f.logp, backward: (dout) => Object.fromEntries(f.backward(dout)) };
  }, { seed, samples: 3, hostLoss });
  assert.deepEqual(Object.keys(r.worst).sort(), specs.map((s) => s.name).sort());
  for (const [k, e] of Object.entries(r.worst)) assert.ok(e <= 1e-6, `${name} grad of ${k}: worst relative error ${e.toExponential(2)} > 1e-6`);
  return r;
}

/** RL rows built around the base-point log-probs: ℓ_old = ℓ + small noise, one sequence far off-policy. */
function rlRows(base: Float64Array, seed: number): PolicyRow[] {
  const rand = rng(seed);
  return LOSS_MASK.map((mask, b) => {
    const at = (t: number) => base[b * S + t]!;
    const shift = b === 1 ? -0.6 : 0; // row 1: ratio e^0.6 ≈ 1.8 > 1 + ε with A > 0 → GSPO clipped
    const oldLogp = mask.map((_, t) => at(t) + shift + 0.05 * (rand() - 0.5));
    const rolloutLogp = oldLogp.map((x, t) => x + (b === 2 && t === 4 ? -1.2 : 0.02 * (rand() - 0.5))); // row 2 t 4: TIS weight e^1.2 → truncated at 2
    const refLogp = mask.map((_, t) => at(t) + 0.3 * (rand() - 0.5));
    return { oldLogp, rolloutLogp, refLogp, mask, advantage: [0.7, 1.3, -0.9][b]! };
  });
}

function rlHost(kind: 'gspo' | 'grpo', seed: number): NonNullable<GradcheckOptions['hostLoss']> {
  let rows: PolicyRow[] | undefined;
  const config = { ...defaultPolicyLossConfig, klCoef: 0.05 };
  return {
    grad: (o) => {
      rows = rlRows(o, seed);
      const r = policyLoss(kind, o, rows, config);
      if (kind === 'gspo') assert.equal(r.result.perSequence[1]!.clippedTokens, 3, 'row 1 (3 loss tokens) should be clipped');
      return r.dlogp;
    },
    value: (o) => policyLoss(kind, o, rows!, config).loss,
  };
}

describe('loss heads through the training graph (float64 finite differences)', () => {
  test('sftLoss: mean over loss tokens, w_t = −m_t/M, errors name the mismatch', () => {
    const r = sftLoss([-1, -2, -3, -4], [0, 1, 1, 0]);
    assert.equal(r.loss, 2.5);
    assert.deepEqual(Array.from(r.dlogp), [0, -0.5, -0.5, 0]);
    assert.equal(sftLoss([-1], [0]).loss, 0);
    assert.throws(() => sftLoss([-1, -2], [1]), /logp has 2 values, mask 1/);
    assert.throws(() => sftLoss([-1], [2]), /mask\[0\] = 2; expected 0 or 1/);
  });

  test('SFT masked cross-entropy on tiny qwen2 (tied embeddings)', async () => {
    const mask = LOSS_MASK.flat();
    await checkModel('qwen2', { value: (o) => sftLoss(o, mask).loss, grad: (o) => sftLoss(o, mask).dlogp }, 80);
  });

  test('GSPO + TIS + k3 KL on tiny llama: graph gradient of src/rl gspoLoss', async () => {
    await checkModel('llama', rlHost('gspo', 81), 82);
  });

  test('GRPO + TIS + k3 KL on tiny qwen3: graph gradient of src/rl grpoLoss', async () => {
    await checkModel('qwen3', rlHost('grpo', 83), 84);
  });

  test('policyLoss passes src/rl dlogp through unchanged, row-major', () => {
    const logp = [-1, -2, -0.5, -0.7];
    const rows: PolicyRow[] = [
      { oldLogp: [-1.1, -2], rolloutLogp: [-1.1, -2], refLogp: [-1, -2.2], mask: [1, 1], advantage: 1 },
      { oldLogp: [-0.4, -0.9], rolloutLogp: [-0.4, -0.9], refLogp: [-0.5, -0.6], mask: [0, 1], advantage: -1 },
    ];
    const r = policyLoss('gspo', logp, rows);
    assert.deepEqual(Array.from(r.dlogp), r.result.dlogp.flat());
    assert.equal(r.dlogp[2], 0);
    assert.throws(() => policyLoss('gspo', [1, 2, 3], rows), /logp has 3 values for 2 rows/);
  });
});
