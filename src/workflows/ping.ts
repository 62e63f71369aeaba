// The smallest durable process: one activity on the real worker, used to check that the stack works
// end to end (`mars2 ping`, test/stack).
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { PingActivities } from '../activities/ping';

const { ping } = proxyActivities<PingActivities>({ startToCloseTimeout: '30s', retry: { maximumAttempts: 5 } });

export interface PingResult {
  workflowId: string;
  echo: string;
  workerPid: number;
  workerHost: string;
}

export async function pingWorkflow(message: string): Promise<PingResult> {
  const reply = await ping(message);
  return { workflowId: workflowInfo().workflowId, ...reply };
}
