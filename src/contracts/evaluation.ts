// An evaluation's contract (DESIGN §4 step 5, §6.3): the `evaluation` workflow's input and result, the
// stand-alone runEvaluation's plan and the line it appends to a run's evaluations.jsonl. Types only.
import type { EvalMetrics } from '../report/metrics';
import type { TreeMetrics } from '../rl/metrics';
import type { Ref } from '../store';
import type { ProblemRef, StoredProblems } from './training';
import type { SearchTreeInput, TreeMode } from './search';

export type EvaluationMode = 'agent' | 'system' | 'both';

export interface EvaluationAgent {
  name: string;
  /** The weights: a model directory and its policy version (0 = the directory's own weights). */
  model: { dir: string; version: number };
  systemPrompt?: string | null;
  thinking?: boolean;
  /** 'int8': the trees run int8 projection weights (`mars2 eval --int8`); absent: float32. */
  weights?: 'int8';
}

export interface EvaluationInput {
  /** The training run this evaluation belongs to (search attribute Mars2RunId). */
  runId?: string;
  /** Held-out problems: refs as problemBatch returns them, or a stored ProblemIndex (all of it). */
  problems: ProblemRef[] | StoredProblems;
  agents: EvaluationAgent[];
  /** Nodes per tree (each agent's tree and each joint tree). */
  budget: number;
  seed: number;
  mode: EvaluationMode;
  /** Prompts of the trees: 'training' (MARTI, default) or 'tplus'. */
  treeMode?: TreeMode;
  search?: SearchTreeInput['search'];
  includeProblem?: boolean;
  /** How each tree runs its expands (default 'activity'). */
  expandAs?: SearchTreeInput['expandAs'];
  /** Expands in flight at once per tree (default 1). */
  parallel?: SearchTreeInput['parallel'];
  sampling?: SearchTreeInput['sampling'];
  maxNewTokens?: number;
  timeouts?: SearchTreeInput['timeouts'];
}

export interface EvaluatedTree {
  treeId: string;
  problemId: string;
  mode: 'agent' | 'system';
  /** The agent of an agent-mode tree. */
  agent?: string;
  nodes: number;
  metrics: TreeMetrics;
}

export interface EvaluationResult {
  problems: number;
  /** Figures per agent (agent mode) and per system (system mode), as the metrics line's `eval`. */
  eval: EvalMetrics;
  trees: EvaluatedTree[];
}

export interface EvaluationPlanInput {
  /** Evaluate this training run's newest weights with its config … */
  runId?: string;
  /** … or a stored run config's own model directories (v0). Exactly one of the two. */
  config?: Ref;
  /** Overrides of the config's evaluation settings. */
  problems?: number;
  budget?: number;
  modes?: ('agent' | 'system')[];
  /** 'int8': every agent runs int8 projection weights (faster on CPU; Pass@1 of a quantized policy). */
  weights?: 'int8';
}

export interface EvaluationPlan {
  input: EvaluationInput;
  /** Policy version of each weight group (by owner agent). */
  versions: Record<string, number>;
}

export interface RunEvaluationInput extends EvaluationPlanInput {
  /** Per-activity timeouts of the trees (tests shorten them). */
  timeouts?: SearchTreeInput['timeouts'];
}

export interface RunEvaluationResult extends EvaluationResult {
  runId: string | null;
  /** Policy version of each weight group (by owner agent) that was evaluated. */
  versions: Record<string, number>;
}

export type { EvaluationRecord } from '../report/evaluations';
