// The records that cross process boundaries: workflow inputs, results and continue-as-new state, activity
// inputs and outputs, node summaries, training samples, RL hyper-parameters, iteration metrics. Types
// only, but for searchAttributes.ts (the typed names of the search attributes the stack registers and
// workflows upsert). Workflows, activities, the CLI and the run config import from here; what a lower
// layer defines with its code (RlHyper with the trainer, IterationMetrics with its file format) is
// re-exported, so nothing here imports upward and no lower layer imports this.
export type * from './evaluation';
export type * from './search';
export type * from './training';
export type { AgentIterationMetrics, EvalMetrics, IterationMetrics } from '../report/metrics';
