// The activity options the workflows share: one retry policy (ten attempts, exponential back-off to a
// minute) and the timeouts of each kind of activity. Tests shorten the long ones through the inputs'
// `timeouts` fields.
import { ActivityCancellationType, type ActivityOptions, type RetryPolicy } from '@temporalio/common';
import { isCancellation } from '@temporalio/workflow';
import type { ActivityTimeouts } from '../contracts';

export const RETRY: RetryPolicy = { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 };

/** Store reads and writes: the run config, a problem batch, a metrics line. */
export const SMALL: ActivityOptions = { startToCloseTimeout: '1 minute', retry: RETRY };

/** An evaluation's plan (reads checkpoints, puts the held-out problems into the store) and its line. */
export const PLAN: ActivityOptions = { startToCloseTimeout: '5 minutes', retry: RETRY };

/**
 * A tree node's expand: a generation takes seconds to minutes on a loaded model (the first one also
 * loads it), a test run up to minutes; evaluation trees run the tests twice.
 */
export const EXPAND_TIMEOUTS: ActivityTimeouts = { startToCloseTimeout: '1 hour', heartbeatTimeout: '30s' };

/** One optimizer step: a batch's forward and backward passes, then the checkpoint. */
export const TRAIN_STEP_TIMEOUTS: ActivityTimeouts = { startToCloseTimeout: '2 hours', heartbeatTimeout: '1 minute' };

/**
 * Options for a long activity (an expand, a trainStep): `timeouts` (defaults overridden field by field),
 * the shared retry, and a cancellation that waits for the activity to stop (engine row dropped, test run
 * killed, training step abandoned), so nothing of a cancelled tree or run is written after it closed.
 */
export function withTimeouts(defaults: ActivityTimeouts, override?: Partial<ActivityTimeouts>): ActivityOptions {
  return { ...defaults, ...override, retry: RETRY, cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED };
}

/**
 * Promise.all, except that under a cancellation it rejects only once every promise has settled: each
 * child tree or expand settles once it has stopped, and Promise.all would reject at the first one, close
 * the workflow, and leave the rest terminated (children) or running unobserved (activities). Any other
 * failure rejects at once, as Promise.all does.
 */
export async function allStopped<T>(promises: readonly Promise<T>[]): Promise<T[]> {
  try {
    return await Promise.all(promises);
  } catch (err) {
    if (isCancellation(err)) await Promise.allSettled(promises);
    throw err;
  }
}
