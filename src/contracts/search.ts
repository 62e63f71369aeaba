// What the search activities exchange with workflows (small, through Temporal) and what they keep in the
// store (large, by ref) — DESIGN §4 step 2, §5 "small payloads". Types only.
import type { Ref } from '../store';
import type { RewardTests, VerdictSummary } from './tree';

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
