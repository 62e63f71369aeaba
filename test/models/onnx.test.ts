// The graph builder and its protobuf encoder, run through onnxruntime-node: values computed by small
// graphs, static shape errors, scoped names, dead-node pruning, external initializers, int64 constants.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { Graph } from '../../src/models/onnx/graph';
import * as op from '../../src/models/onnx/ops';

async function run(g: Graph, feeds: Record<string, ort.Tensor>, externalData?: { path: string; data: Uint8Array }[]) {
  const s = await ort.InferenceSession.create(g.toBytes(), { logSeverityLevel: 3, ...(externalData ? { externalData } : {}) });
  const out = await s.run(feeds);
  await s.release();
  return out;
}

const f32 = (data: number[], dims: number[]) => new ort.Tensor('float32', Float32Array.from(data), dims);

describe('onnx graph builder', () => {
  test('matmul + broadcast add + reshape + transpose compute the reference values', async () => {
    const g = new Graph();
    const x = g.input('x', 'float32', ['B', 3]);
    const w = g.constant('float32', [3, 2], [1, 2, 3, 4, 5, 6]);
    const b = g.constant('float32', [2], [0.5, -0.5]);
    const y = op.add(g, op.matmul(g, x, w), b);
    const r = op.transpose(g, op.reshape(g, y, ['B', 2, 1]), [0, 2, 1]);
    assert.deepEqual(r.shape, ['B', 1, 2]);
    g.output(r, 'y');
    const out = await run(g, { x: f32([1, 0, 0, 1, 1, 1], [2, 3]) });
    assert.deepEqual(out.y!.dims, [2, 1, 2]);
    assert.deepEqual(Array.from(out.y!.data as Float32Array), [1.5, 1.5, 9.5, 11.5]);
  });

  test('static shape checks name the op and both shapes', () => {
    const g = new Graph();
    const a = g.input('a', 'float32', ['B', 4]);
    const b = g.input('b', 'float32', [5, 2]);
    assert.throws(() => op.matmul(g, a, b), /MatMul: inner dims differ: \[B, 4\] x \[5, 2\]/);
    assert.throws(() => op.add(g, a, g.input('c', 'float32', [3])), /Add: cannot broadcast \[B, 4\] with \[3\]/);
    assert.throws(() => op.add(g, a, g.input('d', 'int64', [4])), /dtype mismatch/);
    assert.throws(() => op.reshape(g, b, [3, 3]), /Reshape: \[5, 2\] \(10 elements\)/);
    assert.throws(() => op.reshape(g, a, ['X', 'Y']), /more than one dim to infer/);
    assert.throws(() => g.input('a', 'float32', [1]), /'a' is already used/);
  });

  test('scopes prefix value names; unused nodes and initializers are pruned', async () => {
    const g = new Graph();
    const x = g.input('x', 'float32', [2]);
    const y = g.scope('layers.0', () => g.scope('attn', () => op.neg(g, x, 'q')));
    assert.equal(y.name, 'layers.0/attn/q');
    const unused = op.exp(g, op.add(g, x, g.constant('float32', [2], [7, 7], 'big_unused')), 'unused');
    g.output(y, 'y');
    const bytes = new TextDecoder('latin1').decode(g.toBytes());
    assert.ok(!bytes.includes(unused.name), 'dead node kept');
    assert.ok(!bytes.includes('big_unused'), 'dead initializer kept');
    const out = await run(g, { x: f32([1, -2], [2]) });
    assert.deepEqual(Array.from(out.y!.data as Float32Array), [-1, 2]);
  });

  test('an output under another name renames its producer instead of adding an Identity, unless the value is needed under its own name', async () => {
    const g = new Graph();
    const x = g.input('x', 'float32', [2]);
    const y = op.neg(g, x, 'y_inner');
    const z = op.exp(g, y, 'z_inner'); // consumes y under its old name
    g.output(y, 'y');
    g.output(z, 'z');
    g.output(z, 'z_again'); // a second name for z: that one stays an Identity
    g.output(x, 'x_copy'); // a graph input is never renamed
    const spec = g.toSpec();
    const ops = spec.nodes.map((n) => n.opType);
    assert.deepEqual(ops, ['Neg', 'Exp', 'Identity', 'Identity']);
    assert.deepEqual(spec.nodes[0]!.outputs, ['y']);
    assert.deepEqual(spec.nodes[1]!.inputs, ['y']);
    assert.deepEqual(spec.nodes[2]!.inputs, ['z']);
    assert.deepEqual(spec.nodes[3]!.inputs, ['x']);
    const out = await run(g, { x: f32([0, 1], [2]) });
    assert.deepEqual(Array.from(out.y!.data as Float32Array), [-0, -1]);
    assert.deepEqual(Array.from(out.z_again!.data as Float32Array), [1, Math.fround(Math.exp(-1))]);
    assert.deepEqual(Array.from(out.x_copy!.data as Float32Array), [0, 1]);
  });

  test('external initializers read from one shared buffer at their offsets', async () => {
    const buf = new Float32Array([0, 0, 0, 1, 2, 3, 4, 5, 6]);
    const bytes = new Uint8Array(buf.buffer);
    const g = new Graph();
    const x = g.input('x', 'float32', [1, 2]);
    const w = g.initializer('w', 'float32', [2, 3], { external: { location: 'weights.bin', offset: 12, length: 24 } });
    assert.throws(() => g.initializer('w2', 'float32', [2, 3], { external: { location: 'weights.bin', offset: 0, length: 8 } }), /needs 24 bytes/);
    g.output(op.matmul(g, x, w), 'y');
    const out = await run(g, { x: f32([1, 1], [1, 2]) }, [{ path: 'weights.bin', data: bytes }]);
    assert.deepEqual(Array.from(out.y!.data as Float32Array), [5, 7, 9]);
  });

  test('int64 constants (incl. negative), split, gather, concat along symbolic dims', async () => {
    const g = new Graph();
    const x = g.input('x', 'float32', ['B', 'S', 4]);
    const last = op.gather(g, x, g.ints(-1), 1); // (B, 4)
    const [p, q] = op.split(g, last, -1, [1, 3]);
    const c = op.concat(g, [x, x], 1);
    assert.deepEqual(c.shape, ['B', 'S+S', 4]);
    g.output(op.concat(g, [q!, p!], -1), 'y');
    g.output(op.dimOf(g, c, 1), 'n');
    const out = await run(g, { x: f32([0, 1, 2, 3, 4, 5, 6, 7], [1, 2, 4]) });
    assert.deepEqual(Array.from(out.y!.data as Float32Array), [5, 6, 7, 4]);
    assert.deepEqual(Array.from(out.n!.data as BigInt64Array), [4n]);
  });
});
