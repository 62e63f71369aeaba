// The training service behind the `trainStep` activity (DESIGN §4 step 4, §5 "idempotent activities"):
//   trainStep({agent, fromVersion, samples, hyper}) → {toVersion, dir, metrics, reused}
// Policy versions of an agent live under `<root>/<agent>/v<n>`; version 0 is the base model directory.
// One call takes exactly one RL optimizer step from v to v+1 (old log-probs from v's weights, reference
// log-probs from the base model) and writes checkpoint v+1 atomically. If v+1 already exists (a retried
// activity, a crash after the write), it is returned as is, with the metrics recorded in its metadata.
// `TrainService` runs in-process (ORT blocks the calling thread); `spawnTrainService` runs one in a
// worker thread (trainWorker.ts) so the activity worker's event loop stays free for heartbeats.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { checkAgent, checkpointDir } from '../../store/layout';
import { loadParams, type ParamStore } from '../arch/weights';
import { readModelConfig } from '../hf/config';
import { readCheckpointMeta } from './checkpoint';
import { Trainer, type RlHyper, type RlSample, type RlStepMetrics, type TrainerOptions } from './trainer';

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
  trainStep(req: TrainStepRequest): Promise<TrainStepResult>;
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
    if (version !== 0) return checkpointDir(resolve(this.opts.root), agent, version);
    checkAgent(agent);
    return resolve(this.opts.baseDir);
  }

  async trainStep(req: TrainStepRequest): Promise<TrainStepResult> {
    const toVersion = req.fromVersion + 1;
    const out = this.versionDir(req.agent, toVersion);
    if (existsSync(out)) return { toVersion, dir: out, metrics: storedMetrics(out), reused: true };
    const from = this.versionDir(req.agent, req.fromVersion);
    if (!existsSync(from)) throw new Error(`agent '${req.agent}' has no policy version ${req.fromVersion} (expected ${from}); train the versions before it first`);
    let cur = this.live.get(req.agent);
    if (!cur || cur.version !== req.fromVersion) {
      await cur?.trainer.release();
      this.live.delete(req.agent);
      cur = { version: req.fromVersion, trainer: await Trainer.load(from, this.opts) };
    }
    this.ref ??= loadParams(this.opts.baseDir, readModelConfig(this.opts.baseDir));
    // The in-memory trainer is past `fromVersion` from here on: drop it if anything fails.
    this.live.delete(req.agent);
    const metrics = await cur.trainer.rlStep(req.samples, this.ref, req.hyper);
    const written = await cur.trainer.save(out, { policyVersion: toVersion, metrics, weightsDtype: this.opts.weightsDtype });
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

export type TrainWorkerRequest = { id: number; req: TrainStepRequest } | { id: number; close: true };
export type TrainWorkerReply = { id: number; result: unknown } | { id: number; error: string };

/** A TrainService in a worker thread (src/models/train/trainWorker.ts under tsx). */
export function spawnTrainService(opts: TrainServiceOptions): TrainStepper {
  const boot = `require(${JSON.stringify(require.resolve('tsx/cjs/api'))}).register();\nrequire(${JSON.stringify(join(__dirname, 'trainWorker.ts'))});`;
  const worker = new Worker(boot, { eval: true, workerData: opts, execArgv: [] });
  const pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let closed = false;
  const failAll = (err: Error) => {
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  worker.on('message', (m: TrainWorkerReply) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if ('error' in m) p.reject(new Error(m.error));
    else p.resolve(m.result);
  });
  worker.on('error', failAll);
  worker.on('exit', (code) => failAll(new Error(`trainer worker exited (code ${code})`)));
  const call = <T>(msg: TrainWorkerRequest) => new Promise<T>((res, rej) => {
    pending.set(msg.id, { resolve: res, reject: rej });
    worker.postMessage(msg);
  });
  return {
    trainStep(req) {
      if (closed) return Promise.reject(new Error('trainer service is closed'));
      return call<TrainStepResult>({ id: nextId++, req });
    },
    async close() {
      if (closed) return;
      closed = true;
      await call({ id: nextId++, close: true }).catch(() => undefined);
      await worker.terminate();
    },
  };
}
