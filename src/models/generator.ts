// Continuous batching over one loaded model (runs where the ModelRuntime is, i.e. in an engine worker).
// Each loop iteration is one step boundary: queued requests are admitted (prompts up to `prefillChunk`
// tokens prefilled together in left-padded groups, prefill.ts; longer ones alone in chunks, through the
// delta-KV graph on their own cache rows; first token sampled), then one decode step runs every
// active row (last-position logits only), each row samples with its own seeded PRNG, and finished rows
// are freed (the last row moves into the hole). Deterministic mode admits one request at a time, so a
// seed's output never depends on what else is queued. A request whose signal is aborted is dropped at the
// next step boundary (its cache row freed) and rejected with ThreadError 'cancelled'.
// Prompt cache: a prompt prefilled once is not prefilled again while its K/V and last logits are kept
// (exact token match, least recently used out past `promptCacheBytes`): the 8 samples of a GRPO group, a
// tree's roots and an evaluation's samples share their problem's prompt, and prefill in small admission
// groups was a third of the engine's time in the RL loop (bench/README.md "rl-loop"). A row admitted from
// the cache gets the K/V rows its own prefill would compute and samples its first token from the same
// logits with its own PRNG; in deterministic mode, where every prefill is one row alone, the result is
// the same bits as a prefill.
import { KvCache } from './kvcache';
import { prefillGroups, prefillRows } from './prefill';
import type { ModelRuntime, StepOut } from './runtime';
import { Rng } from '../search/rng';
import { sampleToken, type SamplingParams } from './sampling';
import { ThreadError } from './threadRpc';

export type FinishReason = 'eos' | 'stop' | 'length';

export interface GenJob {
  promptIds: number[];
  sampling: SamplingParams;
  seed: number;
  maxNewTokens: number;
  eosIds: number[];
  stop: string[];
}

export interface GenOutput {
  tokenIds: number[];
  logprobs: number[];
  rawLogprobs: number[];
  finishReason: FinishReason;
  /** Decoded text (special tokens skipped), cut before a matched stop string. */
  text: string;
}

export interface GeneratorOptions {
  /** Most rows decoded together (default 32). */
  maxBatch?: number;
  /** One request at a time (default false). */
  deterministic?: boolean;
  /** Prompt tokens per prefill step (default 512); longer prompts are prefilled alone, in chunks. */
  prefillChunk?: number;
  /** Most padded tokens (rows × longest prompt) in one batched prefill run (default 4096). */
  prefillTokens?: number;
  /** Bytes of prompt K/V kept for prompts seen again (default 64 MiB; 0: no prompt cache). */
  promptCacheBytes?: number;
}

/** A prefilled prompt: its K/V per layer (nkv, len, hd), the last position's logits and their log-sum-exp. */
interface CachedPrompt {
  len: number;
  k: Float32Array[];
  v: Float32Array[];
  logits: Float32Array;
  lse: number;
  bytes: number;
}

interface Row {
  job: GenJob;
  /** The prompt cache's key of its prompt ids. */
  key: string;
  rng: Rng;
  tokens: number[];
  logprobs: number[];
  raw: number[];
  eos: Set<number>;
  maxStopLen: number;
  signal?: AbortSignal;
  done: (out: GenOutput) => void;
  fail: (err: Error) => void;
}

export class Generator {
  private queue: Row[] = [];
  private rows: Row[] = [];
  private cache: KvCache;
  private running = false;
  private readonly maxBatch: number;
  private readonly chunk: number;
  private readonly prefillTokens: number;
  private readonly promptCacheBytes: number;
  /** Prompt key → its K/V, in least recently used order (Map order). */
  private prompts = new Map<string, CachedPrompt>();
  private promptBytes = 0;
  /** Prompt prefills avoided and run (for tests and benches). */
  readonly promptStats = { hits: 0, prefills: 0 };

  constructor(private readonly rt: ModelRuntime, private readonly decode: (ids: number[]) => string, opts: GeneratorOptions = {}) {
    this.maxBatch = opts.deterministic ? 1 : Math.max(1, opts.maxBatch ?? 32);
    this.chunk = opts.prefillChunk ?? 512;
    this.prefillTokens = Math.max(1, opts.prefillTokens ?? 4096);
    this.promptCacheBytes = Math.max(0, opts.promptCacheBytes ?? 64 << 20);
    this.cache = new KvCache(rt.cfg.numLayers, rt.cfg.numKvHeads, rt.cfg.headDim);
  }

  /** Requests queued or running. */
  get load(): number {
    return this.queue.length + this.rows.length;
  }

