// The trainer: a model's float32 parameters and AdamW state on the host, two ORT sessions of the
// training graph (graph.ts: logp and every parameter gradient for an upstream dL/dℓ; and its forward
// alone, for log-prob passes), and the steps built on it:
//   sftStep   masked token cross-entropy over the rows' loss tokens (mean over all loss tokens of the
//             batch), gradient accumulation over micro-batches, clip, AdamW, cosine schedule;
//   rlStep    GSPO/GRPO (+TIS, k3 KL) over the whole batch via loss.ts → src/rl/loss.ts, and the same
//             accumulate/clip/AdamW step; old log-probs (current weights) and reference log-probs (the
//             base model) from forward-only passes, each only when the loss reads it (rlStep says when).
// Both loss heads run on the host (loss.ts explains why); since a batch gets exactly one optimizer step,
// θ = θ_old when the weights w_t = ∂L/∂ℓ_t are computed, so ℓ = ℓ_old needs no extra forward.
// Micro-batches (planMicroBatches): rows sorted longest first, cut by a padded-token budget
// (microBatchTokens) or a row count (plan.ts); gradients add up over them, so the plan changes rounding only.
// Runs ORT on the calling thread (ORT's run blocks it): service.ts (spawnTrainService) moves it to a worker thread.
// An rlStep given an AbortSignal stops before its next micro-batch, and always before the update (cancelPoint).
// Departures / not yet done:
//   1. Rows are right-padded per micro-batch (no packing of several sequences into one row); sorting
//      by length keeps the padding small.
//   2. With TIS or KL on, ℓ_old is one forward-only pass before the fwd+bwd run: w_t needs ℓ before the
//      backward starts, and the head runs on the host (loss.ts), so the training pass cannot serve it.
//   3. The LM head runs in chunks of `headChunkRows` rows (default 256; chunkedHead.ts), so (256, V)
//      logits live at a time, at the price of recomputing them in the backward.
import * as ort from 'onnxruntime-node';
import { paramSpecs, type ParamSpec, type ParamStore } from '../arch/weights';
import type { ModelConfig } from '../hf/config';
import type { PolicyLossConfig } from '../../rl/loss';
import { defaultPolicyLossConfig } from '../../rl/loss';
import type { ExecutionProvider } from '../runtime';
import { loadCheckpoint, writeCheckpoint, type CheckpointMeta } from './checkpoint';
import { createSession } from '../ortSessions';
import { cancelPoint } from '../threadRpc';
import { buildTrainingGraph } from './graph';
import { policyLoss, sftLoss, type PolicyRow } from './loss';
import { planMicroBatches } from './plan';
import { accumulate, adamwStep, clipGradNorm, cosineLr, decays, defaultAdamW, initAdamW, type AdamWConfig, type AdamWState } from './optim';

/** One training row: the whole token sequence and, per token, whether it is a loss target. */
export interface TokenRow {
  ids: number[];
  /** (ids.length) 1 where token i is predicted and counts in the loss (i ≥ 1), else 0. */
  lossMask: number[];
}

/** One RL sample as the search produced it. */
export interface RlSample {
  promptIds: number[];
  completionIds: number[];
  /** (completionIds.length) log-probs the generation engine recorded at rollout. */
  rolloutLogp: number[];
  advantage: number;
}

export interface StepHyper {
  /** Peak learning rate and the cosine schedule (optim.ts); `totalSteps` 0 = constant lr after warm-up. */
  lr: number;
  minLr?: number;
  warmupSteps?: number;
  totalSteps?: number;
  maxGradNorm?: number;
  adamw?: Partial<Omit<AdamWConfig, 'lr'>>;
  /** Rows per fwd+bwd run (gradient accumulation over the rest); set, it overrides microBatchTokens. */
  microBatchSize?: number;
  /**
   * Padded tokens (rows × longest row) per fwd+bwd run, rows taken longest first; a row longer than
   * the budget runs alone. Default `defaultMicroBatchTokens` (plan.ts).
   */
  microBatchTokens?: number;
}


/** One RL optimizer step's settings (the trainer's rlStep). */
export interface RlHyper extends StepHyper {
  loss?: 'gspo' | 'grpo';
  policy?: Partial<PolicyLossConfig>;
}

/** What one RL step measured (the trainer's rlStep; kept in the checkpoint's metadata). */
export type RlStepMetrics = {
  loss: number;
  policyLoss: number;
  /** k3 KL to the reference, token mean. */
  klLoss: number;
  clipFraction: number;
  tisVetoCount: number;
  tisWeightMean: number;
  sequences: number;
  tokens: number;
  /** Before clipping. */
  gradNorm: number;
  lr: number;
  /** The optimizer's step count after this step. */
  step: number;
};

