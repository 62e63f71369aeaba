// The embedded stack through real parts: the dev server on SQLite, the worker `up` starts in the
// background, and a workflow + activity run by that worker. Then the stack's promises: `up` twice is
// harmless, histories survive a crashed server, `down` stops exactly what `up` started.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Client } from '@temporalio/client';
import { address, crashServer, down, status, up, type StackConfig } from '../../src/stack';
import { connectClient } from '../../src/stack/client';
import { temporalBinary } from '../../src/stack/temporal';
import { pingWorkflow } from '../../src/workflows';
import { ensureTestStack } from '../helpers/stack';

/** Gone, or a zombie that only waits for its parent (this process, when it started it) to reap it. */
function exited(pid: number): boolean {
  try {
    return / Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\)/, ')'));
  } catch {
    return true;
  }
}

describe('embedded stack', () => {
  let cfg: StackConfig;
  let client: Client;

  before(async () => {
    ({ cfg, client } = await ensureTestStack());
  });
  after(async () => {
    await client.connection.close();
  });

  test('a workflow and its activity run on the worker that up started', async () => {
    const workflowId = `test-ping-${Date.now()}`;
    const result = await client.workflow.execute(pingWorkflow, { taskQueue: cfg.taskQueue, workflowId, args: ['hello'] });
    assert.equal(result.echo, 'hello');
    assert.equal(result.workflowId, workflowId);
    assert.equal(result.workerPid, status(cfg).worker?.pid, 'the activity ran in the background worker, not in this process');
  });

  test('up twice keeps the same processes', async () => {
    const before = await up(cfg);
    const again = await up(cfg);
    assert.equal(again.server?.pid, before.server?.pid);
    assert.equal(again.worker?.pid, before.worker?.pid);
  });

  test('the namespace has the custom search attributes and the Web UI answers', async () => {
    const { customAttributes } = await client.connection.operatorService.listSearchAttributes({ namespace: cfg.namespace });
    for (const name of ['Mars2RunId', 'Mars2Kind', 'Mars2Iteration', 'Mars2Pass1']) assert.ok(name in (customAttributes ?? {}), name);
    const res = await fetch(`http://${cfg.ip}:${cfg.uiPort}/`);
    assert.equal(res.status, 200);
  });

  test('workflow histories survive a killed server and show in temporal workflow list and the Web UI', async () => {
    const workflowId = `test-durable-${Date.now()}`;
    await client.workflow.execute(pingWorkflow, { taskQueue: cfg.taskQueue, workflowId, args: ['before the crash'] });
    const killed = await crashServer(cfg);
    assert.ok(killed, 'the server was running');
    await client.connection.close();

    const after = await up(cfg);
    assert.notEqual(after.server?.pid, killed.pid);
    client = await connectClient(cfg);

    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    assert.ok((history.events ?? []).length > 0);
    const cli = execFileSync(
      temporalBinary(),
      ['workflow', 'list', '--address', address(cfg), '--namespace', cfg.namespace, '--query', `WorkflowId = '${workflowId}'`, '--output', 'json'],
      { encoding: 'utf8' },
    );
    assert.match(cli, new RegExp(workflowId));
    assert.match(cli, /COMPLETED|Completed/);
    // The Web UI lists it too (its server answers the page's own API call).
    const query = encodeURIComponent(`WorkflowId = '${workflowId}'`);
    const ui = (await (await fetch(`http://${cfg.ip}:${cfg.uiPort}/api/v1/namespaces/${cfg.namespace}/workflows?query=${query}`)).json()) as {
      executions?: { execution: { workflowId: string }; status: string }[];
    };
    assert.deepEqual(
      (ui.executions ?? []).map((e) => [e.execution.workflowId, e.status]),
      [[workflowId, 'WORKFLOW_EXECUTION_STATUS_COMPLETED']],
    );
    // The restarted server serves new work too.
    const result = await client.workflow.execute(pingWorkflow, { taskQueue: cfg.taskQueue, workflowId: `${workflowId}-after`, args: ['after'] });
    assert.equal(result.echo, 'after');
  });

  test('down stops exactly what up started, and up brings back the same histories', async () => {
    const workflowId = `test-down-${Date.now()}`;
    await client.workflow.execute(pingWorkflow, { taskQueue: cfg.taskQueue, workflowId, args: ['x'] });
    await client.connection.close();
    const { server, worker } = status(cfg);
    assert.ok(server && worker);
    await down(cfg);
    assert.deepEqual(status(cfg).server, undefined);
    assert.deepEqual(status(cfg).worker, undefined);
    for (const pid of [server.pid, worker.pid]) assert.ok(exited(pid), `pid ${pid} is gone`);

    await up(cfg);
    client = await connectClient(cfg);
    const desc = await client.workflow.getHandle(workflowId).describe();
    assert.equal(desc.status.name, 'COMPLETED');
  });
});
