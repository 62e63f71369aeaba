// Checked op helpers over Graph: each infers its output dtype and shape and throws, naming the op, the
// scope and both shapes, when fixed dims disagree. Symbolic dims are compared as strings. Only the ops the
// model and training graphs use are here; `g.node` is the escape hatch.
import { rawBytes, shapeStr, type Attr, type DType, type Dim, type Graph, type Value } from './graph';

function fail(op: string, msg: string): never {
  throw new Error(`${op}: ${msg}`);
}

function sameDtype(op: string, ...vs: Value[]): DType {
  const d = vs[0]!.dtype;
  for (const v of vs) if (v.dtype !== d) fail(op, `dtype mismatch: '${vs[0]!.name}' is ${d}, '${v.name}' is ${v.dtype}`);
  return d;
}

function dimEq(a: Dim, b: Dim): boolean {
  return a === b;
}

/** Numpy broadcasting of two static shapes; symbolic dims must match exactly or meet a 1. */
export function broadcast(op: string, a: readonly Dim[], b: readonly Dim[]): Dim[] {
  const n = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < n; i++) {
    const x = i < n - a.length ? 1 : a[i - (n - a.length)]!;
    const y = i < n - b.length ? 1 : b[i - (n - b.length)]!;
    if (dimEq(x, y) || y === 1) out.push(x);
    else if (x === 1) out.push(y);
    else fail(op, `cannot broadcast ${shapeStr(a)} with ${shapeStr(b)} (dim ${i}: ${x} vs ${y})`);
  }
  return out;
}

function normAxis(op: string, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) fail(op, `axis ${axis} out of range for rank ${rank}`);
  return a;
}

function addDims(a: Dim, b: Dim): Dim {
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  if (a === 0) return b;
  if (b === 0) return a;
  return `${a}+${b}`;
}

function binary(op: string) {
  return (g: Graph, a: Value, b: Value, hint?: string): Value =>
    g.node(op, [a, b], [{ dtype: sameDtype(op, a, b), shape: broadcast(op, a.shape, b.shape), hint }])[0]!;
}
export const add = binary('Add');
export const sub = binary('Sub');
export const mul = binary('Mul');
export const div = binary('Div');
export const pow = binary('Pow');

function unary(op: string) {
  return (g: Graph, x: Value, hint?: string): Value => g.node(op, [x], [{ dtype: x.dtype, shape: x.shape, hint }])[0]!;
}
export const neg = unary('Neg');
export const sigmoid = unary('Sigmoid');
export const exp = unary('Exp');
export const sqrt = unary('Sqrt');
export const reciprocal = unary('Reciprocal');
export const cos = unary('Cos');
export const sin = unary('Sin');
export const identity = unary('Identity');

function compare(op: string) {
  return (g: Graph, a: Value, b: Value, hint?: string): Value =>
    g.node(op, [a, b], [{ dtype: 'bool', shape: broadcast(op, a.shape, b.shape), hint }])[0]!;
}
export const lessOrEqual = compare('LessOrEqual');
export const equal = compare('Equal');
export const and = compare('And');

export function where(g: Graph, cond: Value, a: Value, b: Value, hint?: string): Value {
  if (cond.dtype !== 'bool') fail('Where', `condition '${cond.name}' must be bool, is ${cond.dtype}`);
  const shape = broadcast('Where', broadcast('Where', cond.shape, a.shape), b.shape);
  return g.node('Where', [cond, a, b], [{ dtype: sameDtype('Where', a, b), shape, hint }])[0]!;
}

export function cast(g: Graph, x: Value, to: DType, hint?: string): Value {
  const code = { float32: 1, uint8: 2, int8: 3, int32: 6, int64: 7, bool: 9, float16: 10, float64: 11, bfloat16: 16 }[to];
  return g.node('Cast', [x], [{ dtype: to, shape: x.shape, hint }], { to: code })[0]!;
}

