// The ONNX graph builder: typed value handles (name, dtype, static shape), scoped names, inline constants,
// initializers that point into one external weight buffer, graph inputs/outputs, dead-node pruning and
// serialization (opset 21, + com.microsoft 1 when a contrib op is used). Op helpers with shape inference
// live in ops.ts; model layers in ../arch. Dims are numbers (fixed) or strings (symbolic, compared as
// strings: 'B', 'S', 'cap+S').
import { encodeModel, type AttrValue, type DType, type GraphSpec, type NodeSpec, type TensorProtoSpec, type ValueInfoSpec } from './proto';

export type { DType, GraphSpec } from './proto';
export type Dim = number | string;

/** A value in the graph: what an op helper takes and returns. */
export interface Value {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly Dim[];
}

export interface GraphOptions {
  name?: string;
  /** Default ONNX opset (21: ScatterND reduction=add, Reduce* axes as input, Split num_outputs). */
  opset?: number;
}

/** Where an external initializer's bytes live: a named buffer handed to ORT as `externalData`. */
export interface ExternalRef {
  location: string;
  offset: number;
  length: number;
}

export type Attr = number | string | number[] | { float: number } | { floats: number[] } | { tensor: TensorProtoSpec } | { graph: GraphSpec };

const bytesPer: Record<DType, number> = {
  float32: 4, uint8: 1, int8: 1, int32: 4, int64: 8, bool: 1, float16: 2, float64: 8, bfloat16: 2,
};

export function dtypeBytes(d: DType): number {
  return bytesPer[d];
}

export function numel(shape: readonly Dim[]): number {
  let n = 1;
  for (const d of shape) {
    if (typeof d !== 'number') throw new Error(`numel: symbolic dim '${d}' in [${shape.join(', ')}]`);
    n *= d;
  }
  return n;
}

export function shapeStr(shape: readonly Dim[]): string {
  return `[${shape.join(', ')}]`;
}

function toAttr(v: Attr): AttrValue {
  if (typeof v === 'number') return Number.isInteger(v) ? { kind: 'int', v } : { kind: 'float', v };
  if (typeof v === 'string') return { kind: 'string', v };
  if (Array.isArray(v)) return { kind: 'ints', v };
  if ('float' in v) return { kind: 'float', v: v.float };
  if ('floats' in v) return { kind: 'floats', v: v.floats };
  if ('graph' in v) return { kind: 'graph', v: v.graph };
  return { kind: 'tensor', v: v.tensor };
}

export function rawBytes(dtype: DType, data: ArrayLike<number> | ArrayLike<bigint>): Uint8Array {
  const n = data.length;
  let arr: ArrayBufferView;
  switch (dtype) {
    case 'float32': arr = Float32Array.from(data as ArrayLike<number>); break;
    case 'float64': arr = Float64Array.from(data as ArrayLike<number>); break;
    case 'int32': arr = Int32Array.from(data as ArrayLike<number>); break;
    case 'int64': {
      const a = new BigInt64Array(n);
      for (let i = 0; i < n; i++) a[i] = BigInt(data[i] as number | bigint);
      arr = a;
      break;
    }
    case 'bool': case 'uint8': arr = Uint8Array.from(data as ArrayLike<number>); break;
    default: throw new Error(`constant of dtype ${dtype} is not supported`);
  }
  return new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength);
}

export class Graph {
  readonly opset: number;
  private readonly name: string;
  private nodes: NodeSpec[] = [];
  private inits: TensorProtoSpec[] = [];
  private inputs: ValueInfoSpec[] = [];
  private outputs: ValueInfoSpec[] = [];
  private used = new Set<string>();
  private scopes: string[] = [];
  private constCache = new Map<string, Value>();
  private initByName = new Map<string, Value>();
  private usesMs = false;

  constructor(opts: GraphOptions = {}) {
    this.opset = opts.opset ?? 21;
    this.name = opts.name ?? 'mars2';
  }

  /** Runs `fn` with `name` appended to the naming scope ('layers.3' → values 'layers.3/q', …). */
  scope<T>(name: string, fn: () => T): T {
    this.scopes.push(name);
    try {
      return fn();
    } finally {
      this.scopes.pop();
    }
  }

