// Reads searchTree histories for bench/searchTree.ts: where a tree's wall time goes, from the server's
// event timestamps.
//   wall    = WorkflowExecutionStarted → the last event (Completed)
//   inside  = Σ over activities of ActivityTaskStarted → ActivityTaskCompleted (the worker's time in the
//             activity, including the RPCs that deliver the task and its result)
//   outside = wall − inside, split by the event that ends each gap outside an activity:
//     wft queue      → WorkflowTaskStarted    (the server hands the workflow task to the worker's poll:
//                                              persistence of the previous step + matching)
//     wft run        → WorkflowTaskCompleted  (the worker runs the activation: decode, sandbox, commands,
//                                              RPC back; the server records the started event first)
//     act dispatch   → ActivityTaskStarted    (schedule → start; ~0 when eager activities are used)
//     other          → anything else (scheduled events, search attributes, the completion)
// Several trees at once: the batch's busy time is the union of all activity intervals; what is left of
// the batch's wall time is orchestration that no activity overlaps.
import { temporal } from '@temporalio/proto';

type Event = temporal.api.history.v1.IHistoryEvent;
const T = temporal.api.enums.v1.EventType;

export const ms = (t: { seconds?: unknown; nanos?: number | null } | null | undefined): number =>
  Number(t?.seconds ?? 0) * 1000 + (t?.nanos ?? 0) / 1e6;

export const GAPS = ['wft queue', 'wft run', 'act dispatch', 'other'] as const;
export type Gap = (typeof GAPS)[number];

export interface TreeTimes {
  start: number;
  end: number;
  wall: number;
  inside: number;
  outside: Record<Gap, number>;
  /** [start, end] of every activity attempt that completed. */
  activities: [number, number][];
  events: number;
  /** Encoded history size. */
  bytes: number;
  workflowTasks: number;
  activityTasks: number;
}

function gapOf(type: temporal.api.enums.v1.EventType | null | undefined): Gap {
  if (type === T.EVENT_TYPE_WORKFLOW_TASK_STARTED) return 'wft queue';
  if (type === T.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) return 'wft run';
  if (type === T.EVENT_TYPE_ACTIVITY_TASK_STARTED) return 'act dispatch';
  return 'other';
}

export function treeTimes(history: temporal.api.history.v1.IHistory): TreeTimes {
  const events: Event[] = history.events ?? [];
  const started = new Map<string, number>();
  const activities: [number, number][] = [];
  const outside: Record<Gap, number> = { 'wft queue': 0, 'wft run': 0, 'act dispatch': 0, other: 0 };
  let running = 0; // activities of this tree running now (a tree runs them one at a time)
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    const t = ms(e.eventTime);
    if (i > 0 && running === 0) outside[gapOf(e.eventType)] += t - ms(events[i - 1].eventTime);
    const s = e.activityTaskStartedEventAttributes;
    if (s) {
      started.set(String(s.scheduledEventId), t);
      running++;
    }
    const c = e.activityTaskCompletedEventAttributes;
    if (c) {
      activities.push([started.get(String(c.scheduledEventId))!, t]);
      running--;
    }
  }
  const start = ms(events[0].eventTime);
  const end = ms(events.at(-1)!.eventTime);
  const count = (type: temporal.api.enums.v1.EventType) => events.filter((e) => e.eventType === type).length;
  return {
    start,
    end,
    wall: end - start,
    inside: activities.reduce((sum, [a, b]) => sum + b - a, 0),
    outside,
    activities,
    events: events.length,
    bytes: temporal.api.history.v1.History.encode(history).finish().length,
    workflowTasks: count(T.EVENT_TYPE_WORKFLOW_TASK_COMPLETED),
    activityTasks: count(T.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED),
  };
}

/** Length of the union of intervals. */
export function unionLength(intervals: [number, number][]): number {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  if (sorted.length === 0) return 0;
  let total = 0;
  let [lo, hi] = sorted[0];
  for (const [a, b] of sorted.slice(1)) {
    if (a > hi) {
      total += hi - lo;
      [lo, hi] = [a, b];
    } else hi = Math.max(hi, b);
  }
  return total + hi - lo;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
