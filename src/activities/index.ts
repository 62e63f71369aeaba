// Builds the worker's activities from its dependencies (STYLE 2): `createActivities({ store, engine,
// sandbox })`. The worker builds the real dependencies once; the engine and the sandbox lazily, so a
// worker that never generates or tests never loads a model or starts a container.
import { ping } from './ping';
import { createSearchActivities, type SearchDeps } from './search';

export type ActivityDeps = SearchDeps;

export function createActivities(deps: ActivityDeps) {
  return { ping, ...createSearchActivities(deps) };
}

export type Activities = ReturnType<typeof createActivities>;
