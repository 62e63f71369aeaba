// Float64 central finite differences for every layer backward in src/models/arch/backward.ts and the
// token log-prob head (STYLE 8): L = Σ out ⊙ dout with a random dout, relative error ≤ 1e-6 per sampled
// coordinate; named edge cases (huge logits, masked positions, length 1, repeated token ids).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { attentionBackward, embeddingBackward, linearBackward, rmsNormBackward, ropeBackward, swigluBackward } from '../../src/models/arch/backward';
import { attention, attentionBias, embedding, linear, rmsNorm, rope, ropeInputs, swiglu } from '../../src/models/arch/layers';
import { Graph, type Value } from '../../src/models/onnx/graph';
import * as op from '../../src/models/onnx/ops';
import { tokenLogProbs, tokenLogProbsBackward } from '../../src/models/train/head';
import { gradcheck, randn, rng, type InputSpec } from './gradcheck';

const TOL = 1e-6;

function f64(shape: number[], seed: number, scale = 1): InputSpec {
  return { dtype: 'float64', shape, data: randn(rng(seed), shape.reduce((a, b) => a * b, 1), scale) };
}
function i64(shape: number[], data: number[]): InputSpec {
  return { dtype: 'int64', shape, data };
}
function assertClose(worst: Record<string, number>, expected: string[]) {
  assert.deepEqual(Object.keys(worst).sort(), [...expected].sort());
  for (const [k, e] of Object.entries(worst)) assert.ok(e <= TOL, `grad of ${k}: worst relative error ${e.toExponential(2)} > ${TOL}`);
}
const invFreq = (hd: number) => Float32Array.from({ length: hd / 2 }, (_, i) => 1 / Math.pow(10000, (2 * i) / hd));

/** RoPE tables + mask bias for positions derived from an attention mask (left padding = 0s). */
function positions(mask: number[][]) {
  return mask.map((row) => {
    let p = 0;
    return row.map((m) => (m ? p++ : 0));
  });
}

