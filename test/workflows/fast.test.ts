// The fast tier: the workflows' logic (trainingRun, searchTree, evaluation, runEvaluation) on typed fake
// activities, against one in-memory dev server, one workflow bundle and one worker (./fast/env.ts), in
// one process. `npm run test:fast` runs it alone; the end-to-end tests on the real stack are the other
// files of test/workflows. Each part file also runs on its own (`node --import tsx --test FILE`).
import { before, describe } from 'node:test';
import { fastEnv } from './fast/env';

// Server, bundle and worker start before the first test, so that test's time is its own.
before(fastEnv);

// The tests wait on the server far more than they compute, and each serves its own workflow ids, so
// they run at once: the parts' test() calls join this suite as they are required.
describe('workflows on fake activities', { concurrency: true }, () => {
  require('./fast/trainingRun');
  require('./fast/searchTree');
  require('./fast/evaluation');
});
