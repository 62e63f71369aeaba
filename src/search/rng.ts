// The one seeded PRNG of mars2: xoshiro128** (Blackman & Vigna, 2018), 32-bit arithmetic, period
// 2^128 − 1, a 4-word state that serializes as plain JSON. The search's draws, the engine's per-request
// sampling stream (`Rng.fromSeed`, splitmix32 seeding), SFT batch order and property tests all use it.
//
// DESIGN §5: each tree's Thompson draws come from an Rng seeded from (run seed, iteration, problem
// id, node index), so `Rng.seeded(...parts)` hashes any list of numbers and strings into a state.
// An Rng is a small mutable object (each draw advances it); `state()` snapshots it and
// `Rng.fromState` resumes from a snapshot, so a workflow can carry it across continue-as-new.

/** A snapshot of an Rng: four unsigned 32-bit words, not all zero. */
export interface RngState {
  s: [number, number, number, number];
}

const TWO_POW_53 = 9007199254740992;
const TWO_POW_26 = 67108864;

export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  private constructor(s: readonly number[]) {
    this.s0 = s[0] >>> 0;
    this.s1 = s[1] >>> 0;
    this.s2 = s[2] >>> 0;
    this.s3 = s[3] >>> 0;
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) {
      throw new RangeError('Rng state must not be all zero (xoshiro128** would only ever return 0)');
    }
  }

  /** An Rng whose state is a hash of `parts` (numbers are taken exactly, strings by code unit). */
  static seeded(...parts: Array<number | string>): Rng {
    return new Rng(hashToState(parts));
  }

  /** An Rng seeded from one number by splitmix32 (the engine's per-request stream). */
  static fromSeed(seed: number): Rng {
    let x = (seed >>> 0) ^ Math.floor(seed / 2 ** 32);
    const s: number[] = [];
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      s.push((z ^ (z >>> 16)) >>> 0);
    }
    if (!s.some((v) => v !== 0)) s[0] = 1;
    return new Rng(s);
  }

  /** Resumes from a snapshot taken with `state()`. */
  static fromState(state: RngState): Rng {
    const s = state?.s;
    if (!Array.isArray(s) || s.length !== 4 || !s.every((w) => Number.isInteger(w) && w >= 0 && w < 2 ** 32)) {
      throw new RangeError(`Rng state must be {s: [four uint32]}, got ${JSON.stringify(state)}`);
    }
    return new Rng(s);
  }

  state(): RngState {
    return { s: [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0] };
  }

  clone(): Rng {
    return new Rng([this.s0, this.s1, this.s2, this.s3]);
  }

  /** The next 32-bit output, as an unsigned integer. */
  uint32(): number {
    const s1 = this.s1;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A uniform on [0, 1) with 32 random bits (one output). */
  uniform32(): number {
    return this.uint32() / 4294967296;
  }

  /** A double uniform on [0, 1) with 53 random bits (two 32-bit outputs). */
  uniform(): number {
    const hi = this.uint32() >>> 5; // 27 bits
    const lo = this.uint32() >>> 6; // 26 bits
    return (hi * TWO_POW_26 + lo) / TWO_POW_53;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** murmur3's 32-bit finalizer. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Hashes the parts (each tagged with its type, so 1 and '1' differ) into four words: four
 * multiply-xor lanes over the UTF-16 code units, cross-mixed and finalized. Not cryptographic; it
 * only has to spread nearby seeds (trial 0, 1, 2, …) over the state space.
 */
function hashToState(parts: Array<number | string>): number[] {
  const text = parts
    .map((p) => {
      if (typeof p === 'number') {
        if (!Number.isFinite(p)) throw new RangeError(`Rng seed parts must be finite numbers or strings, got ${p}`);
        return `n${p}`;
      }
      return `s${p.length}:${p}`;
    })
    .join('|');
  let h1 = 0x6a09e667;
  let h2 = 0xbb67ae85;
  let h3 = 0x3c6ef372;
  let h4 = 0xa54ff53a;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x9e3779b1);
    h2 = Math.imul(h2 ^ c, 0x85ebca77);
    h3 = Math.imul(h3 ^ c, 0xc2b2ae3d);
    h4 = Math.imul(h4 ^ c, 0x27d4eb2f);
  }
  h1 = fmix32(h1 ^ h2 ^ text.length);
  h2 = fmix32(h2 ^ h3 ^ h1);
  h3 = fmix32(h3 ^ h4 ^ h2);
  h4 = fmix32(h4 ^ h1 ^ h3);
  if ((h1 | h2 | h3 | h4) === 0) h4 = 1;
  return [h1, h2, h3, h4];
}

/** A uniform [0, 1) stream from one seed (`Rng.fromSeed`), for shuffles and test data. */
export function uniformStream(seed: number): () => number {
  const rng = Rng.fromSeed(seed);
  return () => rng.uniform32();
}
