// `mars2 ping`: runs the ping workflow on the running worker, end to end through the server.
import { pingWorkflow } from '../workflows';
import { parseFlags, type Command } from './command';
import { withClient } from './withClient';

export const pingCommand: Command = {
  name: 'ping',
  summary: 'run a one-activity workflow on the worker to check the stack end to end',
  usage: 'usage: mars2 ping [--message TEXT] [--json]\n  --json  print {workflowId, echo, workerPid, workerHost, ms} as JSON\n\nExample: mars2 ping',
  async run(argv) {
    const { values } = parseFlags(argv, { message: { type: 'string' }, json: { type: 'boolean' } });
    return withClient(
      async (client, cfg) => {
        const t0 = Date.now();
        const result = await client.workflow.execute(pingWorkflow, {
          taskQueue: cfg.taskQueue,
          workflowId: `ping-${Date.now()}`,
          args: [values.message ?? 'ping'],
          workflowExecutionTimeout: '60s',
        });
        const ms = Date.now() - t0;
        if (values.json) console.log(JSON.stringify({ ...result, ms }));
        else console.log(`${result.workflowId}: '${result.echo}' from worker pid ${result.workerPid} on ${result.workerHost} (${ms} ms)`);
        return 0;
      },
      { worker: true },
    );
  },
};