  submit(job: GenJob, signal?: AbortSignal): Promise<GenOutput> {
    const max = this.rt.cfg.maxPositionEmbeddings;
    if (job.promptIds.length === 0) return Promise.reject(new ThreadError('bad_request', 'empty prompt: at least one prompt token is needed'));
    if (job.promptIds.length >= max) {
      return Promise.reject(new ThreadError('prompt_too_long', `prompt has ${job.promptIds.length} tokens; the model's max_position_embeddings is ${max}`));
    }
    if (signal?.aborted) return Promise.reject(new ThreadError('cancelled', 'generation was cancelled'));
    return new Promise((resolve, reject) => {
      this.queue.push({
        job, key: job.promptIds.join(','), rng: Rng.fromSeed(job.seed), tokens: [], logprobs: [], raw: [], eos: new Set(job.eosIds),
        maxStopLen: Math.max(0, ...job.stop.map((s) => s.length)), signal, done: resolve, fail: reject,
      });
      if (!this.running) {
        // start at the next macrotask, so requests submitted together are admitted (and prefilled) together
        this.running = true;
        setImmediate(() => void this.loop());
      }
    });
  }

  private async loop(): Promise<void> {
    try {
      while (this.queue.length > 0 || this.rows.length > 0) {
        this.dropCancelled();
        const admitted: Row[] = [];
        while (this.queue.length > 0 && this.rows.length + admitted.length < this.maxBatch) admitted.push(this.queue.shift()!);
        if (admitted.length > 0) await this.admitAll(admitted);
        if (this.rows.length > 0) await this.decodeStep();
        await new Promise((r) => setImmediate(r)); // let new requests arrive at the step boundary
      }
    } catch (err) {
      for (const r of [...this.rows, ...this.queue]) r.fail(err as Error);
      this.rows = [];
      this.queue = [];
      this.cache.reset();
    } finally {
      this.running = false;
    }
  }

  /** Rejects and removes the requests whose signal was aborted: queued ones, and active rows (cache freed). */
  private dropCancelled(): void {
    const cancelled = (r: Row) => r.signal?.aborted === true;
    const fail = (r: Row) => r.fail(new ThreadError('cancelled', 'generation was cancelled'));
    this.queue.filter(cancelled).forEach(fail);
    this.queue = this.queue.filter((r) => !cancelled(r));
    for (let b = this.rows.length - 1; b >= 0; b--) {
      const row = this.rows[b]!;
      if (!cancelled(row)) continue;
      this.finish(b);
      fail(row);
    }
  }

  /**
   * Admits the rows of one step boundary: a prompt in the prompt cache is copied in; of the rest, each
   * distinct prompt is prefilled once (short ones in batched groups, long ones alone) and its other rows
   * are copied from it.
   */
  private async admitAll(admitted: Row[]): Promise<void> {
    const fresh = new Map<string, Row[]>();
    const copies: Row[] = [];
    for (const row of admitted) {
      if (this.prompts.has(row.key)) copies.push(row);
      else if (fresh.has(row.key)) fresh.get(row.key)!.push(row);
      else fresh.set(row.key, [row]);
    }
    const leaders = [...fresh.values()].map((rows) => rows[0]!);
    // Rows of a prompt too large for the cache are prefilled each on its own.
    for (const rows of fresh.values()) {
      if (rows.length > 1 && !this.cacheable(rows[0]!.job.promptIds.length)) leaders.push(...rows.slice(1));
      else copies.push(...rows.slice(1));
    }
    const short = leaders.filter((r) => r.job.promptIds.length <= this.chunk);
    for (const row of leaders) if (row.job.promptIds.length > this.chunk) await this.admit(row);
    for (const group of prefillGroups(short.map((r) => r.job.promptIds.length), this.prefillTokens)) {
      const rows = group.map((i) => short[i]!);
      const from = this.cache.rows;
      this.cache.reserve(from + rows.length, Math.max(...rows.map((r) => r.job.promptIds.length)) + 1);
      for (const row of rows) {
        this.cache.addRow();
        this.rows.push(row);
      }
      this.cache.ensureCap(Math.max(...rows.map((r) => r.job.promptIds.length)) + 1);
      const out = await prefillRows(this.rt, this.cache, from, rows.map((r) => r.job.promptIds));
      this.promptStats.prefills += rows.length;
      const V = this.rt.cfg.vocabSize;
      rows.forEach((row, b) => this.remember(row, from + b, out.logits.subarray(b * V, (b + 1) * V), out.lse[b]!));
      const finished = rows.map((row, b) => (this.take(row, out.logits.subarray(b * V, (b + 1) * V), out.lse[b]!) ? from + b : -1)).filter((i) => i >= 0);
      for (const i of finished.reverse()) this.finish(i);
    }
    for (const row of copies) {
      const hit = this.prompts.get(row.key);
      if (!hit) {
        await this.admitAll([row]); // evicted by a larger prompt of this admission
        continue;
      }
      this.prompts.delete(row.key);
      this.prompts.set(row.key, hit); // most recently used
      const r = this.cache.addRow();
      this.rows.push(row);
      this.cache.ensureCap(hit.len + 1);
      this.cache.write(r, hit.len, hit.k, hit.v);
      this.promptStats.hits++;
      if (this.take(row, hit.logits, hit.lse)) this.finish(r);
    }
  }

