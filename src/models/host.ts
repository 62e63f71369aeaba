// What an engine worker thread holds: the models it has loaded (runtime + tokenizer + generator, one
// per lineage: lineageOf) and the request → prompt-ids → result path. A request for another version of
// a loaded lineage (the same directory at a new version, or a run's next checkpoint directory) loads it
// beside the old one; the old one is released once its in-flight requests finish, so a training run
// holds one model per agent however many versions it makes (issue 15 item 4). Also usable in-process
// (tests, the CLI's single-shot path). Bad input is a ThreadError whose code says which ('model_missing',
// 'bad_request', 'bad_sampling', 'prompt_too_long') and whose message names the field; an aborted signal
// ends the request ('cancelled').
import { existsSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { Generator, type GenOutput } from './generator';
import { ModelRuntime, type RuntimeOptions } from './runtime';
import type { SamplingParams } from './sampling';
import { ThreadError, throwIfCancelled } from './threadRpc';
import { ModelTokenizer, type ChatMessage } from './tokenizer';

export interface SamplingOptions {
  /** 0 or `greedy` = argmax. Default: generation_config.json's, else 1. */
  temperature?: number;
  topP?: number;
  topK?: number;
  greedy?: boolean;
  /** Stop strings: generation ends when the decoded output contains one (text is cut before it). */
  stop?: string[];
}

export interface GenerateRequest {
  /** Model directory, or a directory plus the policy version of its weights (another version of its lineage reloads it: lineageOf). */
  model: string | { dir: string; version?: number };
  messages?: ChatMessage[];
  prompt?: string;
  sampling?: SamplingOptions;
  seed?: number;
  maxNewTokens?: number;
  /** Chat templates with a thinking switch (Qwen3): passed as `enable_thinking`. */
  enableThinking?: boolean;
  /** Projection weights (RuntimeOptions.weights; default the host's): 'int8' loads a second, quantized runtime of the model. */
  weights?: 'float32' | 'int8';
}

export interface GenerateResult extends GenOutput {
  promptTokenIds: number[];
  /** Policy version that produced the result (0 when none was given). */
  version: number;
}

export interface HostOptions extends RuntimeOptions {
  maxBatch?: number;
  deterministic?: boolean;
  prefillChunk?: number;
  /** Most padded tokens in one batched prefill run (GeneratorOptions.prefillTokens). */
  prefillTokens?: number;
  /** Most models kept loaded (default 8): past it, the least recently requested is released once idle
   *  (a worker serves run after run, and each run's checkpoints are a lineage of their own). */
  maxModels?: number;
  /** Bytes of prompt K/V each loaded model keeps for prompts seen again (GeneratorOptions.promptCacheBytes). */
  promptCacheBytes?: number;
}

interface Loaded {
  dir: string;
  version: number;
  rt: ModelRuntime;
  tok: ModelTokenizer;
  gen: Generator;
  eosIds: number[];
}

/**
 * The lineage a model directory at a policy version belongs to: version n ≥ 1 of a run's agent is the
 * checkpoint `<checkpoints>/<agent>/v<n>` (src/store/layout checkpointDir), so its lineage is the
 * parent directory, which all the agent's versions share; any other directory is a lineage of its own.
 * The base model (version 0) is its own lineage: it stays loaded beside its checkpoints' latest.
 */
export function lineageOf(dir: string, version: number): string {
  return version > 0 && basename(dir) === `v${version}` ? dirname(dir) : dir;
}

export class ModelHost {
  /** The latest loaded model of each lineage (by weights kind: `${weights}:${lineageOf(…)}`). */
  private current = new Map<string, Promise<Loaded>>();
  private retiring = new Set<Loaded>();
  /** The loaded model each settled `current` promise holds. */
  private ready = new Map<Promise<Loaded>, Loaded>();

  constructor(private readonly opts: HostOptions = {}) {}

  private async load(dir: string, version: number, weights: 'float32' | 'int8'): Promise<Loaded> {
    if (!existsSync(dir)) throw new ThreadError('model_missing', `model directory ${dir} does not exist`);
    const rt = await ModelRuntime.load(dir, { ...this.opts, weights });
    const tok = ModelTokenizer.load(dir);
    const eos = new Set([...rt.gen.eosTokenIds, ...rt.cfg.eosTokenIds]);
    if (tok.eosTokenId !== undefined) eos.add(tok.eosTokenId);
    const gen = new Generator(rt, (ids) => tok.decode(ids), this.opts);
    return { dir, version, rt, tok, gen, eosIds: [...eos] };
  }

  /** The loaded model for `dir` at `version` (with `weights`), loading (or reloading) as needed. */
  async model(dir: string, version = 0, weights: 'float32' | 'int8' = this.opts.weights ?? 'float32'): Promise<Loaded> {
    const key = `${weights}:${lineageOf(dir, version)}`;
    for (;;) {
      const hit = this.current.get(key);
      if (!hit) break;
      const m = await hit.catch(() => null);
      if (this.current.get(key) !== hit) continue; // replaced while we waited
      if (m && m.dir === dir && m.version === version) {
        this.current.delete(key); // most recently used last
        this.current.set(key, hit);
        return m;
      }
      if (m) this.retiring.add(m);
      this.ready.delete(hit);
      break;
    }
    const p = this.load(dir, version, weights);
    this.current.set(key, p);
    p.then((m) => this.ready.set(p, m), () => {
      if (this.current.get(key) === p) this.current.delete(key);
    });
    this.evict();
    return p;
  }

  /** Retires the least recently requested loaded models past maxModels (released by sweep once idle). */
  private evict(): void {
    const max = Math.max(1, this.opts.maxModels ?? 8);
    for (const [key, p] of this.current) {
      if (this.current.size <= max) break;
      const m = this.ready.get(p);
      if (!m) continue; // still loading
      this.current.delete(key);
      this.ready.delete(p);
      this.retiring.add(m);
    }
    void this.sweep();
  }

  async generate(req: GenerateRequest, signal?: AbortSignal): Promise<GenerateResult> {
    const dir = typeof req.model === 'string' ? req.model : req.model.dir;
    const version = typeof req.model === 'string' ? 0 : (req.model.version ?? 0);
    if (req.messages && req.prompt !== undefined) throw new ThreadError('bad_request', 'give either messages or prompt, not both');
    if (!req.messages && req.prompt === undefined) throw new ThreadError('bad_request', 'a generate request needs messages or a prompt');
    const maxNewTokens = req.maxNewTokens ?? 512;
    if (!Number.isInteger(maxNewTokens) || maxNewTokens < 1) throw new ThreadError('bad_request', `maxNewTokens must be a positive integer, found ${maxNewTokens}`);
    const m = await this.model(dir, version, req.weights);
    throwIfCancelled(signal, 'generation');
    const promptIds = req.messages
      ? m.tok.encodeChat(req.messages, { addGenerationPrompt: true, enableThinking: req.enableThinking })
      : m.tok.encode(req.prompt!);
    const s = req.sampling ?? {};
    const g = m.rt.gen;
    const sampling: SamplingParams = {
      temperature: s.greedy ? 0 : (s.temperature ?? g.temperature ?? 1),
      topP: s.topP ?? g.topP ?? 1,
      topK: s.topK ?? g.topK ?? 0,
    };
    const bad = !(sampling.temperature >= 0)
      ? `sampling.temperature must be ≥ 0, found ${sampling.temperature}`
      : !(sampling.topP > 0 && sampling.topP <= 1)
        ? `sampling.topP must be in (0, 1], found ${sampling.topP}`
        : !(sampling.topK >= 0)
          ? `sampling.topK must be ≥ 0, found ${sampling.topK}`
          : null;
    if (bad) throw new ThreadError('bad_sampling', bad);
    try {
      const out = await m.gen.submit({
        promptIds, sampling, seed: req.seed ?? 0, maxNewTokens, eosIds: m.eosIds, stop: s.stop ?? [],
      }, signal);
      return { ...out, promptTokenIds: promptIds, version: m.version };
    } finally {
      void this.sweep();
    }
  }

  /**
   * Releases retired models that have no requests left. Sweeps overlap (each generate ends with one), so
   * a model is taken out of `retiring` before its release, and only by the sweep that finds it there: a
   * session is released once (a second release throws 'Session already disposed', and in the engine
   * thread that was an uncaught rejection that ended the thread).
   */
  private async sweep(): Promise<void> {
    for (const m of [...this.retiring]) {
      if (!this.retiring.has(m) || m.gen.load > 0) continue;
      this.retiring.delete(m);
      await m.rt.release().catch((err: unknown) => console.error(`mars2 engine: releasing ${m.dir} v${m.version} failed: ${String(err)}`));
    }
  }

  /** Models loaded for requests (`current`) and retired ones not yet released (`retiring`). */
  stats(): { current: number; retiring: number } {
    return { current: this.current.size, retiring: this.retiring.size };
  }

  async close(): Promise<void> {
    const all = await Promise.all([...this.current.values()].map((p) => p.catch(() => null)));
    this.current.clear();
    this.ready.clear();
    for (const m of [...all, ...this.retiring]) if (m) await m.rt.release();
    this.retiring.clear();
  }
}
