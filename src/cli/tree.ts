// `mars2 tree ID`: a search tree as a drawing (treeView.ts): the live nodes of a running tree
// (its `tree` query), or the result of a finished one; for a running tree, the expands being retried
// (node, attempt, last failure).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WorkflowNotFoundError } from '@temporalio/client';
import { parseMetrics } from '../report/metrics';
import { runLayout } from '../store/layout';
import type { NodeSummary } from '../contracts';
import { drawTree } from './treeView';
import type { searchTree } from '../workflows';
import { treeQuery } from '../workflows/shared';
import { parseFlags, UsageError, UserError, type Command } from './command';
import { formatRetrying, retryingActivities } from './openActivities';
import { requireWorker, withClient } from './withClient';

/**
 * A 'grpo' run's group `RUN-itI-pK`: since its groups run inside the training run (no searchTree child),
 * the id names no workflow; the group is drawn from the run's metrics line for iteration I (its samples'
 * agents and scores). Null when the id is not a group of a run in this store.
 */
function grpoGroup(workflowId: string, storeRoot: string): { iteration: number; problemId: string; agents: string[]; scores: number[]; text: string } | null {
  const m = /^(.+)-it(\d+)-p(\d+)$/.exec(workflowId);
  if (!m) return null;
  const [, runId, it, k] = m;
  let metrics: string;
  try {
    metrics = readFileSync(runLayout(storeRoot, runId!).metrics, 'utf8');
  } catch {
    return null;
  }
  const record = parseMetrics(metrics).find((r) => r.iteration === Number(it));
  const tree = record?.trees[Number(k)];
  if (!tree || !tree.parents.every((p) => p === -1)) return null;
  const lines = [
    `group ${workflowId} · problem ${tree.problemId} · ${tree.scores.length} i.i.d. samples (a GRPO group, run inside training run ${runId}: no tree workflow)`,
    ...tree.scores.map((score, n) => `  #${n}  ${tree.agents[n]}  ${score.toFixed(2)}`),
    `solved by ${tree.scores.filter((x) => x === 1).length} of ${tree.scores.length}; mean score ${(tree.scores.reduce((a, b) => a + b, 0) / tree.scores.length).toFixed(2)}`,
  ];
  return { iteration: Number(it), problemId: tree.problemId, agents: tree.agents, scores: tree.scores, text: lines.join('\n') };
}

export const treeCommand: Command = {
  name: 'tree',
  summary: 'draw a search tree (running or finished): depth, agent, score, verdict',
  usage: 'usage: mars2 tree WORKFLOW_ID [--json]\n  --json  print {workflowId, status, nodes, retrying} as JSON (retrying: a running tree\'s expands being retried)\n\nExample: mars2 tree solve-mbpp_2-lx1',
  async run(argv) {
    const { values, positionals } = parseFlags(argv, { json: { type: 'boolean' } }, true);
    if (positionals.length !== 1) throw new UsageError(`expected one workflow id, found ${positionals.length}`);
    const [workflowId] = positionals;
    return withClient(async (client, cfg) => {
      const handle = client.workflow.getHandle<typeof searchTree>(workflowId);
      let status: string;
      try {
        const desc = await handle.describe();
        if (desc.type !== 'searchTree') throw new UserError(`${workflowId} is a '${desc.type}' workflow, not a search tree; give a searchTree workflow id`);
        status = desc.status.name;
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) {
          const group = grpoGroup(workflowId, join(cfg.home, 'store'));
          if (group) {
            if (values.json) console.log(JSON.stringify({ workflowId, status: 'COMPLETED', group }));
            else console.log(group.text);
            return 0;
          }
          throw new UserError(`no workflow '${workflowId}' in namespace ${cfg.namespace}; list trees with: temporal workflow list --query "Mars2Kind='search'"`);
        }
        throw err;
      }
      // A finished tree's nodes are its result; a live one answers a query, which needs a worker.
      if (status !== 'COMPLETED') await requireWorker(client, cfg);
      const nodes: NodeSummary[] = status === 'COMPLETED' ? await handle.result() : await handle.query(treeQuery);
      const retrying = status === 'RUNNING' ? await retryingActivities(client, workflowId, 1) : [];
      if (values.json) console.log(JSON.stringify({ workflowId, status, nodes, ...(status === 'RUNNING' && { retrying }) }));
      else console.log(`${drawTree(nodes, { title: workflowId })}status: ${status.toLowerCase()}${retrying.map((r) => `\nretrying: ${formatRetrying(r)}`).join('')}`);
      return 0;
    });
  },
};
