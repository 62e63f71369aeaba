// A search tree's contract (DESIGN §4 step 2, §5 "small payloads"): the searchTree workflow's input, the
// NodeSummary it returns for each node (ids, scalars and store refs, ~300 bytes; a TreeNodeReward of
// src/rl/advantage.ts), and what its expand activity exchanges with it and keeps in the store. Types only.
import type { Duration } from '@temporalio/common';
import type { RewardTests } from '../rl/nodes';
import type { RunReport } from '../sandbox/types';
import type { SearchConfig } from '../search/config';
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
export type ExpandAs = 'activity' | 'local' | 'batch';

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
  /** 'activity' (default): each node a durable activity; 'local': a local activity; 'batch': one activity per batch of `parallel` nodes (src/workflows/searchTree). */
  expandAs?: ExpandAs;
  /**
   * Expands in flight at once (default 1): each batch of this many nodes is selected before any of its
   * scores is known (TreeQuest's ask_batch), so its generations can share engine batches.
   */
  parallel?: number;
}

/** One agent of a tree: a model directory (and checkpoint version) plus how it is prompted. */
export interface AgentSpec {
  name: string;
  /** HF model directory. */
  model: string;
  /** Policy version of the weights in `model` (0 or absent: the directory's own, the initial model). */
  policyVersion?: number;
  /** A system message before every prompt of this agent. */
  systemPrompt?: string | null;
  /** Chat template enable_thinking (Qwen3). */
  thinking?: boolean;
  /** Projection weights the engine runs (default float32; 'int8' for inference-only trees, e.g. `mars2 solve --int8`). */
  weights?: 'float32' | 'int8';
}

/** Refinement prompts: 'marti' (parent answer + pass/fail, training-compatible) or 'tplus' (rich feedback). */
export type FeedbackKind = 'marti' | 'tplus';

export interface GenerateInput {
  /** The problem's JSON (src/data Problem) in the store. */
  problem: Ref;
  /**
   * The parent node's records; null for a child of the root. Only its public-test report: refinement
   * prompts never read private results. Absent when the problem has no public tests.
   */
  parent: { generation: Ref; publicTests?: Ref } | null;
  agent: AgentSpec;
  feedback: FeedbackKind;
  /** Repeat the problem statement in refinement prompts (false = MARTI's exact text). */
  includeProblem: boolean;
  sampling: { temperature: number; topP: number };
  maxNewTokens: number;
  /** The node's sampling seed (DESIGN §5: from run seed, problem id and node index). */
  seed: number;
}

export interface GenerateOutput {
  /** The stored GenerationRecord. */
  generation: Ref;
  responseTokens: number;
  /** Stopped at maxNewTokens rather than at end-of-sequence. */
  truncated: boolean;
  /** Where the program came from: a fenced block of the answer, or the whole answer. */
  programFrom: 'block' | 'answer';
}

/** A node's generation, in the store (~10 bytes per token: ids and two log-probs). */
export interface GenerationRecord {
  kind: 'mars2.generation/1';
  problemId: string;
  agent: string;
  model: string;
  /** Policy version of the weights that generated it (AgentSpec.policyVersion). */
  policyVersion: number;
  /** 'int8' when the tree ran int8 projection weights (AgentSpec.weights); absent for float32. */
  weights?: 'int8';
  seed: number;
  sampling: GenerateInput['sampling'];
  messages: { role: string; content: string }[];
  promptTokenIds: number[];
  text: string;
  tokenIds: number[];
  /** Log-probs of the sampling distribution (after temperature/top-p) — the rollout log-probs. */
  logprobs: number[];
  /** Log-probs of the raw model distribution. */
  rawLogprobs: number[];
  finishReason: string;
  /** What the sandbox runs. */
  program: string;
  programFrom: GenerateOutput['programFrom'];
}

export interface RunTestsInput {
  problem: Ref;
  generation: Ref;
  tests: 'public' | 'private';
}

/** The verdict summary plus the stored RunReport. */
export interface RunTestsOutput extends VerdictSummary {
  report: Ref;
}

/** One tree node: generate, then the public tests, and the private tests when asked (evaluation and training trees). */
export interface ExpandInput extends GenerateInput {
  privateTests: boolean;
  /** A training tree's rewards.tests: the problem must have the tests it counts (checked before generating). */
  reward?: RewardTests;
}

/** A test set the problem does not have is not run, and absent. */
export interface ExpandOutput {
  generation: GenerateOutput;
  publicTests?: RunTestsOutput;
  privateTests?: RunTestsOutput;
}

export type { RewardTests } from '../rl/nodes';