  /** A fresh, unique value name under the current scope. */
  fresh(hint: string): string {
    const base = [...this.scopes, hint].join('/');
    let name = base;
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }

  private claim(name: string, what: string): void {
    if (this.used.has(name)) throw new Error(`graph '${this.name}': ${what} name '${name}' is already used`);
    this.used.add(name);
  }

  input(name: string, dtype: DType, shape: Dim[]): Value {
    this.claim(name, 'input');
    this.inputs.push({ name, dtype, shape: [...shape] });
    return { name, dtype, shape: [...shape] };
  }

  /** Declares `v` a graph output called `name` (an Identity when the names differ, folded away by toSpec where it can be). */
  output(v: Value, name: string = v.name, shape: readonly Dim[] = v.shape): Value {
    let out = v;
    if (name !== v.name) {
      this.claim(name, 'output');
      this.nodes.push({ opType: 'Identity', domain: '', name: `${name}/Identity`, inputs: [v.name], outputs: [name], attrs: {} });
      out = { name, dtype: v.dtype, shape: v.shape };
    }
    this.outputs.push({ name, dtype: v.dtype, shape: [...shape] });
    return out;
  }

  /** An inline constant (deduplicated by content for small ones). */
  constant(dtype: DType, dims: number[], data: ArrayLike<number> | ArrayLike<bigint>, hint = 'const'): Value {
    const n = dims.reduce((a, b) => a * b, 1);
    if (data.length !== n) throw new Error(`constant '${hint}': ${data.length} values for dims ${shapeStr(dims)}`);
    const key = n <= 64 ? `${dtype}|${dims.join(',')}|${Array.from(data as ArrayLike<number>, String).join(',')}` : '';
    const hit = key ? this.constCache.get(key) : undefined;
    if (hit) return hit;
    const name = this.fresh(hint);
    this.inits.push({ name, dtype, dims, raw: rawBytes(dtype, data) });
    const v: Value = { name, dtype, shape: dims };
    if (key) this.constCache.set(key, v);
    return v;
  }

  /** Scalar or 1-D int64 constant. */
  ints(values: number[] | number): Value {
    return Array.isArray(values) ? this.constant('int64', [values.length], values, 'i64') : this.constant('int64', [], [values], 'i64');
  }

  /** Scalar constant of a float dtype. */
  scalar(v: number, dtype: DType = 'float32'): Value {
    return this.constant(dtype, [], [v], 'scalar');
  }

  /** An initializer whose bytes live in an external buffer (`ref.location`), or inline `raw` bytes. */
  initializer(name: string, dtype: DType, dims: number[], src: { external: ExternalRef } | { raw: Uint8Array }): Value {
    const existing = this.initByName.get(name);
    if (existing) return existing;
    this.claim(name, 'initializer');
    const bytes = numel(dims) * bytesPer[dtype];
    if ('external' in src) {
      if (src.external.length !== bytes) {
        throw new Error(`initializer '${name}' ${shapeStr(dims)} ${dtype} needs ${bytes} bytes, external ref has ${src.external.length}`);
      }
      this.inits.push({ name, dtype, dims, external: src.external });
    } else {
      if (src.raw.length !== bytes) throw new Error(`initializer '${name}' needs ${bytes} bytes, got ${src.raw.length}`);
      this.inits.push({ name, dtype, dims, raw: src.raw });
    }
    const v: Value = { name, dtype, shape: dims };
    this.initByName.set(name, v);
    return v;
  }

  /**
   * Adds one node. `outs` gives each output's dtype and shape (inferred by the op helper); returns the
   * output handles. Low level: prefer the checked helpers in ops.ts.
   */
  node(opType: string, inputs: (Value | null)[], outs: { dtype: DType; shape: readonly Dim[]; hint?: string }[], attrs: Record<string, Attr> = {}, domain = ''): Value[] {
    if (domain === 'com.microsoft') this.usesMs = true;
    const outputs = outs.map((o) => ({ name: this.fresh(o.hint ?? opType.toLowerCase()), dtype: o.dtype, shape: [...o.shape] }));
    const a: Record<string, AttrValue> = {};
    for (const [k, v] of Object.entries(attrs)) a[k] = toAttr(v);
    this.nodes.push({
      opType, domain, name: `${outputs[0]!.name}/${opType}`, inputs: inputs.map((v) => v?.name ?? ''), outputs: outputs.map((o) => o.name), attrs: a,
    });
    return outputs;
  }

