// Queries and signals shared by workflows and the clients that call them (STYLE 1).
import { defineQuery } from '@temporalio/workflow';
import type { NodeSummary } from '../run/types';

/** A search tree's nodes so far, in creation order (live while it runs, all of them once it is done). */
export const treeQuery = defineQuery<NodeSummary[]>('tree');

/** Where a training run stands (issue 8 item 3): answered live by the trainingRun workflow. */
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

export const progressQuery = defineQuery<RunProgress>('progress');
