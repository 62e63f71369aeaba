// What a searchTree workflow returns for each node it grew (issue 8 item 3; DESIGN §4 step 2, §5 "small
// payloads"): ids, scalars and store refs, never prompts, programs or tensors. One summary is ~300 bytes,
// so a 64-node tree stays far below Temporal's payload limits.
//
// A NodeSummary is a TreeNodeReward (src/rl/advantage.ts): the training workflow passes summaries to
// treeAdvantages as they are. Types only; workflow code imports them with `import type`.
import type { RunReport } from '../sandbox/types';
import type { Ref } from '../store';

/** A sandbox run cut to what the tree needs: 'AC' when every test passed, else the deciding verdict. */
export type VerdictSummary = Pick<RunReport, 'verdict' | 'passed' | 'total'>;

export interface NodeSummary {
  /** The tree's id (the searchTree workflow id), shared by all its nodes. */
  treeId: string;
  /** Creation index 0, 1, … (TreeQuest expand_idx; the AB-MCTS state's node index). */
  nodeId: number;
  /** The parent's nodeId, or null for a child of the (empty) root. */
  parentId: number | null;
  /** Root children have depth 1. */
  depth: number;
  /** The agent that wrote it (its name in the run config). */
  agent: string;
  /** Checkpoint version of the agent's weights that generated it (0 = the initial model). */
  policyVersion: number;
  /**
   * The node's score in [0, 1], the search's and the training's reward (src/run/nodes `nodeScore`):
   * training trees count the run's rewards.tests, evaluation and solve trees the public tests only.
   */
  score: number;
  /** Output tokens generated. */
  responseTokens: number;
  /** Generation stopped at rollout.maxNewTokens rather than at end-of-sequence. */
  truncated: boolean;
  /** The tests the model may be shown; absent when the problem has none (HumanEval). */
  publicTests?: VerdictSummary;
  /** The held-out tests (evaluation and training trees); absent when not run or the problem has none. */
  privateTests?: VerdictSummary;
  refs: {
    /** The generation record: prompt text, output text, token ids, rollout log-probs, seed. */
    generation: Ref;
    /** The public-test RunReport: the only report refinement prompts read. */
    publicTests?: Ref;
    privateTests?: Ref;
  };
}