/** MatMul with numpy semantics (batch dims broadcast; rank ≥ 2 on both sides). */
export function matmul(g: Graph, a: Value, b: Value, hint?: string): Value {
  const op = 'MatMul';
  if (a.shape.length < 2 || b.shape.length < 2) fail(op, `rank < 2: ${shapeStr(a.shape)} x ${shapeStr(b.shape)}`);
  const k1 = a.shape[a.shape.length - 1]!;
  const k2 = b.shape[b.shape.length - 2]!;
  if (!dimEq(k1, k2)) fail(op, `inner dims differ: ${shapeStr(a.shape)} x ${shapeStr(b.shape)}`);
  const batch = broadcast(op, a.shape.slice(0, -2), b.shape.slice(0, -2));
  const shape = [...batch, a.shape[a.shape.length - 2]!, b.shape[b.shape.length - 1]!];
  return g.node(op, [a, b], [{ dtype: sameDtype(op, a, b), shape, hint }])[0]!;
}

export function transpose(g: Graph, x: Value, perm: number[], hint?: string): Value {
  if (perm.length !== x.shape.length) fail('Transpose', `perm [${perm}] for rank ${x.shape.length}`);
  return g.node('Transpose', [x], [{ dtype: x.dtype, shape: perm.map((p) => x.shape[p]!), hint }], { perm })[0]!;
}

/**
 * Reshape to `dims`. A symbolic dim equal to the input's dim at the same index is emitted as 0 (copy);
 * at most one other symbolic dim is emitted as -1 and must be what the product leaves.
 */
export function reshape(g: Graph, x: Value, dims: Dim[], hint?: string): Value {
  const target: number[] = [];
  let inferred = 0;
  for (let i = 0; i < dims.length; i++) {
    const d = dims[i]!;
    if (typeof d === 'number') target.push(d);
    else if (x.shape[i] === d) target.push(0);
    else {
      inferred++;
      target.push(-1);
    }
  }
  if (inferred > 1) fail('Reshape', `${shapeStr(x.shape)} → ${shapeStr(dims)}: more than one dim to infer`);
  const fixedIn = x.shape.every((d) => typeof d === 'number');
  const fixedOut = dims.every((d) => typeof d === 'number');
  if (fixedIn && fixedOut) {
    const a = (x.shape as number[]).reduce((p, q) => p * q, 1);
    const b = (dims as number[]).reduce((p, q) => p * q, 1);
    if (a !== b) fail('Reshape', `${shapeStr(x.shape)} (${a} elements) → ${shapeStr(dims)} (${b})`);
  }
  return g.node('Reshape', [x, g.ints(target)], [{ dtype: x.dtype, shape: dims, hint }])[0]!;
}

export function unsqueeze(g: Graph, x: Value, axes: number[], hint?: string): Value {
  const rank = x.shape.length + axes.length;
  const ax = axes.map((a) => normAxis('Unsqueeze', a, rank)).sort((p, q) => p - q);
  const shape: Dim[] = [];
  let j = 0;
  for (let i = 0; i < rank; i++) shape.push(ax.includes(i) ? 1 : x.shape[j++]!);
  return g.node('Unsqueeze', [x, g.ints(axes)], [{ dtype: x.dtype, shape, hint }])[0]!;
}

export function squeeze(g: Graph, x: Value, axes: number[], hint?: string): Value {
  const ax = axes.map((a) => normAxis('Squeeze', a, x.shape.length));
  for (const a of ax) if (x.shape[a] !== 1) fail('Squeeze', `dim ${a} of ${shapeStr(x.shape)} is not 1`);
  const shape = x.shape.filter((_, i) => !ax.includes(i));
  return g.node('Squeeze', [x, g.ints(axes)], [{ dtype: x.dtype, shape, hint }])[0]!;
}

export function concat(g: Graph, xs: Value[], axis: number, hint?: string): Value {
  const op = 'Concat';
  const r = xs[0]!.shape.length;
  const a = normAxis(op, axis, r);
  const shape = [...xs[0]!.shape];
  for (const x of xs.slice(1)) {
    if (x.shape.length !== r) fail(op, `rank mismatch ${shapeStr(xs[0]!.shape)} vs ${shapeStr(x.shape)}`);
    for (let i = 0; i < r; i++) {
      if (i === a) shape[i] = addDims(shape[i]!, x.shape[i]!);
      else if (!dimEq(shape[i]!, x.shape[i]!)) fail(op, `dim ${i} differs: ${shapeStr(xs[0]!.shape)} vs ${shapeStr(x.shape)}`);
    }
  }
  return g.node(op, xs, [{ dtype: sameDtype(op, ...xs), shape, hint }], { axis })[0]!;
}

