// Runs a command's work with a Temporal client of the current stack (MARS2_STACK picks the test stack),
// closing the connection after; a stack that is not up is a UserError saying how to start it. A command
// whose work needs a worker asks for one: the task queue's pollers are checked first, so a stopped worker
// is said at once instead of a start or a query that waits forever.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Client } from '@temporalio/client';
import { address, currentStack, type StackConfig } from '../stack';
import { connectClient } from '../stack/client';
import { UserError } from './command';

export interface ClientNeeds {
  /** The command starts, queries or cancels workflows: a worker must poll the task queue. */
  worker?: boolean;
}

export async function withClient<T>(fn: (client: Client, cfg: StackConfig) => Promise<T>, needs: ClientNeeds = {}): Promise<T> {
  const cfg = currentStack();
  const client = await connectClient(cfg).catch((err: Error) => {
    throw new UserError(err.message);
  });
  try {
    if (needs.worker) await requireWorker(client, cfg);
    return await fn(client, cfg);
  } finally {
    await client.connection.close();
  }
}

/** A poller seen longer ago than this is gone: a live worker re-polls at least every long-poll (60 s). */
const POLLER_STALE_MS = 90_000;

/**
 * Throws a UserError when no live worker polls the stack's workflow task queue. The server lists a
 * poller for minutes after its worker died, so a poller on this host (identity `pid@host`, the SDK's
 * default) counts only while its process lives, and one elsewhere only if it polled within 90 s.
 */
export async function requireWorker(client: Client, cfg: StackConfig): Promise<void> {
  const res = await client.connection.withDeadline(Date.now() + 10_000, () =>
    client.workflowService.describeTaskQueue({ namespace: cfg.namespace, taskQueue: { name: cfg.taskQueue }, taskQueueType: 1 /* WORKFLOW */ }),
  );
  const host = hostname();
  const live = (res.pollers ?? []).filter((p) => {
    const [pid, at] = (p.identity ?? '').split('@');
    if (at === host && /^\d+$/.test(pid)) return processAlive(Number(pid));
    const seconds = Number(p.lastAccessTime?.seconds ?? 0);
    return Date.now() - seconds * 1000 < POLLER_STALE_MS;
  });
  if (live.length === 0) {
    throw new UserError(`no worker is polling task queue '${cfg.taskQueue}' on ${address(cfg)} (namespace ${cfg.namespace}); run \`mars2 up\``);
  }
}

/** A live process: a zombie (killed, not yet reaped by its parent, e.g. the process that ran `up`) is dead. */
function processAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/\) Z /.test(stat);
  } catch {
    // No /proc entry: gone (or no procfs, where signal 0 tells).
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