export interface StepMetrics {
  loss: number;
  gradNorm: number;
  lr: number;
  tokens: number;
  step: number;
  [k: string]: number;
}

export interface TrainerOptions {
  executionProvider?: ExecutionProvider;
  /** ORT intra-op threads (default: ORT's choice). */
  threads?: number;
  /** LM head rows per chunk (graph.ts TrainGraphOptions; default 256, 0 = unchunked). */
  headChunkRows?: number;
}

interface Packed {
  B: number;
  S: number;
  feeds: Record<string, ort.Tensor>;
  /** (B·S) 1 at loss targets. */
  mask: Float64Array;
}

const i64 = (a: ArrayLike<number>, dims: number[]) => new ort.Tensor('int64', BigInt64Array.from(Array.from(a, BigInt)), dims);

/** Right-padded (B, S = max len − 1) inputs/targets of `rows`; padding has attention mask 0, loss mask 0. */
export function packRows(rows: readonly TokenRow[]): Packed {
  const B = rows.length;
  const S = Math.max(...rows.map((r) => r.ids.length)) - 1;
  if (!(B > 0 && S > 0)) throw new Error(`packRows: need at least one row of ≥ 2 tokens, found ${B} rows, longest ${S + 1}`);
  const ids = new Array<number>(B * S).fill(0), pos = new Array<number>(B * S).fill(0), att = new Array<number>(B * S).fill(0);
  const tgt = new Array<number>(B * S).fill(0), mask = new Float64Array(B * S);
  rows.forEach((r, b) => {
    if (r.lossMask.length !== r.ids.length) throw new Error(`packRows: row ${b} has ${r.ids.length} ids but ${r.lossMask.length} loss-mask entries`);
    for (let t = 0; t < r.ids.length - 1; t++) {
      ids[b * S + t] = r.ids[t]!;
      pos[b * S + t] = t;
      att[b * S + t] = 1;
      tgt[b * S + t] = r.ids[t + 1]!;
      mask[b * S + t] = r.lossMask[t + 1]!;
    }
  });
  return {
    B, S, mask,
    feeds: { input_ids: i64(ids, [B, S]), position_ids: i64(pos, [B, S]), attention_mask: i64(att, [B, S]), targets: i64(tgt, [B, S]) },
  };
}

const planOf = (rows: readonly TokenRow[], h: Pick<StepHyper, 'microBatchSize' | 'microBatchTokens'>) =>
  planMicroBatches(rows, { size: h.microBatchSize, tokens: h.microBatchTokens });

export class Trainer {
  private readonly specs: ParamSpec[];
  private readonly decay: boolean[];
  /** The forward-only graph's session (old/reference log-probs), built on first use. */
  private forward: Promise<ort.InferenceSession> | null = null;

  private constructor(
    readonly cfg: ModelConfig,
    /** The directory the weights came from (base model or checkpoint). */
    readonly dir: string,
    readonly baseDir: string,
    readonly params: ParamStore,
    readonly optimizer: AdamWState,
    readonly policyVersion: number,
    private readonly session: ort.InferenceSession,
    private readonly sessionOptions: { graph: { dtype: 'float32'; headChunkRows: number }; ort: ort.InferenceSession.SessionOptions },
  ) {
    this.specs = paramSpecs(cfg);
    this.decay = this.specs.map((s) => decays(s.name));
  }

  /** Loads a base model directory or a checkpoint (with its optimizer state) into a float32 training session. */
  static async load(dir: string, opts: TrainerOptions = {}): Promise<Trainer> {
    const ck = loadCheckpoint(dir);
    const specs = paramSpecs(ck.cfg);
    const optimizer = ck.optimizer ?? initAdamW(specs.map((s) => s.shape.reduce((a, b) => a * b, 1)));
    const graph = { dtype: 'float32' as const, headChunkRows: opts.headChunkRows ?? 256 };
    const ortOptions: ort.InferenceSession.SessionOptions = {
      executionProviders: [opts.executionProvider ?? 'cpu'],
      graphOptimizationLevel: 'all',
      logSeverityLevel: 3,
      ...(opts.threads ? { intraOpNumThreads: opts.threads, interOpNumThreads: 1 } : {}),
    };
    const session = await createSession(buildTrainingGraph(ck.cfg, graph), ortOptions);
    return new Trainer(ck.cfg, dir, ck.meta.baseModel, ck.params, optimizer, ck.meta.policyVersion, session, { graph, ort: ortOptions });
  }

  get step(): number {
    return this.optimizer.step;
  }

