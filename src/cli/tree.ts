// `mars2 tree ID`: a search tree as a drawing (treeView.ts): the live nodes of a running tree
// (its `tree` query), or the result of a finished one; for a running tree, the expands being retried
// (node, attempt, last failure).
import { WorkflowNotFoundError } from '@temporalio/client';
import type { NodeSummary } from '../contracts';
import { drawTree } from './treeView';
import type { searchTree } from '../workflows';
import { treeQuery } from '../workflows/shared';
import { parseFlags, UsageError, UserError, type Command } from './command';
import { formatRetrying, retryingActivities } from './openActivities';
import { requireWorker, withClient } from './withClient';

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
