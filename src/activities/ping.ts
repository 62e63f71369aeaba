// The ping activity: answers with who ran it, so a test can tell the real worker did.
import { hostname } from 'node:os';

export async function ping(message: string): Promise<{ echo: string; workerPid: number; workerHost: string }> {
  return { echo: message, workerPid: process.pid, workerHost: hostname() };
}

export type PingActivities = { ping: typeof ping };
