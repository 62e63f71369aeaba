// Runs a command's work with a Temporal client of the current stack (MARS2_STACK picks the test stack),
// closing the connection after; a stack that is not up is a UserError saying how to start it.
import type { Client } from '@temporalio/client';
import { currentStack, type StackConfig } from '../stack';
import { connectClient } from '../stack/client';
import { UserError } from './command';

export async function withClient<T>(fn: (client: Client, cfg: StackConfig) => Promise<T>): Promise<T> {
  const cfg = currentStack();
  const client = await connectClient(cfg).catch((err: Error) => {
    throw new UserError(err.message);
  });
  try {
    return await fn(client, cfg);
  } finally {
    await client.connection.close();
  }
}
