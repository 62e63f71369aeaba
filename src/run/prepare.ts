// Puts a training run's inputs into the store (issue 8 item 5, `mars2 train`): the resolved config
// (copied into the run, also named `runs/<id>/config`), every training problem and their index, the
// held-out problems of the periodic evaluations (the first evaluation.problems of datasets.eval, the
// same ones every time so the curve compares like with like) and the planned iteration count —
// everything trainingRun needs, as refs. Content-addressed, so preparing the
// same config twice gives the same input (an idempotent start compares them).
import type { ProblemIndex, ProblemRef } from '../activities/trainingRecords';
import { readDataset } from '../data';
import { UNJUDGEABLE } from '../data/unjudgeable';
import type { Ref, Store } from '../store';
import type { TrainingRunInput } from '../workflows/trainingRun';
import { ConfigError, loadRunConfig } from './config';
import type { RunConfig } from './configSchema';
import { plannedIterations } from './components';

export interface PreparedRun {
  config: RunConfig;
  input: TrainingRunInput;
}

export async function prepareTrainingRun(store: Store, configFile: string): Promise<PreparedRun> {
  const config = loadRunConfig(configFile);
  const train = await storeProblems(store, configFile, 'train', config.datasets.train, config.datasets.train.limit);
  const held = config.datasets.eval;
  const evalProblems =
    held && config.evaluation
      ? await storeProblems(store, configFile, 'eval', held, Math.min(held.limit ?? Infinity, config.evaluation.problems ?? Infinity))
      : undefined;
  const configRef = await store.putJson(config);
  await store.setName(`runs/${config.runId}/config`, configRef);
  return {
    config,
    input: {
      runId: config.runId,
      config: configRef,
      problems: train,
      ...(evalProblems && { evalProblems }),
      iterations: plannedIterations(config, train.count),
    },
  };
}

/** The first `limit` problems of a dataset into the store, and their index (those the sandbox cannot judge left out). */
export async function storeProblems(
  store: Store,
  configFile: string,
  which: 'train' | 'eval',
  dataset: RunConfig['datasets']['train'],
  limit: number | null,
): Promise<{ index: Ref; count: number }> {
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
