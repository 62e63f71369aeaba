// A dataset's problems into the store, as the ProblemIndex that trees and evaluations read by ref; the
// problems the trusted evaluator cannot judge (src/data/unjudgeable.ts) are left out, and said so.
import { ConfigError } from '../config/load';
import type { RunConfig } from '../config/schema';
import type { ProblemIndex, ProblemRef, StoredProblems } from '../contracts';
import { readDataset } from '../data';
import { UNJUDGEABLE } from '../data/unjudgeable';
import type { Store } from '../store';

/** The first `limit` problems of a dataset into the store, and their index (those the sandbox cannot judge left out). */
export async function storeProblems(
  store: Store,
  configFile: string,
  which: 'train' | 'eval',
  dataset: RunConfig['datasets']['train'],
  limit: number | null,
): Promise<StoredProblems> {
  const problems: ProblemRef[] = [];
  for await (const entry of readDataset(dataset.path, { format: dataset.format })) {
    const why = UNJUDGEABLE.get(entry.problem.id);
    if (why) {
      console.error(`datasets.${which}: left out ${entry.problem.id}, which the trusted evaluator cannot judge: ${why}`);
      continue;
    }
    problems.push({ ref: await store.putJson(entry.problem), id: entry.problem.id });
    if (limit !== null && problems.length >= limit) break;
  }
  if (problems.length === 0) {
    throw new ConfigError(configFile, [{ path: `datasets.${which}.path`, message: `dataset '${dataset.path}' holds no problems` }]);
  }
  const index: ProblemIndex = { kind: 'mars2.problems/1', problems };
  return { index: await store.putJson(index), count: problems.length };
}
