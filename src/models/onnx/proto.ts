// A minimal protobuf encoder for the subset of onnx.proto (ONNX IR ≥ 8) that mars2 emits: ModelProto,
// GraphProto (also as a node attribute: Scan/Loop bodies), NodeProto, AttributeProto,
// ValueInfoProto/TypeProto (tensors only), TensorProto (raw or
// external data) and OperatorSetIdProto. Field numbers are those of onnx/onnx.proto; repeated scalars are
// written unpacked (proto2's default, which every parser accepts). Writing it by hand avoids a protobufjs
// code-generation dependency for ~10 message types.

export const TensorDataType = {
  float32: 1,
  uint8: 2,
  int8: 3,
  int32: 6,
  int64: 7,
  bool: 9,
  float16: 10,
  float64: 11,
  bfloat16: 16,
} as const;
export type DType = keyof typeof TensorDataType;

export interface TensorProtoSpec {
  name: string;
  dtype: DType;
  dims: number[];
  /** Little-endian raw bytes; omitted for external data. */
  raw?: Uint8Array;
  /** External data: file name (as given to ORT's `externalData[].path`), byte offset and length. */
  external?: { location: string; offset: number; length: number };
}

export interface ValueInfoSpec {
  name: string;
  dtype: DType;
  /** Numbers are fixed dims, strings symbolic ones; undefined = unknown shape. */
  shape?: (number | string)[];
}

export type AttrValue =
  | { kind: 'int'; v: number }
  | { kind: 'float'; v: number }
  | { kind: 'string'; v: string }
  | { kind: 'ints'; v: number[] }
  | { kind: 'floats'; v: number[] }
  | { kind: 'tensor'; v: TensorProtoSpec }
  | { kind: 'graph'; v: GraphSpec };

export interface NodeSpec {
  opType: string;
  domain: string;
  name: string;
  inputs: string[];
  outputs: string[];
  attrs: Record<string, AttrValue>;
}

export interface GraphSpec {
  name: string;
  nodes: NodeSpec[];
  inputs: ValueInfoSpec[];
  outputs: ValueInfoSpec[];
  initializers: TensorProtoSpec[];
}

export interface ModelSpec {
  irVersion: number;
  opsets: { domain: string; version: number }[];
  producer: string;
  graph: GraphSpec;
}

/** Growable byte sink with protobuf wire-format primitives. */
class Writer {
  private buf = new Uint8Array(1024);
  len = 0;

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  varint(value: number | bigint): void {
    // int64 fields: negative values are written as 10-byte two's complement.
    let v = BigInt.asUintN(64, BigInt(value));
    this.ensure(10);
    while (v >= 0x80n) {
      this.buf[this.len++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.len++] = Number(v);
  }

  tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }

  bytes(field: number, data: Uint8Array): void {
    this.tag(field, 2);
    this.varint(data.length);
    this.ensure(data.length);
    this.buf.set(data, this.len);
    this.len += data.length;
  }

  string(field: number, s: string): void {
    this.bytes(field, new TextEncoder().encode(s));
  }

  int(field: number, v: number | bigint): void {
    this.tag(field, 0);
    this.varint(v);
  }

  float(field: number, v: number): void {
    this.tag(field, 5);
    this.ensure(4);
    new DataView(this.buf.buffer, this.buf.byteOffset + this.len, 4).setFloat32(0, v, true);
    this.len += 4;
  }

  message(field: number, write: (w: Writer) => void): void {
    const sub = new Writer();
    write(sub);
    this.bytes(field, sub.finish());
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

function writeTensor(w: Writer, t: TensorProtoSpec): void {
  for (const d of t.dims) w.int(1, d); // dims
  w.int(2, TensorDataType[t.dtype]); // data_type
  w.string(8, t.name); // name
  if (t.external) {
    const entries: [string, string][] = [
      ['location', t.external.location],
      ['offset', String(t.external.offset)],
      ['length', String(t.external.length)],
    ];
    for (const [key, value] of entries) {
      w.message(13, (e) => {
        e.string(1, key);
        e.string(2, value);
      }); // external_data
    }
    w.int(14, 1); // data_location = EXTERNAL
  } else {
    w.bytes(9, t.raw ?? new Uint8Array(0)); // raw_data
  }
}

function writeValueInfo(w: Writer, v: ValueInfoSpec): void {
  w.string(1, v.name);
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.int(1, TensorDataType[v.dtype]); // elem_type
      if (v.shape) {
        tensor.message(2, (shape) => {
          for (const d of v.shape!) {
            shape.message(1, (dim) => (typeof d === 'number' ? dim.int(1, d) : dim.string(2, d)));
          }
        });
      }
    }),
  );
}

const attrType = { float: 1, int: 2, string: 3, tensor: 4, graph: 5, floats: 6, ints: 7 } as const;

function writeAttr(w: Writer, name: string, a: AttrValue): void {
  w.string(1, name);
  w.int(20, attrType[a.kind]); // type
  switch (a.kind) {
    case 'float':
      w.float(2, a.v);
      break;
    case 'int':
      w.int(3, a.v);
      break;
    case 'string':
      w.string(4, a.v);
      break;
    case 'tensor':
      w.message(5, (t) => writeTensor(t, a.v));
      break;
    case 'graph':
      w.message(6, (sub) => writeGraph(sub, a.v));
      break;
    case 'floats':
      for (const f of a.v) w.float(7, f);
      break;
    case 'ints':
      for (const i of a.v) w.int(8, i);
      break;
  }
}

function writeNode(w: Writer, n: NodeSpec): void {
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name);
  w.string(4, n.opType);
  for (const [k, a] of Object.entries(n.attrs)) w.message(5, (m) => writeAttr(m, k, a));
  if (n.domain) w.string(7, n.domain);
}

function writeGraph(w: Writer, g: GraphSpec): void {
  for (const n of g.nodes) w.message(1, (m) => writeNode(m, n));
  w.string(2, g.name);
  for (const t of g.initializers) w.message(5, (m) => writeTensor(m, t));
  for (const v of g.inputs) w.message(11, (m) => writeValueInfo(m, v));
  for (const v of g.outputs) w.message(12, (m) => writeValueInfo(m, v));
}

/** Serializes a ModelProto. */
export function encodeModel(m: ModelSpec): Uint8Array {
  const w = new Writer();
  w.int(1, m.irVersion);
  w.string(2, m.producer);
  w.message(7, (g) => writeGraph(g, m.graph));
  for (const o of m.opsets) {
    w.message(8, (op) => {
      if (o.domain) op.string(1, o.domain);
      op.int(2, o.version);
    });
  }
  return w.finish();
}
