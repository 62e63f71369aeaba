// Byte-level BPE training (GPT-2, Radford et al. 2019; HF tokenizers' BpeTrainer), pure and
// deterministic: the same texts and options give the same vocabulary and merges, whatever the machine.
//
//   pre-tokenization   the text is first split around the special tokens (never learned from), then by
//                      GPT-2's regex (the one HF's ByteLevel pre-tokenizer uses with use_regex, and that
//                      @huggingface/tokenizers runs), and each piece's UTF-8 bytes are mapped to GPT-2's
//                      printable byte alphabet (bytes_to_unicode). add_prefix_space is false.
//   vocabulary         ids 0..S−1 the special tokens in the order given, S..S+255 the 256 byte symbols in
//                      byte order (so every text encodes, no unknown token), then one id per new merge.
//   merges             repeatedly the adjacent pair with the highest count over the corpus (a word's count
//                      times its occurrences in the word, overlapping ones included, as HF counts); ties go
//                      to the smaller (left id, right id). Occurrences are merged left to right. Stops at
//                      `vocabSize` tokens, or when the best pair occurs fewer than `minFrequency` times.
//   versus HF          HF's trainer breaks count ties the same way but numbers its alphabet in its own
//                      order, so ids differ from a BpeTrainer's; like HF, a merge whose string is already
//                      a token adds a merge and no id.
// Data structures: a lazy max-heap of (count, pair) entries, re-checked against the live count when popped
// (HF's approach), and, per pair, the words it occurs in; a merge rewrites only those words.

/** GPT-2's pre-tokenizer split (HF ByteLevel, use_regex: true). */
export const GPT2_SPLIT = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/** GPT-2's bytes_to_unicode: byte b → a printable character (printable Latin-1 bytes map to themselves). */
export const BYTE_TO_CHAR: readonly string[] = (() => {
  const keep = (b: number) => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  const out: string[] = [];
  let n = 0;
  for (let b = 0; b < 256; b++) out.push(String.fromCharCode(keep(b) ? b : 256 + n++));
  return out;
})();

export interface BpeOptions {
  /** Total tokens, special tokens and the 256 byte symbols included. */
  vocabSize: number;
  /** A pair is merged only if it occurs at least this often (default 2). */
  minFrequency?: number;
  specialTokens: readonly string[];
}

export interface BpeModel {
  /** Token strings by id (byte-level alphabet; special tokens as written). */
  vocab: string[];
  /** Merges in rank order, as [left, right] token strings. */
  merges: [string, string][];
  specialTokens: string[];
}

const encoder = new TextEncoder();

/** The byte-level pre-tokens of `text` (special tokens removed). */
export function preTokenize(text: string, specialTokens: readonly string[] = []): string[] {
  let parts = [text];
  for (const s of specialTokens) parts = parts.flatMap((p) => p.split(s));
  const out: string[] = [];
  for (const p of parts) {
    for (const piece of p.match(GPT2_SPLIT) ?? []) {
      let w = '';
      for (const b of encoder.encode(piece)) w += BYTE_TO_CHAR[b];
      out.push(w);
    }
  }
  return out;
}

// A pair (left id, right id) as one number; ids stay below 2^21.
const ID_BITS = 2 ** 21;
/** The largest vocabulary the trainer makes. */
export const MAX_VOCAB = ID_BITS;
const pairKey = (a: number, b: number) => a * ID_BITS + b;

/** Validates options; the error names the option. */
export function checkBpeOptions(o: BpeOptions): void {
  const min = 256 + o.specialTokens.length;
  if (!Number.isInteger(o.vocabSize) || o.vocabSize < min || o.vocabSize > ID_BITS) {
    throw new RangeError(`vocabSize must be an integer from ${min} (256 byte symbols + ${o.specialTokens.length} special tokens) to ${ID_BITS}, got ${o.vocabSize}`);
  }
  const mf = o.minFrequency ?? 2;
  if (!Number.isInteger(mf) || mf < 1) throw new RangeError(`minFrequency must be a positive integer, got ${mf}`);
  const seen = new Set<string>();
  for (const s of o.specialTokens) {
    if (s.length === 0 || seen.has(s)) throw new RangeError(`special tokens must be distinct and non-empty, got ${JSON.stringify(o.specialTokens)}`);
    seen.add(s);
  }
}

/** Max-heap on (count desc, key asc). */
class PairHeap {
  private counts: number[] = [];
  private keys: number[] = [];

  get size(): number {
    return this.keys.length;
  }

  private above(i: number, j: number): boolean {
    const ci = this.counts[i]!, cj = this.counts[j]!;
    return ci > cj || (ci === cj && this.keys[i]! < this.keys[j]!);
  }

