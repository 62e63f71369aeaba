// The records that cross process boundaries — workflow inputs and results, activity inputs and outputs,
// node summaries, training samples, RL hyper-parameters, iteration metrics. Types only: workflows,
// activities, the CLI and the engines import them from here, and nothing here imports upward.
export type * from './evaluation';
export type * from './search';
export type * from './training';
export type * from './tree';
export type { AgentIterationMetrics, EvalMetrics, IterationMetrics } from '../report/metrics';
