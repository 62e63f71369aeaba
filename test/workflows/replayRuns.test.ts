// Replay (temporal.md §5.4) of every workflow but searchTree (replay.test.ts has it): recorded
// histories of trainingRun (its first execution, with the evaluation before training and
// continue-as-new, and its last, with the evaluation after the last iteration and completion),
// evaluation (both modes), runEvaluation and pingWorkflow replay against today's workflow code; a
// version with one more command first (fixtures/runsChanged.ts) fails with a determinism violation.
// No server needed. Re-record: node --import tsx scripts/histories/record-runs.ts
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { temporal } from '@temporalio/proto';

const HISTORIES = join(__dirname, '..', 'fixtures', 'histories');
const REGENERATE = 'node --import tsx scripts/histories/record-runs.ts';
const FIXTURES = ['trainingRun-first.bin', 'trainingRun-last.bin', 'trainingRun-grpo.bin', 'trainingRun-grpo-children.bin', 'evaluation-both.bin', 'runEvaluation.bin', 'ping.bin'];

const load = (name: string) => temporal.api.history.v1.History.decode(readFileSync(join(HISTORIES, name)));
/** The recorded workflow ids (child ids derive from the parent's, so replay must use the same). */
const IDS = JSON.parse(readFileSync(join(HISTORIES, 'workflow-ids.json'), 'utf8')) as Record<string, string>;

describe('trainingRun / evaluation / runEvaluation replay', () => {
  before(() => {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  });

  for (const name of FIXTURES) {
    test(`${name} replays against the current workflows`, async () => {
      const history = load(name);
      const type = history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name;
      assert.ok(type, `${name} starts with a WorkflowExecutionStarted event`);
      try {
        await Worker.runReplayHistory({ workflowsPath: require.resolve('../../src/workflows') }, history, IDS[name]);
      } catch (err) {
        assert.fail(
          `the current ${type} no longer replays ${name}: ${(err as Error).message}\n` +
            `If the change is meant to be incompatible, gate it with patched() for runs in flight; once the new ` +
            `shape is the only one, re-record the fixtures with: ${REGENERATE}`,
        );
      }
    });
  }

  test("the 'grpo' fixtures hold the two shapes: groups as children (before the patch), groups in the run (after)", () => {
    const shape = (name: string) => {
      const events = load(name).events ?? [];
      return {
        children: events.filter((e) => e.startChildWorkflowExecutionInitiatedEventAttributes).length,
        markers: events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch').length,
        expands: events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'expandBatch').length,
      };
    };
    assert.deepEqual(shape('trainingRun-grpo-children.bin'), { children: 2, markers: 0, expands: 0 });
    assert.deepEqual(shape('trainingRun-grpo.bin'), { children: 0, markers: 1, expands: 2 });
  });

  for (const name of ['trainingRun-first.bin', 'trainingRun-last.bin', 'evaluation-both.bin']) {
    test(`a version with one more command first fails to replay ${name}`, async () => {
      await assert.rejects(
        Worker.runReplayHistory({ workflowsPath: require.resolve('./fixtures/runsChanged') }, load(name), IDS[name]),
        (err: Error) => err instanceof DeterminismViolationError,
      );
    });
  }
});
