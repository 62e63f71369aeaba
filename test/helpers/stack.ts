// The test suite's own embedded stack (.mars2/test-stack, on ports of its own): started on first use,
// reused by later test files, stopped by scripts/test when the suite ends.
import { Client } from '@temporalio/client';
import { testStack, up, type StackConfig, type StackStatus } from '../../src/stack';
import { connectClient } from '../../src/stack/client';

export async function ensureTestStack(): Promise<{ cfg: StackConfig; status: StackStatus; client: Client }> {
  const cfg = testStack();
  const status = await up(cfg);
  const client = await connectClient(cfg);
  return { cfg, status, client };
}
