// Records the replay fixtures of the trainingRun, evaluation and runEvaluation workflows
// (test/workflows/replayRuns.test.ts) on the test stack, with a tiny model on MBPP problems, as binary
// protobuf histories (see record-searchTree.ts for why not JSON):
//   trainingRun-first.bin  iteration 0 of a 2-iteration single-agent tree run with evaluations on:
//                          the evaluation before training, trees, a trainStep, metrics, continue-as-new
//   trainingRun-last.bin   iteration 1: trees, a trainStep, the evaluation after it, metrics, completion
//   evaluation-both.bin    an evaluation in both modes (agent trees and joint trees as children)
//   runEvaluation.bin      `mars2 eval --run` of that run: plan, inline evaluation, append
//   ping.bin               `mars2 ping`: one activity
//   trainingRun-grpo.bin   iteration 0 of a 'grpo' run: its groups run in the run itself (growTree)
//   trainingRun-grpo-children.bin  the same as recorded before that change (groups as searchTree
//                          children, no patch marker): `--only grpo-children`, with trainingRun.ts's
//                          patched(GROUPS_INLINE) replaced by false for the recording; `--only grpo`
//                          records trainingRun-grpo.bin alone
// and each one's workflow id in workflow-ids.json (child ids derive from it, so replay needs it).
// Run it after an intended, compatible change to one of these workflows' commands:
//   node --import tsx scripts/histories/record-runs.ts
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { prepareTrainingRun } from '../../src/cli/prepare';
import { evaluation, pingWorkflow, runEvaluation, trainingRun } from '../../src/workflows';
import { MBPP, writeRunConfig } from '../../test/helpers/runConfig';
import { treeFixture } from '../../test/helpers/searchTree';

export const HISTORIES = join(__dirname, '..', '..', 'test', 'fixtures', 'histories');
const IDS = join(HISTORIES, 'workflow-ids.json');

async function save(name: string, handle: WorkflowHandle): Promise<void> {
  const path = join(HISTORIES, name);
  const ids = existsSync(IDS) ? (JSON.parse(readFileSync(IDS, 'utf8')) as Record<string, string>) : {};
  writeFileSync(IDS, JSON.stringify({ ...ids, [name]: handle.workflowId }, null, 2) + '\n');
  const history = await handle.fetchHistory();
  writeFileSync(path, temporal.api.history.v1.History.encode(history).finish());
  console.log(`${path}: ${handle.workflowId}, ${history.events?.length ?? 0} events`);
}

/** A 2-iteration 'grpo' run's first execution, saved as `name`. */
async function recordGrpo(f: Awaited<ReturnType<typeof treeFixture>>, name: string): Promise<void> {
  const runId = `history-grpo-${Date.now()}`;
  const file = writeRunConfig(f, {
    runId,
    seed: 12,
    setup: 'grpo',
    search: {},
    datasets: { train: { path: MBPP, format: 'mbpp', limit: 2 } },
    rollout: { problemsPerIteration: 2, samplesPerProblem: 2, maxNewTokens: 8, promptMaxTokens: 1024 },
    optimization: { trainBatchSize: 4 },
    evaluation: null,
    stop: { maxIterations: 2 },
  });
  const { input } = await prepareTrainingRun(f.store, file);
  const run = await f.client.workflow.start(trainingRun, { taskQueue: f.cfg.taskQueue, workflowId: runId, args: [input] });
  await run.result();
  await save(name, f.client.workflow.getHandle(runId, run.firstExecutionRunId));
}

async function main(): Promise<void> {
  const f = await treeFixture();
  if (process.argv.includes('--only')) {
    const only = process.argv[process.argv.indexOf('--only') + 1];
    if (only !== 'grpo' && only !== 'grpo-children') throw new Error(`--only: expected grpo or grpo-children, found ${only}`);
    await recordGrpo(f, `trainingRun-${only}.bin`);
    await f.client.connection.close();
    return;
  }
  await recordGrpo(f, 'trainingRun-grpo.bin');
  const runId = `history-run-${Date.now()}`;
  const file = writeRunConfig(f, {
    runId,
    seed: 11,
    datasets: { train: { path: MBPP, format: 'mbpp', limit: 2 }, eval: { path: MBPP, format: 'mbpp', limit: 2 } },
    rollout: { problemsPerIteration: 2, maxNewTokens: 8, promptMaxTokens: 1024 },
    evaluation: { everyIterations: 2, atStart: true, budget: 1, modes: ['agent'] },
  });
  const { input } = await prepareTrainingRun(f.store, file);
  const run = await f.client.workflow.start(trainingRun, { taskQueue: f.cfg.taskQueue, workflowId: runId, args: [input] });
  await run.result();
  await save('trainingRun-first.bin', f.client.workflow.getHandle(runId, run.firstExecutionRunId));
  await save('trainingRun-last.bin', f.client.workflow.getHandle(runId));

  const model = f.input('training', 1).agents.find((a) => a.name === 'qwen2')!.model;
  const ev = await f.client.workflow.start(evaluation, {
    taskQueue: f.cfg.taskQueue,
    workflowId: `history-evaluation-${Date.now()}`,
    args: [
      {
        runId,
        problems: input.evalProblems!,
        agents: [
          { name: 'a', model: { dir: model, version: 0 } },
          { name: 'b', model: { dir: model, version: 0 }, systemPrompt: 'You are a careful programmer.' },
        ],
        budget: 2,
        seed: 4,
        mode: 'both',
        maxNewTokens: 8,
      },
    ],
  });
  await ev.result();
  await save('evaluation-both.bin', ev);

  const re = await f.client.workflow.start(runEvaluation, {
    taskQueue: f.cfg.taskQueue,
    workflowId: `history-runEvaluation-${Date.now()}`,
    args: [{ runId, problems: 1 }],
  });
  await re.result();
  await save('runEvaluation.bin', re);

  const ping = await f.client.workflow.start(pingWorkflow, { taskQueue: f.cfg.taskQueue, workflowId: `history-ping-${Date.now()}`, args: ['replay'] });
  await ping.result();
  await save('ping.bin', ping);
  await f.client.connection.close();
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