/** Split along `axis` into pieces of the given (static or symbolic) sizes; `sizes` may be a tensor. */
export function split(g: Graph, x: Value, axis: number, sizes: Dim[], sizesTensor?: Value): Value[] {
  const a = normAxis('Split', axis, x.shape.length);
  const fixed = sizes.every((s) => typeof s === 'number');
  if (!fixed && !sizesTensor) fail('Split', `symbolic sizes [${sizes}] need a sizes tensor`);
  const total = fixed ? (sizes as number[]).reduce((p, q) => p + q, 0) : undefined;
  if (total !== undefined && typeof x.shape[a] === 'number' && x.shape[a] !== total) {
    fail('Split', `sizes [${sizes}] do not add up to dim ${a} of ${shapeStr(x.shape)}`);
  }
  const splitInput = sizesTensor ?? g.ints(sizes as number[]);
  return g.node('Split', [x, splitInput], sizes.map((s) => ({ dtype: x.dtype, shape: x.shape.map((d, i) => (i === a ? s : d)) })), { axis });
}

/** Gather along `axis`: out shape = x[:axis] + idx.shape + x[axis+1:]. */
export function gather(g: Graph, x: Value, idx: Value, axis = 0, hint?: string): Value {
  if (idx.dtype !== 'int64' && idx.dtype !== 'int32') fail('Gather', `indices '${idx.name}' must be int32/int64, is ${idx.dtype}`);
  const a = normAxis('Gather', axis, x.shape.length);
  const shape = [...x.shape.slice(0, a), ...idx.shape, ...x.shape.slice(a + 1)];
  return g.node('Gather', [x, idx], [{ dtype: x.dtype, shape, hint }], { axis })[0]!;
}

export function softmax(g: Graph, x: Value, axis = -1, hint?: string): Value {
  return g.node('Softmax', [x], [{ dtype: x.dtype, shape: x.shape, hint }], { axis })[0]!;
}

export function logSoftmax(g: Graph, x: Value, axis = -1, hint?: string): Value {
  return g.node('LogSoftmax', [x], [{ dtype: x.dtype, shape: x.shape, hint }], { axis })[0]!;
}

