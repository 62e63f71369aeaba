// A stand-alone evaluation (`mars2 eval`, and the action of `mars2 schedule eval`'s Temporal Schedule):
//   evaluationPlan (activity: the run's newest weights, or a config's own models; held-out problems)
//   → the `evaluation` workflow's body, run inline (its trees are this workflow's children, named
//     `<this id>-agent-<name>-p<k>` / `<this id>-sys-p<k>`)
//   → appendEvaluation (activity: one line in the run's evaluations.jsonl), when it belongs to a run.
// The plan is made when the workflow runs, not when it is scheduled, so every scheduled firing
// evaluates the weights the run has then. Search attributes: those of `evaluation` (Mars2Kind='eval',
// Mars2RunId, Mars2Pass1).
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { RunEvaluationInput, RunEvaluationResult } from '../contracts';
import { evaluation } from './evaluation';
import { PLAN } from './options';

export async function runEvaluation(input: RunEvaluationInput): Promise<RunEvaluationResult> {
  const { evaluationPlan, appendEvaluation } = proxyActivities<Activities>(PLAN);
  const { timeouts, ...planInput } = input;
  const plan = await evaluationPlan(planInput);
  const result = await evaluation({ ...plan.input, ...(timeouts && { timeouts }) });
  if (input.runId !== undefined) {
    const info = workflowInfo();
    await appendEvaluation({
      runId: input.runId,
      record: {
        v: 1, workflowId: info.workflowId, startedAt: info.startTime.toISOString(), versions: plan.versions, problems: result.problems, eval: result.eval,
        ...(input.weights && { weights: input.weights }),
      },
    });
  }
  return { runId: input.runId ?? null, versions: plan.versions, ...result };
}
