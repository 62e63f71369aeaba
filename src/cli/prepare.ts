// `mars2 train`'s inputs into the store: the resolved config (named `runs/<id>/config`), the training
// problems and their index, the held-out problems of the periodic evaluations (the first
// evaluation.problems of datasets.eval, the same ones each time) and the planned iteration count — what
// trainingRun needs, as refs. Content-addressed: preparing one config twice gives the same input.
import { storeProblems } from '../activities/problems';
import { plannedIterations } from '../config/components';
import { loadRunConfig } from '../config/load';
import type { RunConfig } from '../config/schema';
import type { TrainingRunInput } from '../contracts';
import type { Store } from '../store';
import { runLayout } from '../store/layout';

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
  await store.setName(runLayout(store.root, config.runId).configName, configRef);
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
