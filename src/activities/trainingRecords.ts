// What the training-run activities exchange with the trainingRun workflow (DESIGN §4 steps 3–4, §5
// "small payloads"): refs, scalars and the run's small config. Types only, so workflow code may
// `import type` them.
import type { IterationMetrics } from '../report/metrics';
import type { RlHyper } from '../models/train/trainer';
import type { Ref } from '../store';

/** One training sample by reference: the node's stored GenerationRecord and its advantage. */
export interface SampleRef {
  generation: Ref;
  advantage: number;
}

export interface TrainStepInput {
  runId: string;
  /** The checkpoint name (the weight group's owner agent): checkpoints are `<run>/checkpoints/<owner>/v<n>`. */
  owner: string;
  /** HF model directory of version 0 (also the KL reference). */
  baseModel: string;
  fromVersion: number;
  samples: SampleRef[];
  hyper: RlHyper;
}

export interface TrainStepOutput {
  toVersion: number;
  /** Checkpoint directory of `toVersion` on the worker's filesystem (the store root's runs/ folder). */
  dir: string;
  metrics: Record<string, number>;
  /** The checkpoint already existed (a retried step): no training ran. */
  reused: boolean;
}

/** One problem of a training batch. */
export interface ProblemRef {
  ref: Ref;
  id: string;
}

export interface ProblemBatchInput {
  /** The stored ProblemIndex. */
  index: Ref;
  /** Positions into the index. */
  positions: number[];
}

/** A dataset's problems in the store, in dataset order: what `mars2 train` writes. */
export interface ProblemIndex {
  kind: 'mars2.problems/1';
  problems: ProblemRef[];
}

export interface AppendMetricsInput {
  runId: string;
  record: IterationMetrics;
}
