// Float64 central finite differences for graph backward functions (STYLE 8): a builder makes the forward
// output `out` and, given an upstream gradient `dout`, the analytic gradients of L = Σ out ⊙ dout w.r.t.
// named float64 inputs (or L is a host-side loss of `out`, e.g. the RL losses of src/rl, and dout its
// gradient at the base point); `gradcheck` runs one ORT session for out and the gradients, and compares
// each sampled coordinate with the fourth-order central difference
//   fd = [8(L(θ+h) − L(θ−h)) − (L(θ+2h) − L(θ−2h))] / 12h,   h = 1e-3
// (truncation O(h⁴) ≈ 1e-12, rounding ≈ ε·|L|/h; the plain 2-point rule at h = 1e-6 of onnx-engine.md
// §5.3 leaves ~1e-8 of rounding noise once logits are ~1e3, which fails the 1e-6 bound on small entries).
// Error per coordinate: |fd − an| / max(|fd| + |an|, 1e-3·max|an|): entries more than 1000× smaller than
// the tensor's largest gradient are measured against a thousandth of it. dout is random, so no
// coordinate is favoured; exactly-zero gradients are asserted separately by the tests.
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { uniformStream } from '../../src/search/rng';
import { Graph, type Value } from '../../src/models/onnx/graph';

/** Deterministic uniform [0, 1) (uniformStream). */
export const rng = uniformStream;

export interface InputSpec {
  dtype: 'float64' | 'int64';
  shape: number[];
  data: number[] | Float64Array;
}

export type Builder = (g: Graph, v: Record<string, Value>) => { out: Value; backward: (dout: Value) => Record<string, Value> };

export interface CheckResult {
  /** Worst relative error per checked input. */
  worst: Record<string, number>;
  /** The analytic gradients, by input name. */
  grads: Record<string, Float64Array>;
  loss: number;
}

function tensor(s: InputSpec): ort.Tensor {
  if (s.dtype === 'int64') return new ort.Tensor('int64', BigInt64Array.from(Array.from(s.data, (x) => BigInt(x))), s.shape);
  return new ort.Tensor('float64', Float64Array.from(s.data), s.shape);
}

export interface GradcheckOptions {
  seed: number;
  h?: number;
  samples?: number;
  extra?: Record<string, number[]>;
  /** A loss computed on the host from `out` (instead of Σ out ⊙ dout), with its gradient w.r.t. out. */
  hostLoss?: { value: (out: Float64Array) => number; grad: (out: Float64Array) => ArrayLike<number> };
}

/**
 * Checks the gradients the builder returns against central differences on up to `samples` coordinates per
 * input (all when the input is that small), plus `extra[name]` coordinates.
 */
export async function gradcheck(inputs: Record<string, InputSpec>, build: Builder, opts: GradcheckOptions): Promise<CheckResult> {
  const h = opts.h ?? 1e-3;
  const rand = rng(opts.seed);
  const g = new Graph({ name: 'gradcheck' });
  const v: Record<string, Value> = {};
  for (const [name, s] of Object.entries(inputs)) v[name] = g.input(name, s.dtype, s.shape);
  const { out, backward } = build(g, v);
  const outShape = out.shape.map((d) => {
    if (typeof d !== 'number') throw new Error(`gradcheck: output '${out.name}' has symbolic dim '${d}'`);
    return d;
  });
  const n = outShape.reduce((a, b) => a * b, 1);
  // dout is a graph input: random, or ∂L/∂out of a host-side loss at the base point
  const dout = g.input('dout', 'float64', outShape);
  g.output(out, 'out');
  const grads = backward(dout);
  for (const [name, gv] of Object.entries(grads)) g.output(gv, `grad.${name}`);
  const sess = await ort.InferenceSession.create(g.toBytes(), { logSeverityLevel: 3, graphOptimizationLevel: 'basic' });
  const data: Record<string, Float64Array | number[]> = {};
  for (const [name, s] of Object.entries(inputs)) data[name] = s.dtype === 'float64' ? Float64Array.from(s.data) : Array.from(s.data);
  let doutData = Float64Array.from({ length: n }, () => 2 * rand() - 1);
  const feeds = () => ({
    ...Object.fromEntries(Object.entries(inputs).map(([name, s]) => [name, tensor({ ...s, data: data[name]! })])),
    dout: new ort.Tensor('float64', doutData, outShape),
  });
  const outAt = async () => Float64Array.from((await sess.run(feeds())).out!.data as Float64Array);
  const hostLoss = opts.hostLoss;
  if (hostLoss) doutData = Float64Array.from(hostLoss.grad(await outAt()));
  const lossOf = (o: Float64Array) => (hostLoss ? hostLoss.value(o) : o.reduce((a, v, i) => a + v * doutData[i]!, 0));
  const base = await sess.run(feeds());
  const res: CheckResult = { worst: {}, grads: {}, loss: lossOf(base.out!.data as Float64Array) };
  const lossAt = async () => lossOf(await outAt());
  for (const name of Object.keys(grads)) {
    const an = base[`grad.${name}`]!.data as Float64Array;
    res.grads[name] = an;
    const x = data[name] as Float64Array;
    if (an.length !== x.length) throw new Error(`gradcheck: grad.${name} has ${an.length} values, input has ${x.length}`);
    const k = Math.min(x.length, opts.samples ?? 12);
    const idx = new Set<number>(opts.extra?.[name] ?? []);
    for (let i = 0; i < k; i++) idx.add(k === x.length ? i : Math.floor(rand() * x.length));
    const scale = an.reduce((m, a) => Math.max(m, Math.abs(a)), 0);
    let worst = 0;
    for (const i of idx) {
      const x0 = x[i]!;
      const at = async (dx: number) => {
        x[i] = x0 + dx;
        return lossAt();
      };
      const d1 = (await at(h)) - (await at(-h));
      const d2 = (await at(2 * h)) - (await at(-2 * h));
      x[i] = x0;
      const fd = (8 * d1 - d2) / (12 * h);
      const e = Math.abs(fd - an[i]!) / Math.max(Math.abs(fd) + Math.abs(an[i]!), 1e-3 * scale, 1e-12);
      if (process.env.GRADCHECK_DEBUG && e > 1e-7) console.log(name, i, fd, an[i], e);
      worst = Math.max(worst, e);
    }
    res.worst[name] = worst;
  }
  await sess.release();
  return res;
}

export function randn(rand: () => number, n: number, scale = 1): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = scale * Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  return out;
}

/** Every `grad.<name>` of a float32 run within 1e-3 of its largest float64 entry (and not all zero). */
export function assertGradsMatch(label: string, names: string[], o32: ort.InferenceSession.OnnxValueMapType, o64: ort.InferenceSession.OnnxValueMapType): void {
  for (const n of names) {
    const a = o32[`grad.${n}`]!.data as Float32Array, b = o64[`grad.${n}`]!.data as Float64Array;
    let scale = 0, diff = 0;
    for (let i = 0; i < b.length; i++) {
      scale = Math.max(scale, Math.abs(b[i]!));
      diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    }
    assert.ok(scale > 0, `${label} grad.${n} is all zero`);
    assert.ok(diff <= 1e-3 * scale, `${label} grad.${n}: float32 vs float64 max |Δ| ${diff} > 1e-3 · ${scale}`);
  }
}
