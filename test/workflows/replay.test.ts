// Replay (temporal.md §5.4): the recorded history of a searchTree run replays against today's workflow
// code, and a deliberately incompatible version (fixtures/searchTreeChanged.ts: one more activity before
// the tree) fails with a determinism violation — the guard that catches a change which would break trees
// in flight. No server needed.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { temporal } from '@temporalio/proto';

const HISTORY = join(__dirname, '..', 'fixtures', 'histories', 'searchTree-tplus.bin');
const LOCAL_HISTORY = join(__dirname, '..', 'fixtures', 'histories', 'searchTree-local.bin');
const REGENERATE = 'node --import tsx scripts/histories/record-searchTree.ts';

describe('searchTree replay', () => {
  let history: temporal.api.history.v1.History;
  let local: temporal.api.history.v1.History;
  before(() => {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
    history = temporal.api.history.v1.History.decode(readFileSync(HISTORY));
    local = temporal.api.history.v1.History.decode(readFileSync(LOCAL_HISTORY));
  });

  test("the recorded expandAs 'local' history (expands as markers) replays; the changed workflow fails it", async () => {
    assert.ok(local.events?.some((e) => e.markerRecordedEventAttributes), 'the fixture records local activities');
    await Worker.runReplayHistory({ workflowsPath: require.resolve('../../src/workflows') }, local);
    await assert.rejects(
      Worker.runReplayHistory({ workflowsPath: require.resolve('./fixtures/searchTreeChanged') }, local),
      (err: Error) => err instanceof DeterminismViolationError,
    );
  });

  test('the recorded history replays against the current workflow', async () => {
    try {
      await Worker.runReplayHistory({ workflowsPath: require.resolve('../../src/workflows') }, history);
    } catch (err) {
      assert.fail(
        `the current searchTree no longer replays ${HISTORY}: ${(err as Error).message}\n` +
          `If the change is meant to be incompatible, gate it with patched() for trees in flight; once the new ` +
          `shape is the only one, re-record the fixture with: ${REGENERATE}`,
      );
    }
  });

  test('a workflow that schedules one more activity fails to replay it', async () => {
    await assert.rejects(
      Worker.runReplayHistory({ workflowsPath: require.resolve('./fixtures/searchTreeChanged') }, history),
      (err: Error) => err instanceof DeterminismViolationError,
    );
  });
});
