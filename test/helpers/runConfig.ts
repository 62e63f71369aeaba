// A small training-run config for the tests (and the history recorder): one agent (the tiny Qwen2 with
// a long context) on the first MBPP problems, tree budget 2, 2 problems per iteration, train batch 2
// (so the buffer fires every iteration), 16 new tokens, evaluation off, 2 iterations — each field
// replaceable (a test may give a whole config). Written under the test stack's home; returns the file.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunConfigInput } from '../../src/config/schema';
import { SHARED_DATA } from './data';
import type { TreeFixture } from './searchTree';

export const MBPP = join(SHARED_DATA, 'mbpp', 'mbpp.jsonl');

export function writeRunConfig(f: TreeFixture, overrides: Partial<RunConfigInput> & { runId: string }): string {
  const { runId } = overrides;
  const dir = join(f.cfg.home, 'train-configs');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${runId}.json`);
  const model = f.input('training', 1).agents.find((a) => a.name === 'qwen2')!.model;
  const config: RunConfigInput = {
    seed: 5,
    setup: 'single',
    datasets: { train: { path: MBPP, format: 'mbpp', limit: 2 } },
    agents: [{ name: 'qwen2', model }],
    search: { budget: 2 },
    rollout: { problemsPerIteration: 2, maxNewTokens: 16, promptMaxTokens: 1024 },
    rewards: { overlong: null },
    optimization: { trainBatchSize: 2, lr: 1e-4, schedule: { kind: 'constant' } },
    evaluation: null,
    stop: { maxIterations: 2 },
    ...overrides,
    runId,
  };
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}
