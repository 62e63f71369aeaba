// Executions on the pool's containers, several in flight per container (the RL loop's shape: an iteration's
// 128 programs at once). Executions submitted in one turn of the event loop, or while every container is
// busy, queue here; a container with room takes the queued ones that share its memory limit, oldest first,
// in one write of back-to-back requests, up to `depth` in flight. The runner reads them one at a time, each
// after answering the one before (docker/runner.py), so its memory holds one run's tests at a time and a
// program forked from it finds no neighbour's; every run keeps its own process, limits, clean-up and
// verdict. What this saves: the round trip per program (the container no longer idles while the host reads
// an answer and sends the next request) and a write per program.
//
// Neighbours do not pay for each other: after a run with an anomaly the runner refuses the requests behind
// it (`not_run`) and they are queued again, first, for another container; when a connection dies, only the
// request that was running fails (InfraError, retried by runTests as before) and those behind it are queued
// again; a cancelled execution still queued is dropped, one in flight closes its container (the run is
// killed with it, as before) and its neighbours are queued again. Queued again means not run: no attempt
// is counted.
import type { SandboxPool, Slot } from './pool';
import { InfraError, SandboxUnavailableError, type Frame } from './protocol';

export interface DispatchOptions {
  /** Requests in flight per container (default 4: enough that the next is always waiting, few enough that
   *  the last programs of a batch are spread over the containers). */
  depth?: number;
}

interface Job {
  header: Record<string, unknown>;
  blobs: [string, Buffer][];
  memoryBytes: number;
  timeoutMs: number;
  signal?: AbortSignal;
  settled: boolean;
  resolve: (f: Frame) => void;
  reject: (e: unknown) => void;
  onAbort?: () => void;
}

interface Lane {
  slot: Slot;
  inflight: Job[];
  /** Sent on this lane so far (the pool recycles a container after so many runs). */
  sent: number;
  serving: boolean;
  /** No new requests: its container is given back once they are answered (recycled, with a reason). */
  draining: boolean;
  recycle?: string;
  /** A request in flight was cancelled: the connection was dropped, no one else's failure. */
  cancelled: boolean;
}

/** Counters for tests and the bench: how requests were grouped into writes. */
export interface DispatchStats {
  requests: number;
  writes: number;
  largestWrite: number;
  requeued: number;
  /** Most containers serving requests at once. */
  widest: number;
}

export class Dispatcher {
  readonly depth: number;
  private queue: Job[] = [];
  private lanes = new Set<Lane>();
  private acquiring = 0;
  private scheduled = false;
  readonly stats: DispatchStats = { requests: 0, writes: 0, largestWrite: 0, requeued: 0, widest: 0 };

  constructor(
    private pool: SandboxPool,
    opts: DispatchOptions = {},
  ) {
    this.depth = Math.max(1, opts.depth ?? 4);
  }

  /** Runs one request on some container; resolves with the runner's answer (a result frame). */
  run(header: Record<string, unknown>, blobs: [string, Buffer][], memoryBytes: number, timeoutMs: number, signal?: AbortSignal): Promise<Frame> {
    signal?.throwIfAborted();
    return new Promise<Frame>((resolve, reject) => {
      const job: Job = { header, blobs, memoryBytes, timeoutMs, signal, settled: false, resolve, reject };
      if (signal) {
        job.onAbort = () => this.abort(job);
        signal.addEventListener('abort', job.onAbort, { once: true });
      }
      this.queue.push(job);
      this.schedule();
    });
  }

  private settle(job: Job, fn: () => void): void {
    if (job.settled) return;
    job.settled = true;
    if (job.onAbort) job.signal?.removeEventListener('abort', job.onAbort);
    fn();
  }

  private abort(job: Job): void {
    const reason = job.signal!.reason;
    const queued = this.queue.indexOf(job);
    if (queued >= 0) this.queue.splice(queued, 1);
    this.settle(job, () => job.reject(reason));
    if (queued >= 0) return;
    for (const lane of this.lanes) {
      if (lane.inflight.includes(job)) {
        // The runner cannot be interrupted: its connection is dropped and the container recycled.
        lane.cancelled = true;
        lane.slot.conn.destroy();
      }
    }
  }

