// Where a worker's wall time goes (bench/rl-loop.ts, `mars2 status`, the metrics file's timing.split).
// The worker wraps its engine's generate, its sandbox's runTests and its trainers' steps, and every
// activity it runs, in `clock.time(kind, …)`; `split(from, to)` then answers how much of that window was
// spent on each kind of work. Work overlaps (16 trees generate while others run their tests), so each
// instant is given to the one kind of work in flight that ranks first:
//
//   train > generate > sandbox > activity (any other part of an activity: store reads and writes,
//   prompts, the trainer's queue) > idle (no activity in flight: Temporal's scheduling round trips and
//   the worker's workflow tasks)
//
// One clock sees one worker process: a run spread over several workers is split per worker.
import type { ActivityInterceptorsFactory } from '@temporalio/worker';

export const WORK_KINDS = ['train', 'generate', 'sandbox', 'activity'] as const;
export type WorkKind = (typeof WORK_KINDS)[number];

/** Milliseconds of a window by the kind of work that held it; the five add up to the window. */
export interface WorkSplit {
  trainMs: number;
  generateMs: number;
  sandboxMs: number;
  /** Activities doing anything else (store, prompts, queues). */
  activityMs: number;
  /** No activity in flight on this worker. */
  idleMs: number;
}

const IDLE = WORK_KINDS.length;
const SLOTS = IDLE + 1;
/** Transitions kept: at ~10 per tree node, days of a run at the RL loop's shape; older ones are dropped. */
const CAPACITY = 1 << 18;

export class WorkClock {
  private readonly inFlight = new Array<number>(WORK_KINDS.length).fill(0);
  // A ring of transitions: each is [time, the kind holding the clock from then on, cumulative ms per slot].
  private readonly marks = new Float64Array(CAPACITY * (SLOTS + 2));
  private first = 0;
  private count = 0;

  constructor(private readonly now: () => number = () => performance.timeOrigin + performance.now()) {
    this.push(this.now(), IDLE, new Array<number>(SLOTS).fill(0));
  }

  /** Runs `fn` as work of `kind`. */
  async time<T>(kind: WorkKind, fn: () => Promise<T>): Promise<T> {
    this.change(kind, +1);
    try {
      return await fn();
    } finally {
      this.change(kind, -1);
    }
  }

  /** Whether the clock has seen everything since t (it started before it, and has dropped nothing since). */
  covers(t: number): boolean {
    return this.marks[this.offset(0)] <= t;
  }

  /** The window [fromMs, toMs] (epoch milliseconds) by kind of work. */
  split(fromMs: number, toMs: number): WorkSplit {
    const a = this.cumulative(fromMs);
    const b = this.cumulative(Math.max(fromMs, toMs));
    const d = (slot: number) => Math.max(0, Math.round(b[slot] - a[slot]));
    return { trainMs: d(0), generateMs: d(1), sandboxMs: d(2), activityMs: d(3), idleMs: d(IDLE) };
  }

  private holder(): number {
    const k = this.inFlight.findIndex((n) => n > 0);
    return k < 0 ? IDLE : k;
  }

  private change(kind: WorkKind, by: 1 | -1): void {
    const t = this.now();
    const cum = this.cumulative(t);
    this.inFlight[WORK_KINDS.indexOf(kind)] += by;
    this.push(t, this.holder(), cum);
  }

  private offset(i: number): number {
    return ((this.first + i) % CAPACITY) * (SLOTS + 2);
  }

  private push(t: number, holder: number, cum: number[]): void {
    if (this.count === CAPACITY) {
      this.first = (this.first + 1) % CAPACITY;
      this.count--;
    }
    const o = this.offset(this.count++);
    this.marks[o] = t;
    this.marks[o + 1] = holder;
    this.marks.set(cum, o + 2);
  }

  /** Cumulative ms per slot at time t: the last transition at or before t, plus the time since. */
  private cumulative(t: number): number[] {
    let lo = 0;
    let hi = this.count - 1;
    if (t < this.marks[this.offset(0)]) t = this.marks[this.offset(0)];
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.marks[this.offset(mid)] <= t) lo = mid;
      else hi = mid - 1;
    }
    const o = this.offset(lo);
    const cum = Array.from(this.marks.subarray(o + 2, o + 2 + SLOTS));
    cum[this.marks[o + 1]] += t - this.marks[o];
    return cum;
  }
}

/** The worker interceptor that times every activity it runs, regular or local, as 'activity' work. */
export function timeActivities(clock: WorkClock): ActivityInterceptorsFactory {
  return () => ({ inbound: { execute: (input, next) => clock.time('activity', () => next(input)) } });
}