function reduce(op: string) {
  return (g: Graph, x: Value, axes: number[], keepdims = true, hint?: string): Value => {
    const ax = axes.map((a) => normAxis(op, a, x.shape.length));
    const shape = keepdims ? x.shape.map((d, i) => (ax.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !ax.includes(i));
    return g.node(op, [x, g.ints(axes)], [{ dtype: x.dtype, shape, hint }], { keepdims: keepdims ? 1 : 0 })[0]!;
  };
}
export const reduceSum = reduce('ReduceSum');
export const reduceMean = reduce('ReduceMean');
export const reduceMax = reduce('ReduceMax');
export const reduceLogSumExp = reduce('ReduceLogSumExp');

export function cumSum(g: Graph, x: Value, axis: number, hint?: string): Value {
  return g.node('CumSum', [x, g.ints(axis)], [{ dtype: x.dtype, shape: x.shape, hint }])[0]!;
}

export function shapeOf(g: Graph, x: Value, hint?: string): Value {
  return g.node('Shape', [x], [{ dtype: 'int64', shape: [x.shape.length], hint }])[0]!;
}

/** A 1-D int64 tensor holding dim `axis` of x at run time. */
export function dimOf(g: Graph, x: Value, axis: number): Value {
  const a = normAxis('dimOf', axis, x.shape.length);
  return g.node('Shape', [x], [{ dtype: 'int64', shape: [1], hint: 'dim' }], { start: a, end: a + 1 })[0]!;
}

/**
 * RMSNorm y = x / sqrt(mean(x², last axis) + eps) * w, as ORT's SimplifiedLayerNormalization (onnx
 * domain contrib op); the second output is 1/sqrt(mean(x²)+eps) with the last dim kept as 1, always float32.
 */
export function simplifiedLayerNorm(g: Graph, x: Value, w: Value, eps: number, hint?: string): { y: Value; invStd: Value } {
  const d = x.shape[x.shape.length - 1]!;
  if (w.shape.length !== 1 || !dimEq(w.shape[0]!, d)) fail('SimplifiedLayerNormalization', `weight ${shapeStr(w.shape)} for input ${shapeStr(x.shape)}`);
  const [y, invStd] = g.node('SimplifiedLayerNormalization', [x, w], [
    { dtype: x.dtype, shape: x.shape, hint },
    // ORT's inv_std output type U is float (stash_type 1) for every T; no double/double kernel exists.
    { dtype: 'float32', shape: [...x.shape.slice(0, -1), 1], hint: 'inv_std' },
  ], { axis: -1, epsilon: { float: eps } });
  return { y: y!, invStd: invStd! };
}

/**
 * com.microsoft.SkipSimplifiedLayerNormalization: sum = x + skip, y = RMSNorm(sum) · w. Returns y and the
 * sum (the new residual stream); inference only (no backward is written for it).
 */
export function skipSimplifiedLayerNorm(g: Graph, x: Value, skip: Value, w: Value, eps: number, hint?: string): { y: Value; sum: Value } {
  const d = x.shape[x.shape.length - 1]!;
  if (w.shape.length !== 1 || !dimEq(w.shape[0]!, d)) fail('SkipSimplifiedLayerNormalization', `weight ${shapeStr(w.shape)} for input ${shapeStr(x.shape)}`);
  if (shapeStr(x.shape) !== shapeStr(skip.shape)) fail('SkipSimplifiedLayerNormalization', `skip ${shapeStr(skip.shape)} differs from input ${shapeStr(x.shape)}`);
  const stat = [...x.shape.slice(0, -1), 1];
  const [y, , , sum] = g.node('SkipSimplifiedLayerNormalization', [x, skip, w], [
    { dtype: x.dtype, shape: x.shape, hint },
    { dtype: 'float32', shape: stat, hint: 'mean' },
    { dtype: 'float32', shape: stat, hint: 'inv_std' },
    { dtype: x.dtype, shape: x.shape, hint: 'resid' },
  ], { epsilon: { float: eps } }, 'com.microsoft');
  return { y: y!, sum: sum! };
}

/** com.microsoft.RotaryEmbedding on x [B, S, N·H] with caches [P, H/2] (rotate_half convention). */
export function msRotary(g: Graph, x: Value, positionIds: Value, cosCache: Value, sinCache: Value, numHeads: number, hint?: string): Value {
  if (x.shape.length !== 3) fail('RotaryEmbedding', `input ${shapeStr(x.shape)} must be [B, S, N*H]`);
  return g.node('RotaryEmbedding', [x, positionIds, cosCache, sinCache], [{ dtype: x.dtype, shape: x.shape, hint }],
    { num_heads: numHeads, interleaved: 0 }, 'com.microsoft')[0]!;
}

/** com.microsoft.RotaryEmbedding on head-major x [B, N, S, H] (the kernel reads N and S from the shape). */
export function msRotaryHeads(g: Graph, x: Value, positionIds: Value, cosCache: Value, sinCache: Value, hint?: string): Value {
  if (x.shape.length !== 4) fail('RotaryEmbedding', `input ${shapeStr(x.shape)} must be [B, N, S, H]`);
  return g.node('RotaryEmbedding', [x, positionIds, cosCache, sinCache], [{ dtype: x.dtype, shape: x.shape, hint }], { interleaved: 0 }, 'com.microsoft')[0]!;
}

/** com.microsoft.FusedMatMul a · bᵀ over the last two axes (batch axes broadcast): (…, M, K) × (…, N, K) → (…, M, N). */
export function matmulTransB(g: Graph, a: Value, b: Value, hint?: string): Value {
  const op = 'FusedMatMul';
  if (a.shape.length < 2 || b.shape.length < 2) fail(op, `rank < 2: ${shapeStr(a.shape)} x ${shapeStr(b.shape)}ᵀ`);
  if (!dimEq(a.shape[a.shape.length - 1]!, b.shape[b.shape.length - 1]!)) fail(op, `inner dims differ: ${shapeStr(a.shape)} x ${shapeStr(b.shape)}ᵀ`);
  const batch = broadcast(op, a.shape.slice(0, -2), b.shape.slice(0, -2));
  const shape = [...batch, a.shape[a.shape.length - 2]!, b.shape[b.shape.length - 2]!];
  return g.node(op, [a, b], [{ dtype: sameDtype(op, a, b), shape, hint }], { transB: 1, alpha: { float: 1 } }, 'com.microsoft')[0]!;
}

export function range(g: Graph, start: Value, limit: Value, delta: Value, len: Dim, hint?: string): Value {
  return g.node('Range', [start, limit, delta], [{ dtype: start.dtype, shape: [len], hint }])[0]!;
}

/** Gemm on 2-D a, b: y = op(a) op(b) with op = transpose when the flag is set. */
export function gemm(g: Graph, a: Value, b: Value, t: { transA?: boolean; transB?: boolean }, hint?: string): Value {
  if (a.shape.length !== 2 || b.shape.length !== 2) fail('Gemm', `rank ≠ 2: ${shapeStr(a.shape)} x ${shapeStr(b.shape)}`);
  const [m, k1] = t.transA ? [a.shape[1]!, a.shape[0]!] : [a.shape[0]!, a.shape[1]!];
  const [k2, n] = t.transB ? [b.shape[1]!, b.shape[0]!] : [b.shape[0]!, b.shape[1]!];
  if (!dimEq(k1, k2)) fail('Gemm', `inner dims differ: ${shapeStr(a.shape)}${t.transA ? 'ᵀ' : ''} x ${shapeStr(b.shape)}${t.transB ? 'ᵀ' : ''}`);
  return g.node('Gemm', [a, b], [{ dtype: sameDtype('Gemm', a, b), shape: [m, n], hint }], { transA: t.transA ? 1 : 0, transB: t.transB ? 1 : 0 })[0]!;
}

/** A tensor of the given (static) dims filled with `value`, without an inline initializer of that size. */
export function filled(g: Graph, dims: number[], value: number, dtype: DType, hint?: string): Value {
  const tensor = { name: '', dtype, dims: [1], raw: rawBytes(dtype, [value]) };
  return g.node('ConstantOfShape', [g.ints(dims)], [{ dtype, shape: dims, hint }], { value: { tensor } })[0]!;
}

/** ScatterND with reduction 'add': out = data; out[idx[i]] += updates[i] (duplicates accumulate). */
export function scatterNDAdd(g: Graph, data: Value, idx: Value, updates: Value, hint?: string): Value {
  if (idx.dtype !== 'int64') fail('ScatterND', `indices '${idx.name}' must be int64, is ${idx.dtype}`);
  return g.node('ScatterND', [data, idx, updates], [{ dtype: sameDtype('ScatterND', data, updates), shape: data.shape, hint }], { reduction: 'add' })[0]!;
}

/** ScatterElements with reduction 'add' along `axis` (idx and updates have the same shape). */
export function scatterElementsAdd(g: Graph, data: Value, idx: Value, updates: Value, axis: number, hint?: string): Value {
  if (idx.dtype !== 'int64') fail('ScatterElements', `indices '${idx.name}' must be int64, is ${idx.dtype}`);
  return g.node('ScatterElements', [data, idx, updates], [{ dtype: sameDtype('ScatterElements', data, updates), shape: data.shape, hint }], { axis, reduction: 'add' })[0]!;
}

/** GatherElements along `axis`: out has idx's shape. */
export function gatherElements(g: Graph, x: Value, idx: Value, axis: number, hint?: string): Value {
  if (idx.dtype !== 'int64') fail('GatherElements', `indices '${idx.name}' must be int64, is ${idx.dtype}`);
  if (idx.shape.length !== x.shape.length) fail('GatherElements', `rank of ${shapeStr(idx.shape)} ≠ rank of ${shapeStr(x.shape)}`);
  return g.node('GatherElements', [x, idx], [{ dtype: x.dtype, shape: idx.shape, hint }], { axis })[0]!;
}

export function raw(g: Graph, op: string, inputs: Value[], out: { dtype: DType; shape: Dim[] }, attrs: Record<string, Attr> = {}, domain = ''): Value {
  return g.node(op, inputs, [out], attrs, domain)[0]!;
}