  private swap(i: number, j: number): void {
    [this.counts[i], this.counts[j]] = [this.counts[j]!, this.counts[i]!];
    [this.keys[i], this.keys[j]] = [this.keys[j]!, this.keys[i]!];
  }

  push(count: number, key: number): void {
    this.counts.push(count);
    this.keys.push(key);
    for (let i = this.keys.length - 1; i > 0;) {
      const p = (i - 1) >> 1;
      if (!this.above(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }

  pop(): { count: number; key: number } {
    const top = { count: this.counts[0]!, key: this.keys[0]! };
    const lastC = this.counts.pop()!, lastK = this.keys.pop()!;
    if (this.keys.length > 0) {
      this.counts[0] = lastC;
      this.keys[0] = lastK;
      for (let i = 0; ;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < this.keys.length && this.above(l, m)) m = l;
        if (r < this.keys.length && this.above(r, m)) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
    return top;
  }
}

/** Learns a byte-level BPE vocabulary and merges from `texts`. */
export function trainBpe(texts: Iterable<string>, opts: BpeOptions): BpeModel {
  checkBpeOptions(opts);
  const minFrequency = opts.minFrequency ?? 2;
  const specials = [...opts.specialTokens];
  const vocab = [...specials, ...BYTE_TO_CHAR];
  const ids = new Map(vocab.map((t, i) => [t, i]));
  const byteId = new Map(BYTE_TO_CHAR.map((c, b) => [c, specials.length + b]));

  // Unique words with their counts, as symbol-id arrays.
  const wordCounts = new Map<string, number>();
  for (const text of texts) for (const w of preTokenize(text, specials)) wordCounts.set(w, (wordCounts.get(w) ?? 0) + 1);
  const words: number[][] = [];
  const freq: number[] = [];
  for (const [w, c] of wordCounts) {
    words.push(Array.from(w, (ch) => byteId.get(ch)!));
    freq.push(c);
  }

  const counts = new Map<number, number>();
  const where = new Map<number, Set<number>>();
  for (let wi = 0; wi < words.length; wi++) {
    const w = words[wi]!;
    for (let i = 0; i + 1 < w.length; i++) {
      const k = pairKey(w[i]!, w[i + 1]!);
      counts.set(k, (counts.get(k) ?? 0) + freq[wi]!);
      let s = where.get(k);
      if (!s) where.set(k, (s = new Set()));
      s.add(wi);
    }
  }
  const heap = new PairHeap();
  for (const [k, c] of counts) heap.push(c, k);

  const merges: [string, string][] = [];
  while (vocab.length < opts.vocabSize && heap.size > 0) {
    const top = heap.pop();
    const live = counts.get(top.key) ?? 0;
    if (live !== top.count) {
      if (live > 0) heap.push(live, top.key);
      continue;
    }
    if (live < minFrequency) break;
    const a = Math.floor(top.key / ID_BITS), b = top.key % ID_BITS;
    const token = vocab[a]! + vocab[b]!;
    let id = ids.get(token);
    if (id === undefined) {
      id = vocab.length;
      vocab.push(token);
      ids.set(token, id);
    }
    merges.push([vocab[a]!, vocab[b]!]);

    const changed = new Set<number>();
    const add = (k: number, by: number) => {
      counts.set(k, (counts.get(k) ?? 0) + by);
      changed.add(k);
    };
    for (const wi of where.get(top.key)!) {
      const w = words[wi]!, f = freq[wi]!;
      let hit = false;
      for (let i = 0; i + 1 < w.length; i++) if (w[i] === a && w[i + 1] === b) hit = true;
      if (!hit) continue;
      for (let i = 0; i + 1 < w.length; i++) add(pairKey(w[i]!, w[i + 1]!), -f);
      const next: number[] = [];
      for (let i = 0; i < w.length; i++) {
        if (i + 1 < w.length && w[i] === a && w[i + 1] === b) {
          next.push(id);
          i++;
        } else next.push(w[i]!);
      }
      words[wi] = next;
      for (let i = 0; i + 1 < next.length; i++) {
        const k = pairKey(next[i]!, next[i + 1]!);
        add(k, f);
        let s = where.get(k);
        if (!s) where.set(k, (s = new Set()));
        s.add(wi);
      }
    }
    counts.delete(top.key);
    where.delete(top.key);
    changed.delete(top.key);
    for (const k of changed) {
      const c = counts.get(k)!;
      if (c > 0) heap.push(c, k);
      else counts.delete(k);
    }
  }
  return { vocab, merges, specialTokens: specials };
}
