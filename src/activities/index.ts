// Builds the worker's activities from its dependencies (STYLE 2): `createActivities({ store, engine,
// sandbox, trainer })`. The worker builds the real dependencies once; the engine, the sandbox and the
// trainers lazily, so a worker that never generates, tests or trains never loads a model or starts a
// container.
import { createEvaluationActivities } from './evaluations';
import { ping } from './ping';
import { createSearchActivities, type SearchDeps } from './search';
import { createTrainingActivities, type TrainingDeps } from './training';
import { WorkClock } from './workClock';

export type ActivityDeps = SearchDeps & TrainingDeps;

export function createActivities(activityDeps: ActivityDeps) {
  // One clock for all of them: appendMetrics splits an iteration's time by what its expands and steps did.
  const deps = { ...activityDeps, clock: activityDeps.clock ?? new WorkClock() };
  return { ping, ...createSearchActivities(deps), ...createTrainingActivities(deps), ...createEvaluationActivities(deps) };
}

export type Activities = ReturnType<typeof createActivities>;
