// One search tree (DESIGN §4 step 2): exactly `budget` nodes, in batches of `parallel` (default 1; the
// last batch may be smaller): select the batch (AB-MCTS-A; TreeQuest's ask_batch for more than one) →
// expand each (one activity: generate → public tests [→ private]), all of a batch at once → register
// the scores in selection order (node ids in that order); a crash resumes the tree and never adds a
// node twice. The workflow holds the search state, the RNG and the NodeSummaries (refs and scalars); the
// `tree` query returns the live nodes. Scores (src/rl/nodes `nodeScore`): training trees count the run's
// rewards.tests and run both sets (for the hack rate); evaluation and solve trees score on the public
// tests; refinement prompts see only public results.
// Seeds (DESIGN §5): Thompson draws from Rng.seeded(seed, problemId), node i samples with
// Rng.seeded(seed, problemId, 'node', i). Mode 'tplus': rich feedback and depth-guided GEN weights.
// Strategy 'iid' (vanilla GRPO) skips the search: every node a fresh sample from the root by agents[0].
// expandAs 'local': expand as a local activity, no server round trip per node (bench/README); a worker
// crash redoes the unrecorded nodes (the same ones: seeded, content-addressed). expandAs 'batch': each
// batch of `parallel` nodes is one expandBatch activity (one durable step per batch, nodes recorded
// when the batch ends; a retry redoes no step its heartbeat reported).
import { ApplicationFailure, proxyActivities, proxyLocalActivities, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { Activities } from '../activities';
import type { ExpandInput, ExpandOutput, NodeSummary, SearchTreeInput } from '../contracts';
import { nodeScore } from '../rl/nodes';
import { AbMctsA } from '../search/abmcts';
import type { Selection } from '../search/select';
import { DEFAULT_DEPTH_GAMMA } from '../search/depthGuided';
import { Rng } from '../search/rng';
import { allStopped, EXPAND_TIMEOUTS, withTimeouts } from './options';
import { KIND, RUN_ID } from '../contracts/searchAttributes';
import { treeQuery } from './shared';

export async function searchTree(input: SearchTreeInput): Promise<NodeSummary[]> {
  const attributes: SearchAttributeUpdatePair[] = [{ key: KIND, value: 'search' }];
  if (input.runId) attributes.push({ key: RUN_ID, value: input.runId });
  upsertSearchAttributes(attributes);
  const nodes: NodeSummary[] = [];
  setHandler(treeQuery, () => nodes);
  return growTree(input, workflowInfo().workflowId, nodes);
}

/**
 * The tree's search in the calling workflow: a searchTree child's body, and the training run's own for
 * GRPO groups (strategy 'iid': no search state worth a workflow of its own, src/workflows/trainingRun.ts).
 * Registered nodes are pushed onto `nodes` as they are recorded.
 */
export async function growTree(input: SearchTreeInput, treeId: string, nodes: NodeSummary[] = []): Promise<NodeSummary[]> {
  const options = withTimeouts(EXPAND_TIMEOUTS, input.timeouts?.expand);
  const { expand, expandBatch } =
    input.expandAs === 'local'
      ? proxyLocalActivities<Activities>({ startToCloseTimeout: options.startToCloseTimeout, retry: options.retry })
      : proxyActivities<Activities>(options);

  const search = new AbMctsA({
    ...input.search,
    depthGamma: input.search?.depthGamma ?? (input.mode === 'tplus' ? [...DEFAULT_DEPTH_GAMMA] : undefined),
    agents: input.agents.map((a) => a.name),
  });
  let state = search.init();
  const rng = Rng.seeded(input.seed, input.problem.id);

  const sampling = { temperature: input.sampling?.temperature ?? 1, topP: input.sampling?.topP ?? 1 };
  const parallel = input.parallel ?? 1;
  if (!Number.isInteger(parallel) || parallel < 1) {
    throw ApplicationFailure.nonRetryable(`searchTree: parallel must be a positive integer (expands at once), found ${parallel}`);
  }
  // One node's expand input: its parent is a registered node (a batch selects from registered nodes only).
  const expandInput = (nodeId: number, { parent, agent }: Selection): ExpandInput => {
    const parentNode = parent === -1 ? null : nodes[parent];
    const spec = input.agents[agent]!;
    return {
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
    };
  };
  const expanded = (nodeId: number, { parent, agent }: Selection, out: ExpandOutput) =>
    ({ nodeId, parent, agent, parentNode: parent === -1 ? null : nodes[parent], spec: input.agents[agent]!, out });
  type Expanded = ReturnType<typeof expanded>;
  // Registers node `nodeId` (the next id): its score into the search, its summary into `nodes`.
  const record = ({ nodeId, parent, agent, parentNode, spec, out }: Expanded) => {
    const { generation: gen, publicTests: pub, privateTests: priv } = out;
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
  };

  for (let first = 0; first < input.budget; first += parallel) {
    const k = Math.min(parallel, input.budget - first);
    const batch: Selection[] =
      input.strategy === 'iid' ? Array.from({ length: k }, () => ({ parent: -1, agent: 0 })) : search.selectBatch(state, rng, k);
    // Each node is recorded once every node selected before it is: ids and the search state follow the
    // selection order whatever order the expands finish in, and the tree query sees finished nodes early.
    if (input.expandAs === 'batch') {
      const outs = await expandBatch(batch.map((pick, i) => expandInput(first + i, pick)));
      batch.forEach((pick, i) => record(expanded(first + i, pick, outs[i]!)));
      continue;
    }
    const done: (Expanded | undefined)[] = [];
    let next = 0;
    await allStopped(
      batch.map(async (pick, i) => {
        done[i] = expanded(first + i, pick, await expand(expandInput(first + i, pick)));
        for (; next < k && done[next]; next++) record(done[next]!);
      }),
    );
  }
  return nodes;
}
