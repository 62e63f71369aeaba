// A training run's contract (DESIGN §4 steps 3–5, §5 "small payloads"): the trainingRun workflow's
// input, continue-as-new state, result and live progress, and what its activities exchange with it —
// refs, scalars, the RL hyper-parameters and the trainer's metrics. Types only.
import type { RlHyper, RlStepMetrics } from '../models/train/trainer';
import type { IterationMetrics } from '../report/metrics';
import type { BufferState } from '../rl/buffers';
import type { Ref } from '../store';
import type { ActivityTimeouts, SearchTreeInput } from './search';

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
  metrics: RlStepMetrics;
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

/** A stored ProblemIndex and how many problems it holds. */
export interface StoredProblems {
  index: Ref;
  count: number;
}

/** A dataset's problems in the store, in dataset order: what `mars2 train` writes. */
export interface ProblemIndex {
  kind: 'mars2.problems/1';
  problems: ProblemRef[];
}

export interface AppendMetricsInput {
  runId: string;
  record: IterationMetrics;
  /**
   * When the iteration began (epoch ms, workflow time): the worker adds the split of
   * [startedAtMs, startedAtMs + timing.wallMs] by kind of work it saw (timing.split).
   */
  startedAtMs?: number;
}

export interface TrainingRunInput {
  runId: string;
  /** The resolved RunConfig in the store. */
  config: Ref;
  /** The training problems (a stored ProblemIndex) and how many there are. */
  problems: StoredProblems;
  /** The held-out problems of the periodic evaluations (absent: no evaluation). */
  evalProblems?: StoredProblems;
  /** Iterations to run (plannedIterations of the config). */
  iterations: number;
  /** Activity timeouts (tests shorten them so crash recovery is quick). */
  timeouts?: { trainStep?: Partial<ActivityTimeouts>; tree?: SearchTreeInput['timeouts'] };
}

/** What continue-as-new carries: scalars and refs only. */
export interface TrainingRunState {
  iteration: number;
  /** Each weight group's (owner's) current policy version and its checkpoint directory ('' for v0). */
  models: GroupModels;
  buffers: BufferState;
  /** The latest evaluation's headline Pass@1 (absent before the first evaluation). */
  pass1?: { iteration: number; value: number };
}

export interface TrainingRunResult {
  runId: string;
  iterations: number;
  versions: Record<string, number>;
  /** The latest evaluation's headline Pass@1, or null if none ran. */
  pass1: { iteration: number; value: number } | null;
  /** Set when stop.targetPass1 ended the run before its planned iterations. */
  stoppedEarly?: 'targetPass1';
}

/** Where a training run stands: answered live by the trainingRun workflow. */
export interface RunProgress {
  runId: string;
  /** The iteration in progress (or the last one, once done), 0-based. */
  iteration: number;
  iterations: number;
  phase: 'eval' | 'search' | 'train' | 'metrics' | 'done';
  /** Policy version of each weight group (by owner agent). */
  versions: Record<string, number>;
  /** Samples waiting in each trainable group's buffer. */
  buffered: Record<string, number>;
  /** Updates each trainable group has had. */
  updates: Record<string, number>;
  /** The latest evaluation's headline Pass@1 (trainingRun `headlinePass1`) and the iteration after
   * which it ran (−1: before training), or null before the first evaluation. */
  pass1: { iteration: number; value: number } | null;
  /** Why the run ended before its planned iterations ('targetPass1'), once it has. */
  stoppedEarly?: 'targetPass1';
}

/** Each weight group's (owner agent's) policy version and checkpoint directory ('' for v0). */
export type GroupModels = Record<string, { version: number; dir: string }>;

export type { RlHyper, RlStepMetrics, StepHyper } from '../models/train/trainer';
