// Builds the worker's activities from its dependencies (STYLE 2): `createActivities({ store, engine,
// sandbox, trainer })`. The worker builds the real dependencies once; the engine, the sandbox and the
// trainers lazily, so a worker that never generates, tests or trains never loads a model or starts a
// container.
import { createEvaluationActivities } from './evaluations';
import { ping } from './ping';
import { createSearchActivities, type SearchDeps } from './search';
import { createTrainingActivities, type TrainingDeps } from './training';

export type ActivityDeps = SearchDeps & TrainingDeps;

export function createActivities(deps: ActivityDeps) {
  return { ping, ...createSearchActivities(deps), ...createTrainingActivities(deps), ...createEvaluationActivities(deps) };
}

export type Activities = ReturnType<typeof createActivities>;
