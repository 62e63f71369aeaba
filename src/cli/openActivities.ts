// The open activities of a workflow and of its open children (a run's trees and evaluations, an
// evaluation's trees) that have failed at least once and are being retried: what `mars2 status` and
// `mars2 tree` show, so a run stuck in retries says why ("expand (node 5) in R-it0-p1, attempt 7: …").
import type { Client } from '@temporalio/client';

export interface RetryingActivity {
  workflowId: string;
  activity: string;
  /** For a searchTree's expand: the node it grows. */
  nodeId?: number;
  attempt: number;
  lastFailure: string | null;
}

/** Up to depth 3: run → evaluation → tree. */
export async function retryingActivities(client: Client, workflowId: string, depth = 3): Promise<RetryingActivity[]> {
  const desc = await client.workflow.getHandle(workflowId).describe();
  if (desc.status.name !== 'RUNNING') return [];
  const out: RetryingActivity[] = [];
  for (const a of desc.raw.pendingActivities ?? []) {
    const attempt = a.attempt ?? 1;
    if (attempt <= 1 && !a.lastFailure) continue;
    const activity = a.activityType?.name ?? '?';
    // A searchTree schedules nothing but expands, in node order, and the SDK numbers a workflow's
    // activities 1, 2, … (activityId): expand n grows node n − 1.
    const nodeId = desc.type === 'searchTree' && activity === 'expand' && /^\d+$/.test(a.activityId ?? '') ? Number(a.activityId) - 1 : undefined;
    out.push({ workflowId, activity, ...(nodeId !== undefined && { nodeId }), attempt, lastFailure: a.lastFailure?.message ?? null });
  }
  if (depth > 1) {
    for (const child of desc.raw.pendingChildren ?? []) {
      if (child.workflowId) out.push(...(await retryingActivities(client, child.workflowId, depth - 1).catch(() => [])));
    }
  }
  return out;
}

/** 'expand (node 5) in R-it0-p1, attempt 7: invalid sampling: …'. */
export function formatRetrying(a: RetryingActivity): string {
  return `${a.activity}${a.nodeId !== undefined ? ` (node ${a.nodeId})` : ''} in ${a.workflowId}, attempt ${a.attempt}: ${a.lastFailure ?? 'no failure recorded'}`;
}
