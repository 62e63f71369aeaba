// The training service behind the `trainStep` activity (DESIGN §4 step 4, §5 "idempotent activities"):
//   trainStep({agent, fromVersion, samples, hyper}) → {toVersion, dir, metrics, reused}
// Policy versions of an agent live under `<root>/<agent>/v<n>`; version 0 is the base model directory.
// One call takes exactly one RL optimizer step from v to v+1 (old log-probs from v's weights, reference
// log-probs from the base model) and writes checkpoint v+1 atomically. If v+1 already exists (a retried
// activity, a crash after the write), it is returned as is, with the metrics recorded in its metadata.
// `TrainService` runs in-process (ORT blocks the calling thread); `spawnTrainService` runs one in a
// worker thread (trainWorker.ts, over threadRpc.ts) so the activity worker's event loop stays free for
// heartbeats; its steps run one at a time, in order. Errors are ThreadErrors (bad agent name or version:
// 'bad_request'). Cancelling a step's signal: a step not started never starts; a started one stops before
// its next micro-batch (an ORT run cannot be interrupted) and is discarded — no checkpoint is written once
// the signal is aborted.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { checkAgent, checkpointDir, LayoutError } from '../../store/layout';
import { loadParams, type ParamStore } from '../arch/weights';
import { readModelConfig } from '../hf/config';
import { cancelPoint, startThread, ThreadError, throwIfCancelled } from '../threadRpc';
import { readCheckpointMeta } from './checkpoint';
import { Trainer, type RlSample, type RlStepMetrics, type TrainerOptions } from './trainer';
import type { RlHyper } from '../../contracts';

export interface TrainStepRequest {
  agent: string;
  fromVersion: number;
  samples: RlSample[];
  hyper: RlHyper;
}

export interface TrainStepResult {
  toVersion: number;
  /** The checkpoint directory of `toVersion`. */
  dir: string;
  metrics: RlStepMetrics;
  /** True when the checkpoint already existed and no training ran. */
  reused: boolean;
}

export interface TrainServiceOptions extends TrainerOptions {
  /** Base model directory (policy version 0 and the KL reference). */
  baseDir: string;
  /** Root of the per-agent checkpoint directories. */
  root: string;
  /** Stored weight dtype of checkpoints (default 'F32'). */
  weightsDtype?: 'F32' | 'base';
}

export interface TrainStepper {
  trainStep(req: TrainStepRequest, signal?: AbortSignal): Promise<TrainStepResult>;
  close(): Promise<void>;
}

const METRICS: Record<keyof RlStepMetrics, true> = {
  loss: true, policyLoss: true, klLoss: true, clipFraction: true, tisVetoCount: true, tisWeightMean: true, sequences: true, tokens: true, gradNorm: true, lr: true, step: true,
};

/** The metrics an RL step recorded in checkpoint `dir` (a reused step returns them). */
function storedMetrics(dir: string): RlStepMetrics {
  const m = readCheckpointMeta(dir).metrics ?? {};
  const missing = Object.keys(METRICS).filter((k) => typeof m[k] !== 'number');
  if (missing.length > 0) throw new Error(`checkpoint ${dir} records no ${missing.join(', ')}: it was not written by an RL step`);
  return m as RlStepMetrics;
}

export class TrainService implements TrainStepper {
  private ref: ParamStore | null = null;
  /** The latest in-memory trainer of each agent and the version its weights are at. */
  private live = new Map<string, { version: number; trainer: Trainer }>();

  constructor(private readonly opts: TrainServiceOptions) {
    readModelConfig(opts.baseDir); // fail early on a bad base directory
  }

  /** Version 0 is the base model directory; version n ≥ 1 is `<root>/<agent>/v<n>` (src/store/layout). */
  versionDir(agent: string, version: number): string {
    try {
      if (version !== 0) return checkpointDir(resolve(this.opts.root), agent, version);
      checkAgent(agent);
      return resolve(this.opts.baseDir);
    } catch (err) {
      throw err instanceof LayoutError ? new ThreadError('bad_request', err.message) : err;
    }
  }

  async trainStep(req: TrainStepRequest, signal?: AbortSignal): Promise<TrainStepResult> {
    const what = `trainStep of '${req.agent}' v${req.fromVersion}`;
    throwIfCancelled(signal, what);
    const toVersion = req.fromVersion + 1;
    const out = this.versionDir(req.agent, toVersion);
    if (existsSync(out)) return { toVersion, dir: out, metrics: storedMetrics(out), reused: true };
    const from = this.versionDir(req.agent, req.fromVersion);
    if (!existsSync(from)) throw new ThreadError('bad_request', `agent '${req.agent}' has no policy version ${req.fromVersion} (expected ${from}); train the versions before it first`);
    let cur = this.live.get(req.agent);
    if (!cur || cur.version !== req.fromVersion) {
      await cur?.trainer.release();
      this.live.delete(req.agent);
      cur = { version: req.fromVersion, trainer: await Trainer.load(from, this.opts) };
    }
    this.ref ??= loadParams(this.opts.baseDir, readModelConfig(this.opts.baseDir));
    // The in-memory trainer is past `fromVersion` from here on: drop it if anything fails.
    this.live.delete(req.agent);
    let metrics;
    try {
      metrics = await cur.trainer.rlStep(req.samples, this.ref, req.hyper, signal);
      await cancelPoint(signal, what);
    } catch (err) {
      await cur.trainer.release();
      throw err;
    }
    let written;
    try {
      // A cancel that lands while the files are written stops the commit: no checkpoint once cancelled.
      written = await cur.trainer.save(out, { policyVersion: toVersion, metrics, weightsDtype: this.opts.weightsDtype, beforeCommit: () => cancelPoint(signal, what) });
    } catch (err) {
      await cur.trainer.release();
      throw err;
    }
    if (!written) {
      // Another writer finished v+1 first; its weights are the ones to continue from.
      await cur.trainer.release();
      return { toVersion, dir: out, metrics: storedMetrics(out), reused: true };
    }
    this.live.set(req.agent, { version: toVersion, trainer: cur.trainer });
    return { toVersion, dir: out, metrics, reused: false };
  }

  async close(): Promise<void> {
    for (const { trainer } of this.live.values()) await trainer.release();
    this.live.clear();
  }
}

/** A TrainService in a worker thread (src/models/train/trainWorker.ts under tsx). */
export function spawnTrainService(opts: TrainServiceOptions): TrainStepper {
  const thread = startThread<TrainStepRequest, TrainStepResult>(join(__dirname, 'trainWorker.ts'), opts, 'trainer worker');
  return { trainStep: (req, signal) => thread.call(req, signal), close: () => thread.close() };
}
