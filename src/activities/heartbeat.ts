// Heartbeating around a long await (temporal.md §3.2–§3.3): heartbeats go out from the main thread every
// third of the heartbeat timeout, at most 2 s apart (a cancellation reaches the activity only in a
// heartbeat's answer: the worker's throttle is 2 s too), while `work` runs, and the activity ends as soon
// as Temporal cancels it (worker shutdown, timeout, workflow cancelled) — the abandoned work's result is
// dropped. The work itself stops through Context.current().cancellationSignal, which callers pass down.
// A local activity (expandAs 'local') has no heartbeats: Temporal refuses them (the worker logs a warning
// for each), and its cancellation comes from its own workflow task, so none are sent.
import { Context } from '@temporalio/activity';

export async function heartbeating<T>(work: Promise<T>, details?: () => unknown): Promise<T> {
  const ctx = Context.current();
  work.catch(() => {}); // a rejection after cancellation won the race is not unhandled
  if (ctx.info.isLocal) return Promise.race([work, ctx.cancelled]);
  const intervalMs = Math.max(100, Math.min(2_000, (ctx.info.heartbeatTimeoutMs ?? 30_000) / 3));
  const beat = () => ctx.heartbeat(details?.());
  beat();
  const timer = setInterval(beat, intervalMs);
  try {
    return await Promise.race([work, ctx.cancelled]);
  } finally {
    clearInterval(timer);
  }
}