  /** Coalesces the submissions of this turn of the event loop into one pass. */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    // The oldest job no lane takes makes lanes of other memory limits drain: their containers are given
    // back and set to its limit, so no limit waits forever behind another.
    const open = () => [...this.lanes].filter((l) => !l.draining);
    const unserved = this.queue.find((j) => !open().some((l) => l.slot.memoryBytes === j.memoryBytes));
    const full = this.lanes.size + this.acquiring >= this.pool.size;
    for (const lane of open()) {
      if (unserved && full && lane.slot.memoryBytes !== unserved.memoryBytes) lane.draining = true;
      const room = lane.draining ? 0 : Math.min(this.depth - lane.inflight.length, this.pool.maxRunsPerContainer - lane.slot.runs - lane.sent);
      const batch: Job[] = [];
      for (let i = 0; i < this.queue.length && batch.length < room; ) {
        if (this.queue[i].memoryBytes === lane.slot.memoryBytes) batch.push(...this.queue.splice(i, 1));
        else i++;
      }
      if (batch.length) this.send(lane, batch);
    }
    // An idle lane closes when it is draining, has nothing of its limit queued, or has sent its container's
    // last run (then the pool replaces the container; kept open, it took no job and held the pool's place:
    // every run of the sandbox waited forever once each container had served maxRunsPerContainer).
    for (const lane of [...this.lanes]) {
      const spent = lane.slot.runs + lane.sent >= this.pool.maxRunsPerContainer;
      if (lane.inflight.length === 0 && (lane.draining || spent || !this.queue.some((j) => j.memoryBytes === lane.slot.memoryBytes))) this.close(lane);
    }
    // What no lane has room for gets another container while the pool has one (one acquire per `depth` jobs).
    while (this.queue.length > this.acquiring * this.depth && this.lanes.size + this.acquiring < this.pool.size) {
      this.openLane((this.queue.find((j) => !open().some((l) => l.slot.memoryBytes === j.memoryBytes)) ?? this.queue[0]).memoryBytes);
    }
  }

  private openLane(memoryBytes: number): void {
    this.acquiring++;
    this.pool.acquire(memoryBytes).then(
      (slot) => {
        this.acquiring--;
        this.lanes.add({ slot, inflight: [], sent: 0, serving: false, draining: false, cancelled: false });
        this.stats.widest = Math.max(this.stats.widest, this.lanes.size);
        this.pump();
      },
      (err: Error) => {
        this.acquiring--;
        // No container at all (the engine is down, the pool closed): nothing of that limit can run now.
        const error = new SandboxUnavailableError(`sandbox: no container to run in (${err.message})`);
        for (const job of this.queue.filter((j) => j.memoryBytes === memoryBytes)) {
          this.queue.splice(this.queue.indexOf(job), 1);
          this.settle(job, () => job.reject(error));
        }
        this.schedule();
      },
    );
  }

  private send(lane: Lane, batch: Job[]): void {
    lane.inflight.push(...batch);
    lane.sent += batch.length;
    this.stats.requests += batch.length;
    this.stats.writes++;
    this.stats.largestWrite = Math.max(this.stats.largestWrite, batch.length);
    lane.slot.conn.send(batch.map((j) => [j.header, j.blobs]));
    if (!lane.serving) void this.serve(lane);
  }

  /** Reads the lane's answers in order; each starts its request's timer (the runner is sequential). */
  private async serve(lane: Lane): Promise<void> {
    lane.serving = true;
    while (lane.inflight.length > 0) {
      const job = lane.inflight[0];
      let frame: Frame;
      try {
        frame = await lane.slot.conn.next(job.timeoutMs);
      } catch (err) {
        lane.inflight.shift();
        // The request that was running failed with its container; those behind it never started.
        if (lane.cancelled) this.requeue([job]);
        else this.settle(job, () => job.reject(err));
        this.requeue(lane.inflight.splice(0));
        this.close(lane, lane.cancelled ? 'cancelled' : `failure: ${(err as Error).message}`);
        break;
      }
      lane.inflight.shift();
      const h = frame.header;
      if (h.type === 'not_run') {
        this.requeue([job, ...lane.inflight.splice(0)]);
        this.close(lane, lane.recycle ?? `anomaly: ${String(h.why)}`);
        break;
      }
      if (h.type !== 'result') {
        const why = h.type === 'error' ? `runner error: ${h.message}` : `unexpected answer '${h.type}' from the runner`;
        this.settle(job, () => job.reject(new InfraError(`sandbox: ${why}`)));
        this.requeue(lane.inflight.splice(0));
        this.close(lane, `failure: ${why}`);
        break;
      }
      if ((Array.isArray(h.anomalies) && h.anomalies.length) || h.setup_error) {
        lane.recycle ??= h.setup_error ? 'failure: setup error' : `anomaly: ${h.anomalies.join(', ')}`;
        lane.draining = true; // the runner refuses the requests behind this one (not_run)
      }
      this.settle(job, () => job.resolve(frame));
      this.schedule(); // room for more
    }
    lane.serving = false;
    this.schedule();
  }

  private close(lane: Lane, recycle = lane.recycle): void {
    if (!this.lanes.delete(lane)) return;
    this.pool.release(lane.slot, recycle, lane.sent);
    this.schedule();
  }

  private requeue(jobs: Job[]): void {
    const live = jobs.filter((j) => !j.settled);
    this.stats.requeued += live.length;
    this.queue.unshift(...live);
    if (live.length) this.schedule();
  }
}
