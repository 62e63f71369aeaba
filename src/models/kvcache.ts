// The KV cache of a decode batch, kept in JS memory and fed to the delta-KV graph as zero-copy inputs
// (onnx-engine.md §3): per layer one slab (maxRows, nkv, cap, hd) for K and one for V. Active rows are
// 0..rows-1, so a step feeds the slabs' first `rows` rows as-is; removing a row moves the last row into
// its place. Slot j of a row holds position j; `lengths[r]` slots are valid.
import type { KvRows } from './runtime';

export class KvCache {
  k: Float32Array[] = [];
  v: Float32Array[] = [];
  lengths: number[] = [];
  cap = 0;
  private maxRows = 0;

  constructor(private readonly layers: number, private readonly nkv: number, private readonly hd: number) {}

  get rows(): number {
    return this.lengths.length;
  }

  private get rowFloats(): number {
    return this.nkv * this.cap * this.hd;
  }

  /** Re-lays out the slabs for `maxRows` rows of `cap` slots, keeping the valid contents. */
  private relayout(maxRows: number, cap: number): void {
    const { nkv, hd } = this;
    const next = (old: Float32Array) => {
      const a = new Float32Array(maxRows * nkv * cap * hd);
      for (let r = 0; r < this.rows; r++) {
        const n = this.lengths[r]! * hd;
        for (let h = 0; h < nkv; h++) {
          const src = ((r * nkv + h) * this.cap) * hd;
          a.set(old.subarray(src, src + n), ((r * nkv + h) * cap) * hd);
        }
      }
      return a;
    };
    this.k = Array.from({ length: this.layers }, (_, l) => next(this.k[l] ?? new Float32Array(0)));
    this.v = Array.from({ length: this.layers }, (_, l) => next(this.v[l] ?? new Float32Array(0)));
    this.maxRows = maxRows;
    this.cap = cap;
  }

  /** Makes room for `slots` slots per row (grows by ≥ 25%, in multiples of 64). */
  ensureCap(slots: number): void {
    this.reserve(this.rows, slots);
  }

  /** Makes room for `rows` rows of `slots` slots in at most one re-layout (addRow and ensureCap grow step by step). */
  reserve(rows: number, slots: number): void {
    const cap = slots <= this.cap ? this.cap : Math.ceil(Math.max(slots, this.cap * 1.25) / 64) * 64;
    const maxRows = rows <= this.maxRows ? this.maxRows : Math.max(4, rows, this.maxRows * 2);
    if (cap !== this.cap || maxRows !== this.maxRows) this.relayout(Math.max(maxRows, 1), cap);
  }

  /** Appends an empty row and returns its index. */
  addRow(): number {
    if (this.rows === this.maxRows) this.relayout(Math.max(4, this.maxRows * 2), Math.max(this.cap, 64));
    this.lengths.push(0);
    const r = this.rows - 1;
    return r;
  }

  /** Removes row r; the last row takes its index (returns the moved row's old index, or -1). */
  removeRow(r: number): number {
    const last = this.rows - 1;
    if (r !== last) {
      const n = this.rowFloats;
      for (const slab of [...this.k, ...this.v]) slab.copyWithin(r * n, last * n, (last + 1) * n);
      this.lengths[r] = this.lengths[last]!;
    }
    this.lengths.pop();
    if (this.rows === 0) this.reset();
    return r !== last ? last : -1;
  }

  reset(): void {
    this.k = [];
    this.v = [];
    this.lengths = [];
    this.cap = 0;
    this.maxRows = 0;
  }

  /** Zero-copy past inputs for rows [from, from + count). */
  past(from: number, count: number): KvRows {
    const n = this.rowFloats;
    return { k: this.k.map((s) => s.subarray(from * n, (from + count) * n)), v: this.v.map((s) => s.subarray(from * n, (from + count) * n)) };
  }

  /** attention_mask (count, cap + S): valid slots of each row, then the S new tokens. */
  mask(from: number, count: number, S: number): BigInt64Array {
    const w = this.cap + S;
    const m = new BigInt64Array(count * w);
    for (let b = 0; b < count; b++) {
      const len = this.lengths[from + b]!;
      m.fill(1n, b * w, b * w + len);
      m.fill(1n, b * w + this.cap, (b + 1) * w);
    }
    return m;
  }

  /**
   * Writes new rows kv (count, nkv, S, hd) — or (count, S, nkv, hd), kv.layout 'bsnh' — per layer at each row's current length, then advances it.
   * `skip[b]` leading positions of row b are left out (the left padding of a batched prefill).
   */
  append(from: number, count: number, S: number, kv: KvRows, skip?: readonly number[]): void {
    const { nkv, hd } = this;
    const capF = this.cap * hd;
    for (let l = 0; l < this.layers; l++) {
      for (const [slab, src] of [[this.k[l]!, kv.k[l]!], [this.v[l]!, kv.v[l]!]] as const) {
        for (let b = 0; b < count; b++) {
          const at = this.lengths[from + b]! * hd;
          const pad = skip?.[b] ?? 0;
          for (let h = 0; h < nkv; h++) {
            const dst = (((from + b) * nkv + h) * capF) + at;
            if (kv.layout !== 'bsnh') {
              const s = ((b * nkv + h) * S + pad) * hd;
              slab.set(src.subarray(s, s + (S - pad) * hd), dst);
            } else {
              for (let t = pad; t < S; t++) {
                const s = ((b * S + t) * nkv + h) * hd;
                slab.set(src.subarray(s, s + hd), dst + (t - pad) * hd);
              }
            }
          }
        }
      }
    }
    for (let b = 0; b < count; b++) this.lengths[from + b]! += S - (skip?.[b] ?? 0);
  }

  /** Row r's first `len` slots, per layer (nkv, len, hd), as copies. */
  read(r: number, len: number): { k: Float32Array[]; v: Float32Array[] } {
    const { nkv, hd } = this;
    const take = (slab: Float32Array) => {
      const out = new Float32Array(nkv * len * hd);
      for (let h = 0; h < nkv; h++) {
        const src = ((r * nkv + h) * this.cap) * hd;
        out.set(slab.subarray(src, src + len * hd), h * len * hd);
      }
      return out;
    };
    return { k: this.k.map(take), v: this.v.map(take) };
  }

  /** Writes `len` slots per layer (nkv, len, hd) into the empty row r (the cache has room), which then holds `len`. */
  write(r: number, len: number, k: readonly Float32Array[], v: readonly Float32Array[]): void {
    const { nkv, hd } = this;
    for (let l = 0; l < this.layers; l++) {
      for (const [slab, src] of [[this.k[l]!, k[l]!], [this.v[l]!, v[l]!]] as const) {
        for (let h = 0; h < nkv; h++) slab.set(src.subarray(h * len * hd, (h + 1) * len * hd), ((r * nkv + h) * this.cap) * hd);
      }
    }
    this.lengths[r] = len;
  }
}
