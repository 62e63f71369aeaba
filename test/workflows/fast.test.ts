// The fast tier: the workflows' logic (trainingRun, searchTree, evaluation, runEvaluation) on typed fake
// activities, against one in-memory dev server, one workflow bundle and one worker (./fast/env.ts), in
// one process. `npm run test:fast` runs it alone; the end-to-end tests on the real stack are the other
// files of test/workflows.
import { before } from 'node:test';
import { fastEnv } from './fast/env';
import './fast/trainingRun';
import './fast/searchTree';
import './fast/evaluation';

// Server, bundle and worker start before the first test, so that test's time is its own.
before(fastEnv);