  private paramFeeds(params: ParamStore): Record<string, ort.Tensor> {
    return Object.fromEntries(this.specs.map((s) => [s.name, new ort.Tensor('float32', params.view(s.name), s.shape)]));
  }

  /**
   * Per-row log-probs ℓ_t of tokens 1..n−1 of each row (length ids.length − 1) at `params` (default: the
   * trainer's current weights; pass a reference model's store for reference log-probs), from the
   * forward-only graph.
   */
  async logProbs(rows: readonly TokenRow[], params: ParamStore = this.params, plan = planMicroBatches(rows), signal?: AbortSignal): Promise<Float32Array[]> {
    this.forward ??= createSession(buildTrainingGraph(this.cfg, { ...this.sessionOptions.graph, backward: false }), this.sessionOptions.ort);
    const session = await this.forward;
    const out = new Array<Float32Array>(rows.length);
    for (const idx of plan) {
      await cancelPoint(signal, 'rlStep');
      const p = packRows(idx.map((i) => rows[i]!));
      const logp = (await session.run({ ...p.feeds, ...this.paramFeeds(params) }, ['logp'])).logp!.data as Float32Array;
      idx.forEach((i, b) => (out[i] = logp.slice(b * p.S, b * p.S + rows[i]!.ids.length - 1)));
    }
    return out;
  }

  /** ℓ per row and the gradients of Σ_t w_t ℓ_t summed over micro-batches (w per row, length ids.length − 1). */
  private async fwdBwd(rows: readonly TokenRow[], weights: readonly ArrayLike<number>[], plan: number[][], signal?: AbortSignal) {
    const grads = this.specs.map((s) => new Float32Array(this.params.entry(s.name).numel));
    const logp = new Array<Float32Array>(rows.length);
    const params = this.paramFeeds(this.params);
    for (const idx of plan) {
      await cancelPoint(signal, 'rlStep');
      const p = packRows(idx.map((i) => rows[i]!));
      const w = new Float32Array(p.B * p.S);
      idx.forEach((i, b) => {
        const wr = weights[i]!;
        for (let t = 0; t < rows[i]!.ids.length - 1; t++) w[b * p.S + t] = wr[t]!;
      });
      const out = await this.session.run({ ...p.feeds, ...params, dlogp: new ort.Tensor('float32', w, [p.B, p.S]) });
      accumulate(grads, this.specs.map((s) => out[`grad.${s.name}`]!.data as Float32Array), 1);
      const lp = out.logp!.data as Float32Array;
      idx.forEach((i, b) => (logp[i] = lp.slice(b * p.S, b * p.S + rows[i]!.ids.length - 1)));
    }
    return { logp, grads };
  }

  /** Clip, schedule and AdamW on accumulated gradients; returns {gradNorm, lr}. */
  private update(grads: Float32Array[], h: StepHyper): { gradNorm: number; lr: number } {
    const gradNorm = clipGradNorm(grads, h.maxGradNorm ?? 1);
    const lr = h.totalSteps
      ? cosineLr(this.optimizer.step, { lr: h.lr, minLr: h.minLr ?? 0, warmupSteps: h.warmupSteps ?? 0, totalSteps: h.totalSteps })
      : this.optimizer.step < (h.warmupSteps ?? 0) ? (h.lr * this.optimizer.step) / h.warmupSteps! : h.lr;
    const params = this.specs.map((s) => this.params.view(s.name));
    adamwStep(params, grads, this.optimizer, { ...defaultAdamW, ...h.adamw, lr: h.lr }, lr, this.decay);
    return { gradNorm, lr };
  }

  /** One SFT optimizer step over `rows`: mean token cross-entropy over every loss token of the batch. */
  async sftStep(rows: readonly TokenRow[], h: StepHyper): Promise<StepMetrics> {
    const tokens = rows.reduce((a, r) => a + r.lossMask.slice(1).reduce((x, y) => x + y, 0), 0);
    if (tokens === 0) throw new Error('sftStep: the batch has no loss tokens (every lossMask entry after the first token is 0)');
    // w_t = −m_t / M over the whole batch (loss.ts sftLoss), so per-micro-batch sums add up exactly.
    const weights = rows.map((r) => r.lossMask.slice(1).map((m) => -m / tokens));
    const { logp, grads } = await this.fwdBwd(rows, weights, planOf(rows, h));
    const loss = sftLoss(logp.flatMap((r) => Array.from(r)), rows.flatMap((r) => r.lossMask.slice(1))).loss;
    const { gradNorm, lr } = this.update(grads, h);
    return { loss, gradNorm, lr, tokens, step: this.optimizer.step };
  }

