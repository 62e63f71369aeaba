// Records the replay fixture of the searchTree workflow (test/workflows/replay.test.ts): runs a T+ tree
// of budget 3 with two tiny models on an MBPP problem on the test stack and writes its event history
// as binary protobuf
// (the SDK's own .bin fixture form; its JSON reader, historyFromJSON, fails here with "type must be a
// Type" because node_modules holds two protobufjs copies). Run it after an intended, compatible change to the workflow's commands:
//   node --import tsx scripts/histories/record-searchTree.ts
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import { searchTree } from '../../src/workflows';
import { treeFixture } from '../../test/helpers/searchTree';

export const SEARCH_TREE_HISTORY = join(__dirname, '..', '..', 'test', 'fixtures', 'histories', 'searchTree-tplus.bin');
/** The same tree with expandAs 'local' (the expands as local activities, recorded as markers). */
export const SEARCH_TREE_LOCAL_HISTORY = join(__dirname, '..', '..', 'test', 'fixtures', 'histories', 'searchTree-local.bin');

async function main(): Promise<void> {
  const f = await treeFixture();
  const workflowId = `history-searchTree-${Date.now()}`;
  const handle = await f.client.workflow.start(searchTree, {
    taskQueue: f.cfg.taskQueue,
    workflowId,
    args: [f.input('tplus', 3, { runId: 'history' })],
  });
  const nodes = await handle.result();
  writeFileSync(SEARCH_TREE_HISTORY, temporal.api.history.v1.History.encode(await handle.fetchHistory()).finish());
  console.log(`${SEARCH_TREE_HISTORY}: ${workflowId}, ${nodes.length} nodes`);
  const local = await f.client.workflow.start(searchTree, {
    taskQueue: f.cfg.taskQueue,
    workflowId: `${workflowId}-local`,
    args: [f.input('tplus', 3, { runId: 'history', expandAs: 'local' })],
  });
  await local.result();
  writeFileSync(SEARCH_TREE_LOCAL_HISTORY, temporal.api.history.v1.History.encode(await local.fetchHistory()).finish());
  console.log(`${SEARCH_TREE_LOCAL_HISTORY}: ${workflowId}-local`);
  await f.client.connection.close();
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
