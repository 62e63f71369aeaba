// A search tree's contract (DESIGN §4 step 2, §5 "small payloads"): the searchTree workflow's input and
// the NodeSummary it returns for each node — ids, scalars and store refs, never prompts, programs or
// tensors (~300 bytes a node). A NodeSummary is a TreeNodeReward (src/rl/advantage.ts). Types only.
import type { Duration } from '@temporalio/common';
import type { RunReport } from '../sandbox/types';
import type { SearchConfig } from '../search/config';
import type { Ref } from '../store';
import type { RewardTests } from '../rl/nodes';
import type { AgentSpec } from './search';

export type { RewardTests } from '../rl/nodes';

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
   * The node's score in [0, 1], the search's and the training's reward (src/rl/nodes `nodeScore`):
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

export type TreeMode = 'training' | 'tplus';
export type TreeStrategy = 'abmcts' | 'iid';
export type ExpandAs = 'activity' | 'local';

export interface ActivityTimeouts {
  startToCloseTimeout: Duration;
  heartbeatTimeout: Duration;
}

export interface SearchTreeInput {
  /** The problem's JSON in the store, and its id (for seeds and records). */
  problem: { ref: Ref; id: string };
  agents: AgentSpec[];
  /** Nodes to grow. */
  budget: number;
  seed: number;
  mode: TreeMode;
  /** 'abmcts' (default) or 'iid': `budget` independent samples from the root by agents[0] (GRPO). */
  strategy?: TreeStrategy;
  /** AB-MCTS-A settings (the agents come from `agents`). */
  search?: Omit<SearchConfig, 'agents'>;
  /** Repeat the problem statement in refinement prompts (default true). */
  includeProblem?: boolean;
  sampling?: { temperature?: number; topP?: number };
  maxNewTokens?: number;
  /** Also run every node on the private tests (evaluation and training trees). */
  privateTests?: boolean;
  /**
   * Training trees: the run's rewards.tests, what a node's score counts (a problem without those tests
   * fails the tree, non-retryable). Absent (evaluation, solve): the public tests.
   */
  reward?: RewardTests;
  /** The training run this tree belongs to (search attribute Mars2RunId). */
  runId?: string;
  /** The expand activity's timeouts (tests shorten them so crash recovery is quick). */
  timeouts?: { expand?: Partial<ActivityTimeouts> };
  /** 'activity' (default): each node a durable activity; 'local': a local activity (see above). */
  expandAs?: ExpandAs;
}