  private cacheable(len: number): boolean {
    const { numLayers, numKvHeads, headDim } = this.rt.cfg;
    return 2 * numLayers * numKvHeads * len * headDim * 4 + this.rt.cfg.vocabSize * 4 <= this.promptCacheBytes;
  }

  /** Keeps cache row `r`'s prompt K/V (just prefilled) and its last logits, evicting the least recently used past the budget. */
  private remember(row: Row, r: number, logits: Float32Array, lse: number): void {
    const len = row.job.promptIds.length;
    if (!this.cacheable(len)) return;
    const { k, v } = this.cache.read(r, len);
    const entry: CachedPrompt = { len, k, v, logits: logits.slice(), lse, bytes: 2 * k.reduce((s, a) => s + a.byteLength, 0) + logits.byteLength };
    const old = this.prompts.get(row.key);
    if (old) this.promptBytes -= old.bytes;
    this.prompts.delete(row.key);
    this.prompts.set(row.key, entry);
    this.promptBytes += entry.bytes;
    for (const [k2, e] of this.prompts) {
      if (this.promptBytes <= this.promptCacheBytes) break;
      this.prompts.delete(k2);
      this.promptBytes -= e.bytes;
    }
  }

  /** Prefills one row alone, in chunks of `prefillChunk` tokens. */
  private async admit(row: Row): Promise<void> {
    const ids = row.job.promptIds;
    const r = this.cache.addRow();
    this.rows.push(row);
    this.cache.ensureCap(ids.length + 1);
    let last: StepOut | null = null;
    for (let start = 0; start < ids.length; start += this.chunk) {
      const piece = ids.slice(start, start + this.chunk);
      const S = piece.length;
      const pos = piece.map((_, i) => start + i);
      // The first chunk of a fresh row attends to no cached slot: run it on an empty past (cap 0) rather
      // than on `cap` fully masked slots — the same result, without the attention work on the masked ones.
      const out = start === 0
        ? await this.rt.stepRun(piece, pos, new BigInt64Array(S).fill(1n), 1, S, 0, this.rt.emptyPast())
        : await this.rt.stepRun(piece, pos, this.cache.mask(r, 1, S), 1, S, this.cache.cap, this.cache.past(r, 1));
      this.cache.append(r, 1, S, out.kv);
      last = out;
    }
    this.promptStats.prefills++;
    this.remember(row, r, last!.logits, last!.lse[0]!);
    if (this.take(row, last!.logits, last!.lse[0]!)) this.finish(r);
  }

  private async decodeStep(): Promise<void> {
    const B = this.rows.length;
    this.cache.ensureCap(Math.max(...this.cache.lengths) + 1);
    const ids = this.rows.map((r) => r.tokens[r.tokens.length - 1]!);
    const pos = this.cache.lengths.slice();
    const out = await this.rt.stepRun(ids, pos, this.cache.mask(0, B, 1), B, 1, this.cache.cap, this.cache.past(0, B));
    this.cache.append(0, B, 1, out.kv);
    const V = this.rt.cfg.vocabSize;
    const finished: number[] = [];
    for (let b = 0; b < B; b++) if (this.take(this.rows[b]!, out.logits.subarray(b * V, (b + 1) * V), out.lse[b]!)) finished.push(b);
    for (const b of finished.reverse()) this.finish(b);
  }

  /** Samples the row's next token from `logits`; returns true when the row is finished. */
  private take(row: Row, logits: Float32Array, lse: number): boolean {
    const s = sampleToken(logits, row.job.sampling, row.job.sampling.temperature > 0 ? row.rng.uniform32() : 0, lse);
    row.tokens.push(s.token);
    row.logprobs.push(s.logprob);
    row.raw.push(s.rawLogprob);
    if (row.eos.has(s.token)) return this.resolve(row, 'eos');
    if (row.maxStopLen > 0) {
      const tail = this.decode(row.tokens.slice(-(4 * row.maxStopLen + 4)));
      if (row.job.stop.some((st) => tail.includes(st))) return this.resolve(row, 'stop');
    }
    const ctx = row.job.promptIds.length + row.tokens.length;
    if (row.tokens.length >= row.job.maxNewTokens || ctx >= this.rt.cfg.maxPositionEmbeddings) return this.resolve(row, 'length');
    return false;
  }

  private resolve(row: Row, reason: FinishReason): true {
    let text = this.decode(row.tokens);
    if (reason === 'stop') {
      const cut = Math.min(...row.job.stop.map((s) => text.indexOf(s)).filter((i) => i >= 0));
      text = text.slice(0, cut);
    }
    row.done({ tokenIds: row.tokens, logprobs: row.logprobs, rawLogprobs: row.raw, finishReason: reason, text });
    return true;
  }

  private finish(index: number): void {
    const moved = this.cache.removeRow(index);
    if (moved >= 0) this.rows[index] = this.rows[moved]!;
    this.rows.pop();
  }
}
