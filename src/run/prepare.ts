// Puts a training run's inputs into the store (issue 8 item 5, `mars2 train`): the resolved config
// (copied into the run, also named `runs/<id>/config`), every training problem and their index, and the
// planned iteration count — everything trainingRun needs, as refs. Content-addressed, so preparing the
// same config twice gives the same input (an idempotent start compares them).
import type { ProblemIndex, ProblemRef } from '../activities/trainingRecords';
import { readDataset } from '../data';
import type { Store } from '../store';
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
  if (config.setup === 'grpo') {
    throw new ConfigError(configFile, [{ path: 'setup', message: `the 'grpo' baseline is not run by mars2 train yet; use 'single', 'heterogeneous' or 'homogeneous'` }]);
  }
  const train = config.datasets.train;
  const problems: ProblemRef[] = [];
  for await (const entry of readDataset(train.path, { format: train.format })) {
    problems.push({ ref: await store.putJson(entry.problem), id: entry.problem.id });
    if (train.limit !== null && problems.length >= train.limit) break;
  }
  if (problems.length === 0) {
    throw new ConfigError(configFile, [{ path: 'datasets.train.path', message: `dataset '${train.path}' holds no problems` }]);
  }
  const index: ProblemIndex = { kind: 'mars2.problems/1', problems };
  const configRef = await store.putJson(config);
  await store.setName(`runs/${config.runId}/config`, configRef);
  return {
    config,
    input: {
      runId: config.runId,
      config: configRef,
      problems: { index: await store.putJson(index), count: problems.length },
      iterations: plannedIterations(config, problems.length),
    },
  };
}