describe('layer backward (float64 finite differences)', () => {
  test('linear with bias: dx, dW, db', async () => {
    const r = await gradcheck({ x: f64([2, 3, 5], 1), w: f64([4, 5], 2), b: f64([4], 3) }, (g, v) => {
      const f = linear(g, v.x!, v.w!, v.b!);
      return { out: f.y, backward: (dy) => { const d = linearBackward(g, dy, v.w!, f.saved, true); return { x: d.dx, w: d.dw, b: d.db! }; } };
    }, { seed: 11 });
    assertClose(r.worst, ['x', 'w', 'b']);
  });

  test('embedding: repeated token ids accumulate into one row', async () => {
    const ids = [3, 1, 3, 0, 3, 6];
    const r = await gradcheck({ w: f64([7, 4], 4), ids: i64([2, 3], ids) }, (g, v) => {
      const f = embedding(g, v.w!, v.ids!);
      return { out: f.y, backward: (dy) => ({ w: embeddingBackward(g, dy, f.saved, 7).dw }) };
    }, { seed: 12, samples: 28 });
    assertClose(r.worst, ['w']);
    assert.ok(r.grads.w!.slice(8, 12).every((x) => x === 0), 'row 2 (never used) has a zero gradient');
  });

  test('RMSNorm over the hidden dim: dx, dw', async () => {
    const r = await gradcheck({ x: f64([2, 3, 6], 5), w: f64([6], 6) }, (g, v) => {
      const f = rmsNorm(g, v.x!, v.w!, 1e-6);
      return { out: f.y, backward: (dy) => { const d = rmsNormBackward(g, dy, v.w!, f.saved, 1e-6); return { x: d.dx, w: d.dw }; } };
    }, { seed: 13, samples: 36 });
    assertClose(r.worst, ['x', 'w']);
  });

  test('q/k norm: RMSNorm over head_dim of (B, S, heads, hd)', async () => {
    const r = await gradcheck({ x: f64([1, 3, 2, 4], 7, 3), w: f64([4], 8) }, (g, v) => {
      const f = rmsNorm(g, v.x!, v.w!, 1e-6);
      return { out: f.y, backward: (dy) => { const d = rmsNormBackward(g, dy, v.w!, f.saved, 1e-6); return { x: d.dx, w: d.dw }; } };
    }, { seed: 14, samples: 24 });
    assertClose(r.worst, ['x', 'w']);
  });

  test('RoPE (primitive, rotate_half) at positions 0..S-1 and offset ones', async () => {
    const r = await gradcheck({ x: f64([2, 3, 2, 8], 9), pos: i64([2, 3], [0, 1, 2, 5, 6, 7]) }, (g, v) => {
      const tables = ropeInputs(g, v.pos!, invFreq(8), 1.25, 'primitive', 'float64');
      const f = rope(g, v.x!, tables);
      return { out: f.y, backward: (dy) => ({ x: ropeBackward(g, dy, tables).dx }) };
    }, { seed: 15, samples: 96 });
    assertClose(r.worst, ['x']);
  });

  const attnCase = async (B: number, S: number, nq: number, nkv: number, mask: number[][], seed: number) => {
    const hd = 4;
    return gradcheck({
      q: f64([B, S, nq, hd], seed), k: f64([B, S, nkv, hd], seed + 1), v: f64([B, S, nkv, hd], seed + 2),
      mask: i64([B, S], mask.flat()), pos: i64([B, S], positions(mask).flat()),
    }, (g, v) => {
      const bias = attentionBias(g, v.mask!, v.pos!, 'float64');
      const f = attention(g, v.q!, v.k!, v.v!, bias, null);
      return { out: f.y, backward: (dy) => { const d = attentionBackward(g, dy, f.saved); return { q: d.dq, k: d.dk, v: d.dv }; } };
    }, { seed, samples: 40 });
  };

  test('causal GQA attention (4 query heads on 2 kv heads): dq, dk, dv', async () => {
    const r = await attnCase(2, 4, 4, 2, [[1, 1, 1, 1], [1, 1, 1, 1]], 20);
    assertClose(r.worst, ['q', 'k', 'v']);
  });

  test('attention with masked positions: padded keys get exactly zero dk, dv', async () => {
    const r = await attnCase(2, 4, 2, 1, [[0, 0, 1, 1], [1, 1, 1, 1]], 30);
    assertClose(r.worst, ['q', 'k', 'v']);
    // batch row 0, slots 0–1 are padding: no query may attend to them, so their keys and values get
    // exactly zero gradient (P is exactly 0 there; the mask is a finite −1e300, never −inf).
    assert.ok(r.grads.k!.slice(0, 8).every((x) => x === 0) && r.grads.v!.slice(0, 8).every((x) => x === 0));
    assert.ok(r.grads.k!.slice(8).some((x) => x !== 0));
  });

  test('attention of length 1 (one token, MQA)', async () => {
    const r = await attnCase(1, 1, 2, 1, [[1]], 40);
    assertClose(r.worst, ['q', 'k', 'v']);
    // one key: P ≡ 1, so q and k do not matter and only v has a gradient
    assert.ok(r.grads.q!.every((x) => x === 0) && r.grads.k!.every((x) => x === 0));
    assert.ok(r.grads.v!.some((x) => x !== 0));
  });

  test('SwiGLU MLP with biases: dx and every projection', async () => {
    const d = 5, ff = 7;
    const r = await gradcheck({
      x: f64([2, 2, d], 50), wg: f64([ff, d], 51), bg: f64([ff], 52), wu: f64([ff, d], 53), bu: f64([ff], 54), wd: f64([d, ff], 55), bd: f64([d], 56),
    }, (g, v) => {
      const P = { gate: { w: v.wg!, b: v.bg! }, up: { w: v.wu!, b: v.bu! }, down: { w: v.wd!, b: v.bd! } };
      const f = swiglu(g, v.x!, P.gate, P.up, P.down);
      return {
        out: f.y,
        backward: (dy) => {
          const b = swigluBackward(g, dy, P.gate, P.up, P.down, f.saved);
          return { x: b.dx, wg: b.gate.dw, bg: b.gate.db!, wu: b.up.dw, bu: b.up.db!, wd: b.down.dw, bd: b.down.db! };
        },
      };
    }, { seed: 57 });
    assertClose(r.worst, ['x', 'wg', 'bg', 'wu', 'bu', 'wd', 'bd']);
  });

  const logprobCase = (z: InputSpec, targets: number[], seed: number) =>
    gradcheck({ z, t: i64(z.shape.slice(0, -1), targets) }, (g, v) => {
      const f = tokenLogProbs(g, v.z!, v.t!);
      return { out: f.logp, backward: (dy: Value) => ({ z: tokenLogProbsBackward(g, dy, f.saved).dlogits }) };
    }, { seed, samples: 33 });

  test('token log-prob: dlogits = w·(onehot − softmax)', async () => {
    const r = await logprobCase(f64([2, 3, 11], 60, 2), [0, 10, 4, 4, 7, 1], 61);
    assertClose(r.worst, ['z']);
  });

  test('token log-prob with huge logits (1e3 offset, spread 30, target far from the max)', async () => {
    const z = f64([1, 3, 9], 62, 30);
    for (let i = 0; i < z.data.length; i++) (z.data as Float64Array)[i]! += 1000;
    const r = await logprobCase(z, [2, 5, 8], 63);
    assertClose(r.worst, ['z']);
    assert.ok(r.grads.z!.every(Number.isFinite));
  });

  test('op.gemm rejects mismatched inner dims and honours the transposes', () => {
    const g = new Graph();
    const a = g.input('a', 'float64', [2, 3]);
    assert.throws(() => op.gemm(g, a, g.input('b', 'float64', [2, 3]), {}), /Gemm: inner dims differ: \[2, 3\] x \[2, 3\]/);
    assert.deepEqual(op.gemm(g, a, g.input('c', 'float64', [2, 5]), { transA: true }).shape, [3, 5]);
  });
});
