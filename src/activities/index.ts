// Builds the worker's activities from its dependencies (STYLE 2). Later issues add the engine, the
// trainer, the sandbox and the store to the dependencies.
import { ping } from './ping';

export function createActivities() {
  return { ping };
}

export type Activities = ReturnType<typeof createActivities>;
