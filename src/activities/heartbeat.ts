// Heartbeating around a long await (temporal.md §3.2–§3.3): heartbeats go out from the main thread every
// third of the heartbeat timeout, at most 1 s apart (a cancellation reaches the activity only in a
// heartbeat's answer: the worker's throttle is 1 s too), while `work` runs, and the activity ends as soon
// as Temporal cancels it (worker shutdown, timeout, workflow cancelled) — the abandoned work's result is
// dropped, unless `settleMs` asks to wait for the work to stop first. The work itself stops through Context.current().cancellationSignal, which callers pass down.
// A local activity (expandAs 'local') has no heartbeats: Temporal refuses them (the worker logs a warning
// for each), and its cancellation comes from its own workflow task, so none are sent.
import { Context } from '@temporalio/activity';

export async function heartbeating<T>(work: Promise<T>, details?: () => unknown, opts: HeartbeatingOptions = {}): Promise<T> {
  const ctx = Context.current();
  work.catch(() => {}); // a rejection after cancellation won the race is not unhandled
  if (ctx.info.isLocal) return Promise.race([work, ctx.cancelled]);
  const intervalMs = Math.max(100, Math.min(HEARTBEAT_EVERY_MS, (ctx.info.heartbeatTimeoutMs ?? 30_000) / 3));
  const beat = () => ctx.heartbeat(details?.());
  beat();
  const timer = setInterval(beat, intervalMs);
  try {
    return await Promise.race([work, ctx.cancelled]);
  } catch (err) {
    if (opts.settleMs && ctx.cancellationSignal.aborted) {
      // The work saw the same signal; wait for it to stop, so "cancelled" means nothing more is written.
      // Work that finished before the cancel reached it is reported as done: its result stands.
      let timeout: NodeJS.Timeout | undefined;
      const settled = await Promise.race([
        work.then((value) => ({ value }), () => null),
        new Promise<null>((r) => (timeout = setTimeout(() => r(null), opts.settleMs))),
      ]);
      clearTimeout(timeout);
      if (settled) return settled.value;
    }
    throw err;
  } finally {
    clearInterval(timer);
  }
}

/** How often heartbeats go out at most; the worker's maxHeartbeatThrottleInterval matches it (worker.ts). */
export const HEARTBEAT_EVERY_MS = 1_000;

export interface HeartbeatingOptions {
  /**
   * On cancellation, wait up to this long for `work` to stop (it must observe the activity's
   * cancellationSignal) before the activity ends: for work that writes on its own (a trainStep's
   * checkpoint), so nothing is written after the cancellation is acknowledged.
   */
  settleMs?: number;
}
