// A Temporal client for the stack, with an error that says what to do when nothing answers.
import { Client, Connection } from '@temporalio/client';
import { address, type StackConfig } from './config';

export async function connectClient(cfg: StackConfig): Promise<Client> {
  let connection: Connection;
  try {
    connection = await Connection.connect({ address: address(cfg), connectTimeout: 3000 });
  } catch {
    throw new Error(`no Temporal server answers on ${address(cfg)}: start the stack with 'mars2 up'`);
  }
  return new Client({ connection, namespace: cfg.namespace });
}
