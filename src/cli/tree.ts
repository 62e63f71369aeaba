// `mars2 tree ID`: a search tree as a drawing (treeView.ts): the live nodes of a running tree
// (its `tree` query), or the result of a finished one.
import { WorkflowNotFoundError } from '@temporalio/client';
import type { NodeSummary } from '../contracts';
import { drawTree } from './treeView';
import { currentStack } from '../stack';
import { connectClient } from '../stack/client';
import type { searchTree } from '../workflows';
import { treeQuery } from '../workflows/shared';
import { parseFlags, UsageError, UserError, type Command } from './command';

export const treeCommand: Command = {
  name: 'tree',
  summary: 'draw a search tree (running or finished): depth, agent, score, verdict',
  usage: 'usage: mars2 tree WORKFLOW_ID [--json]',
  async run(argv) {
    const { values, positionals } = parseFlags(argv, { json: { type: 'boolean' } }, true);
    if (positionals.length !== 1) throw new UsageError(`expected one workflow id, found ${positionals.length}`);
    const [workflowId] = positionals;
    const cfg = currentStack();
    const client = await connectClient(cfg).catch((err: Error) => {
      throw new UserError(err.message);
    });
    try {
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
      const nodes: NodeSummary[] = status === 'COMPLETED' ? await handle.result() : await handle.query(treeQuery);
      if (values.json) console.log(JSON.stringify({ workflowId, status, nodes }));
      else console.log(`${drawTree(nodes, { title: workflowId })}status: ${status.toLowerCase()}`);
      return 0;
    } finally {
      await client.connection.close();
    }
  },
};
