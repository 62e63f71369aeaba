// One search tree as a durable process (DESIGN §4 step 2): exactly `budget` steps of
//   select (AB-MCTS-A, src/search) → expand (generate → runTests public [→ private]) → register,
// each expansion one activity, a durable step, so a crashed worker or server resumes the tree where it
// was and never adds a node twice (why one activity, not one per step: src/activities/search.ts). The
// workflow holds only what it needs to decide: the search state, the RNG and the node summaries (refs +
// scalars, ~300 bytes a node); prompts, programs, tokens and reports are in the store. A `tree` query
// returns the live nodes; the result is the nodes.
//
// Scores (src/run/nodes `nodeScore`, binary): a training tree scores each node by the run's
// rewards.tests ('all' by default: public and private), and runs both sets on every node so that the hack
// rate exists; evaluation and solve trees score on the public tests only (test-time search may use
// nothing else) and, in evaluation, run the private ones for Pass@1. Refinement prompts always show the
// parent's public results only.
//
// Seeds (DESIGN §5): Thompson draws come from Rng.seeded(seed, problemId); node i samples with
// Rng.seeded(seed, problemId, 'node', i). Modes: 'training' (MARTI refinement prompts) and 'tplus'
// (rich error feedback; depth-guided GEN reweighting with DEFAULT_DEPTH_GAMMA unless search.depthGamma
// says otherwise). Strategy 'iid' (the vanilla GRPO baseline) skips the search: every node is a fresh
// sample from the root by the first agent, so the "tree" is GRPO's group of i.i.d. samples and the same
// tree-group advantage is GRPO's group normalisation.
//
// expandAs 'local' runs expand as a local activity: the worker runs it inside the open workflow task and
// the next selection follows in the same task, with no server round trip per node; the results are
// recorded (as markers) when the task completes, at the latest every ~8 s (the SDK heartbeats long
// tasks). For sub-second nodes (tiny models) this removes most of the orchestration cost (bench/README,
// "searchTree"). The price: a worker crash redoes the nodes since the last completed task (the same
// nodes: seeded, content-addressed); a node never counts twice. Default 'activity': one durable step
// per node, the right choice when a node takes seconds.
import {
  ActivityCancellationType, proxyActivities, proxyLocalActivities, setHandler, upsertSearchAttributes, workflowInfo, type ActivityOptions,
} from '@temporalio/workflow';
import type { Duration, SearchAttributeUpdatePair } from '@temporalio/common';
import type { Activities } from '../activities';
import type { AgentSpec } from '../activities/records';
import { nodeScore, type RewardTests } from '../run/nodes';
import type { NodeSummary } from '../run/types';
import { AbMctsA } from '../search/abmcts';
import type { SearchConfig } from '../search/config';
import { DEFAULT_DEPTH_GAMMA } from '../search/depthGuided';
import { Rng } from '../search/rng';
import type { Ref } from '../store';
import { KIND, RUN_ID } from './searchAttributes';
import { treeQuery } from './shared';

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

const DEFAULT_TIMEOUTS: { expand: ActivityTimeouts } = {
  // A generation on a loaded model takes seconds to minutes (the first one also loads the model), a test
  // run up to minutes; evaluation trees run the tests twice.
  expand: { startToCloseTimeout: '1 hour', heartbeatTimeout: '30s' },
};

function activityOptions(t: ActivityTimeouts): ActivityOptions {
  return {
    ...t,
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
    // A cancelled tree closes only after its running expand has stopped (engine row dropped, test run
    // killed), so nothing of it runs once the cancellation has returned.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  };
}

export async function searchTree(input: SearchTreeInput): Promise<NodeSummary[]> {
  const options = activityOptions({ ...DEFAULT_TIMEOUTS.expand, ...input.timeouts?.expand });
  const { expand } =
    input.expandAs === 'local'
      ? proxyLocalActivities<Activities>({ startToCloseTimeout: options.startToCloseTimeout, retry: options.retry })
      : proxyActivities<Activities>(options);
  const treeId = workflowInfo().workflowId;
  const attributes: SearchAttributeUpdatePair[] = [{ key: KIND, value: 'search' }];
  if (input.runId) attributes.push({ key: RUN_ID, value: input.runId });
  upsertSearchAttributes(attributes);

  const search = new AbMctsA({
    ...input.search,
    depthGamma: input.search?.depthGamma ?? (input.mode === 'tplus' ? [...DEFAULT_DEPTH_GAMMA] : undefined),
    agents: input.agents.map((a) => a.name),
  });
  let state = search.init();
  const rng = Rng.seeded(input.seed, input.problem.id);
  const nodes: NodeSummary[] = [];
  setHandler(treeQuery, () => nodes);

  const sampling = { temperature: input.sampling?.temperature ?? 1, topP: input.sampling?.topP ?? 1 };
  for (let nodeId = 0; nodeId < input.budget; nodeId++) {
    const { parent, agent } = input.strategy === 'iid' ? { parent: -1, agent: 0 } : search.select(state, rng);
    const parentNode = parent === -1 ? null : nodes[parent];
    const spec = input.agents[agent];
    const { generation: gen, publicTests: pub, privateTests: priv } = await expand({
      problem: input.problem.ref,
      // Only the public report: refinement prompts never see private results.
      parent: parentNode && { generation: parentNode.refs.generation, ...(parentNode.refs.publicTests && { publicTests: parentNode.refs.publicTests }) },
      agent: spec,
      feedback: input.mode === 'tplus' ? 'tplus' : 'marti',
      includeProblem: input.includeProblem ?? true,
      sampling,
      maxNewTokens: input.maxNewTokens ?? 1024,
      seed: Rng.seeded(input.seed, input.problem.id, 'node', nodeId).uint32(),
      // A reward that counts the private tests needs them run.
      privateTests: (input.privateTests ?? false) || input.reward === 'private' || input.reward === 'all',
      ...(input.reward && { reward: input.reward }),
    });
    const score = nodeScore(input.reward, pub, priv);
    state = search.register(state, parent, agent, score);
    nodes.push({
      treeId,
      nodeId,
      parentId: parentNode ? parentNode.nodeId : null,
      depth: parentNode ? parentNode.depth + 1 : 1,
      agent: spec.name,
      policyVersion: spec.policyVersion ?? 0,
      score,
      responseTokens: gen.responseTokens,
      truncated: gen.truncated,
      ...(pub && { publicTests: { verdict: pub.verdict, passed: pub.passed, total: pub.total } }),
      ...(priv && { privateTests: { verdict: priv.verdict, passed: priv.passed, total: priv.total } }),
      refs: { generation: gen.generation, ...(pub && { publicTests: pub.report }), ...(priv && { privateTests: priv.report }) },
    });
  }
  return nodes;
}
