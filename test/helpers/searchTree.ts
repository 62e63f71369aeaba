// Shared set-up for the searchTree tests: the test stack, the store its worker writes, an MBPP problem
// put in that store, and tree inputs on the tiny real models (random weights: their programs fail, and
// those verdicts are the data the tests check).
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import type { SearchTreeInput, TreeMode } from '../../src/contracts';
import type { StackConfig } from '../../src/stack';
import { readDataset } from '../../src/data';
import type { Problem } from '../../src/data';
import { Store } from '../../src/store';
import { longContextModel } from '../../scripts/example-models';
import { SHARED_DATA } from './data';
import { ensureTestStack } from './stack';

export const MODELS = join(__dirname, '..', 'fixtures', 'models');

export interface TreeFixture {
  cfg: StackConfig;
  client: Client;
  store: Store;
  problem: Problem;
  input(mode: TreeMode, budget: number, extra?: Partial<SearchTreeInput>): SearchTreeInput;
}

/**
 * A copy of a tiny fixture model whose context is 4096 positions instead of 256, so that refinement
 * prompts (problem + parent code + feedback, a few thousand characters of a byte-level vocabulary) fit.
 */
function longContextCopy(cfg: StackConfig, name: 'qwen2' | 'qwen3'): string {
  return longContextModel(join(cfg.home, 'models'), name);
}

/** The first MBPP problem, via `readDataset` (stops after one line). */
async function firstMbppProblem(): Promise<Problem> {
  for await (const entry of readDataset(join(SHARED_DATA, 'mbpp', 'mbpp.jsonl'))) return entry.problem;
  throw new Error('mbpp.jsonl is empty');
}

export async function treeFixture(): Promise<TreeFixture> {
  const { cfg, client } = await ensureTestStack();
  const store = new Store(join(cfg.home, 'store'));
  const problem = await firstMbppProblem();
  const ref = await store.putJson(problem);
  return {
    cfg,
    client,
    store,
    problem,
    input: (mode, budget, extra = {}) => ({
      problem: { ref, id: problem.id },
      agents: [
        { name: 'qwen3', model: longContextCopy(cfg, 'qwen3'), thinking: false },
        { name: 'qwen2', model: longContextCopy(cfg, 'qwen2') },
      ],
      budget,
      seed: 7,
      mode,
      maxNewTokens: 24,
      // Short timeouts so that a crashed worker's activity is retried within seconds.
      timeouts: { expand: { startToCloseTimeout: '2 minutes', heartbeatTimeout: '3s' } },
      ...extra,
    }),
  };
}
