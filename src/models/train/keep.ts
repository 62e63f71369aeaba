// The worker's trainers (one TrainStepper per base model directory and checkpoint root, each a worker
// thread holding a model, its optimizer state and the reference weights), kept while they are used and
// closed when they are not: a worker that serves run after run would otherwise keep every finished run's
// trainer (the RL bench's six runs took the worker from 991 to 2,251 MB, bench/README.md "Memory").
// A trainer with no step in flight is closed once it has been idle `idleMs`, or, the least recently used
// first, once more than `max` are open. Closing one loses nothing: a step starts from the checkpoint
// directory of its `fromVersion` (TrainService), so the next step of that run spawns a fresh trainer that
// loads it — the cost is one model load. A trainer whose thread died is dropped at once (the step fails
// retryably, and its retry gets a fresh thread).
import { ThreadError } from '../threadRpc';
import type { TrainStepper, TrainStepRequest, TrainStepResult } from './service';

export interface TrainerKeepOptions {
  /** Starts the trainer of a base model directory and checkpoint root. */
  spawn: (baseDir: string, root: string) => TrainStepper;
  /** Most trainers open at once while none of the extra ones has a step in flight (default 4). */
  max?: number;
  /** Idle time after which a trainer is closed (default 10 minutes). */
  idleMs?: number;
  /** Called when closing a trainer fails (it is dropped all the same). */
  onCloseError?: (err: unknown) => void;
}

interface Kept {
  trainer: TrainStepper;
  inFlight: number;
  lastUsed: number;
}

export class TrainerKeep {
  private readonly open = new Map<string, Kept>();
  private readonly closing = new Set<Promise<void>>();
  private readonly max: number;
  private readonly idleMs: number;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly opts: TrainerKeepOptions, private readonly now: () => number = () => performance.now()) {
    this.max = opts.max ?? 4;
    this.idleMs = opts.idleMs ?? 10 * 60_000;
    if (!(Number.isInteger(this.max) && this.max >= 1)) throw new Error(`TrainerKeep: max must be a positive integer, found ${opts.max}`);
    if (!(this.idleMs > 0)) throw new Error(`TrainerKeep: idleMs must be positive, found ${opts.idleMs}`);
    this.timer = setInterval(() => this.evict(), Math.min(this.idleMs, 60_000));
    this.timer.unref();
  }

  /** Trainers open now. */
  get size(): number {
    return this.open.size;
  }

  /**
   * The trainer of `baseDir` and `root`: a handle whose every step goes to the open trainer of that key,
   * spawning one if it was closed in between.
   */
  trainer(baseDir: string, root: string): TrainStepper {
    const key = `${baseDir}\0${root}`;
    return {
      trainStep: (req: TrainStepRequest, signal?: AbortSignal) => this.step(key, baseDir, root, req, signal),
      close: async () => {
        const k = this.open.get(key);
        if (k && k.inFlight === 0) this.drop(key, k);
        await this.settled();
      },
    };
  }

  private async step(key: string, baseDir: string, root: string, req: TrainStepRequest, signal?: AbortSignal): Promise<TrainStepResult> {
    let k = this.open.get(key);
    if (!k) {
      k = { trainer: this.opts.spawn(baseDir, root), inFlight: 0, lastUsed: this.now() };
      this.open.set(key, k);
    }
    k.inFlight++;
    k.lastUsed = this.now();
    this.evict();
    try {
      return await k.trainer.trainStep(req, signal);
    } catch (err) {
      if (err instanceof ThreadError && err.code === 'worker_exited' && this.open.get(key) === k) this.open.delete(key);
      throw err;
    } finally {
      k.inFlight--;
      k.lastUsed = this.now();
      this.evict();
    }
  }

  /** Closes the idle trainers past `idleMs`, then the least recently used idle ones beyond `max`. */
  evict(): void {
    const t = this.now();
    for (const [key, k] of this.open) if (k.inFlight === 0 && t - k.lastUsed >= this.idleMs) this.drop(key, k);
    const idle = [...this.open].filter(([, k]) => k.inFlight === 0).sort((a, b) => a[1].lastUsed - b[1].lastUsed);
    for (const [key, k] of idle) {
      if (this.open.size <= this.max) break;
      this.drop(key, k);
    }
  }

  private drop(key: string, k: Kept): void {
    this.open.delete(key);
    const p = k.trainer.close().catch((err: unknown) => this.opts.onCloseError?.(err));
    this.closing.add(p);
    void p.finally(() => this.closing.delete(p));
  }

  private async settled(): Promise<void> {
    await Promise.all([...this.closing]);
  }

  /** Closes every trainer (the worker's shutdown). */
  async close(): Promise<void> {
    clearInterval(this.timer);
    for (const [key, k] of [...this.open]) this.drop(key, k);
    await this.settled();
  }
}