  /**
   * One RL optimizer step: ℓ_old at the current weights, ℓ_ref at `refParams`, the policy loss over the
   * whole batch (sequence mean, batch mean), then accumulate/clip/AdamW.
   */
  async rlStep(samples: readonly RlSample[], refParams: ParamStore, h: RlHyper, signal?: AbortSignal): Promise<RlStepMetrics> {
    const rows: TokenRow[] = samples.map((s, k) => {
      if (s.rolloutLogp.length !== s.completionIds.length) {
        throw new Error(`rlStep: sample ${k} has ${s.completionIds.length} completion tokens but ${s.rolloutLogp.length} rollout log-probs`);
      }
      if (s.promptIds.length === 0) throw new Error(`rlStep: sample ${k} has an empty prompt`);
      return { ids: [...s.promptIds, ...s.completionIds], lossMask: [...s.promptIds.map(() => 0), ...s.completionIds.map(() => 1)] };
    });
    const plan = planOf(rows, h);
    const config = { ...defaultPolicyLossConfig, ...h.policy };
    // θ = θ_old (one optimizer step per batch), so the loss sees ℓ = ℓ_old: the ratio is 1 and ℓ enters
    // w_t only through TIS (ℓ_old − ℓ_roll, and GSPO's ratio base ℓ_roll) and KL (ℓ_ref − ℓ). With
    // neither, w_t = −Â_k/(n_k·B) for GSPO and GRPO alike, whatever ℓ is: the old pass is skipped and
    // ℓ = 0 stands in for it. klCoef 0 skips the reference pass (ℓ_ref = ℓ_old; klLoss reads 0).
    // A cancelled step stops before its next micro-batch, and always before the update: the weights stay θ_old.
    const zeros = () => rows.map((r) => new Float32Array(r.ids.length - 1));
    const old = config.tis !== null || config.klCoef !== 0 ? await this.logProbs(rows, this.params, plan, signal) : zeros();
    const ref = config.klCoef !== 0 ? await this.logProbs(rows, refParams, plan, signal) : old;
    const T = Math.max(...rows.map((r) => r.ids.length - 1));
    const pad = (xs: ArrayLike<number>, off = 0) => Array.from({ length: T }, (_, t) => (t - off >= 0 && t - off < xs.length ? xs[t - off]! : 0));
    const policyRows: PolicyRow[] = samples.map((s, k) => ({
      oldLogp: pad(old[k]!), refLogp: pad(ref[k]!), rolloutLogp: pad(s.rolloutLogp, s.promptIds.length - 1),
      mask: pad(rows[k]!.lossMask.slice(1)), advantage: s.advantage,
    }));
    const logp = policyRows.flatMap((r) => r.oldLogp as number[]); // θ = θ_old: one optimizer step per batch
    const head = policyLoss(h.loss ?? 'gspo', logp, policyRows, config);
    const weights = rows.map((r, k) => head.dlogp.subarray(k * T, k * T + r.ids.length - 1));
    // A row whose weights are all 0 (advantage 0 and no KL term: a GRPO group that all passed or all
    // failed) adds exactly 0 to every gradient: it is left out of the pass, as rl.py leaves it out. Its
    // tokens still count in the loss's normalisation, which is in the weights already.
    const live = rows.flatMap((_, k) => (weights[k]!.some((w) => w !== 0) ? [k] : []));
    const livePlan = planOf(live.map((k) => rows[k]!), h).map((mb) => mb.map((j) => live[j]!));
    const { grads } = await this.fwdBwd(rows, weights, livePlan, signal);
    await cancelPoint(signal, 'rlStep');
    const { gradNorm, lr } = this.update(grads, h);
    const m = head.result.metrics;
    return {
      loss: head.loss, policyLoss: head.result.policyLoss, klLoss: head.result.klLoss, clipFraction: m.clipFraction,
      tisVetoCount: m.tisVetoCount, tisWeightMean: m.tisWeightMean, sequences: m.sequences, tokens: m.tokens, gradNorm, lr, step: this.optimizer.step,
    };
  }

  /** Writes the current weights and optimizer state as checkpoint `dir` (false if it already existed). */
  save(dir: string, o: { policyVersion: number; metrics?: Record<string, number>; weightsDtype?: 'F32' | 'base'; beforeCommit?: () => Promise<void> }): Promise<boolean> {
    return writeCheckpoint(dir, { baseDir: this.dir, cfg: this.cfg, params: this.params, optimizer: this.optimizer, ...o });
  }

  async release(): Promise<void> {
    await this.session.release();
    if (this.forward) await (await this.forward).release();
  }
}

export type { CheckpointMeta };
export { defaultMicroBatchTokens, planMicroBatches } from './plan';
