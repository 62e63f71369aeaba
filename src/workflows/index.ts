// Every workflow the worker serves. The worker bundles this file (workflowsPath).
export { pingWorkflow } from './ping';
export { searchTree } from './searchTree';
export { trainingRun } from './trainingRun';
export { evaluation } from './evaluation';
export { runEvaluation } from './runEvaluation';