  /**
   * The pruned graph (only the nodes and initializers that the outputs depend on). As a Scan/Loop body,
   * names this graph uses but does not define resolve to the outer graph's values of the same name.
   */
  toSpec(): GraphSpec {
    const needed = new Set(this.outputs.map((o) => o.name));
    const kept: NodeSpec[] = [];
    for (let i = this.nodes.length - 1; i >= 0; i--) {
      const n = this.nodes[i]!;
      if (!n.outputs.some((o) => needed.has(o))) continue;
      kept.push(n);
      for (const x of n.inputs) if (x) needed.add(x);
      for (const a of Object.values(n.attrs)) if (a.kind === 'graph') for (const x of outerNames(a.v)) needed.add(x);
    }
    kept.reverse();
    return {
      name: this.name,
      nodes: foldOutputIdentities(kept, this.outputs),
      inputs: this.inputs,
      outputs: this.outputs,
      initializers: this.inits.filter((t) => needed.has(t.name)),
    };
  }

  /** Serializes the graph (pruned as in toSpec). */
  toBytes(producer = 'mars2'): Uint8Array {
    const graph = this.toSpec();
    const opsets = [{ domain: '', version: this.opset }];
    if (this.usesMs && graph.nodes.some((n) => n.domain === 'com.microsoft')) opsets.push({ domain: 'com.microsoft', version: 1 });
    return encodeModel({ irVersion: 10, producer, opsets, graph });
  }

  /** Number of nodes added so far (before pruning). */
  get nodeCount(): number {
    return this.nodes.length;
  }
}

/** The names a subgraph reads but does not define (its implicit inputs from the outer scope). */
/**
 * Drops the Identity that `output` adds to rename a value and gives the value the output's name at its
 * producer instead (one ORT kernel less per output and run). Kept when the value is a graph output of
 * its own, an input or initializer, or referenced by a subgraph.
 */
function foldOutputIdentities(nodes: NodeSpec[], outputs: ValueInfoSpec[]): NodeSpec[] {
  const isOutput = new Set(outputs.map((o) => o.name));
  const produced = new Set(nodes.flatMap((n) => n.outputs));
  const outer = new Set<string>();
  for (const n of nodes) for (const a of Object.values(n.attrs)) if (a.kind === 'graph') for (const x of outerNames(a.v)) outer.add(x);
  const rename = new Map<string, string>();
  const dropped = new Set<NodeSpec>();
  for (const n of nodes) {
    const src = n.inputs[0]!;
    if (n.opType !== 'Identity' || n.domain !== '' || !isOutput.has(n.outputs[0]!)) continue;
    if (!produced.has(src) || isOutput.has(src) || outer.has(src) || rename.has(src)) continue;
    rename.set(src, n.outputs[0]!);
    dropped.add(n);
  }
  if (rename.size === 0) return nodes;
  const r = (x: string) => rename.get(x) ?? x;
  return nodes.filter((n) => !dropped.has(n)).map((n) => ({ ...n, inputs: n.inputs.map(r), outputs: n.outputs.map(r) }));
}

function outerNames(g: GraphSpec): string[] {
  const defined = new Set([...g.inputs.map((v) => v.name), ...g.initializers.map((t) => t.name), ...g.nodes.flatMap((n) => n.outputs)]);
  const out: string[] = [];
  for (const n of g.nodes) {
    for (const x of n.inputs) if (x && !defined.has(x)) out.push(x);
    for (const a of Object.values(n.attrs)) if (a.kind === 'graph') out.push(...outerNames(a.v).filter((x) => !defined.has(x)));
  }
  return out;
}
