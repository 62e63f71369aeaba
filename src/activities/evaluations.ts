// Activities of a stand-alone evaluation (`mars2 eval`, `mars2 schedule eval`; workflow runEvaluation):
//   evaluationPlan    what to evaluate, decided when the evaluation runs (so a scheduled one always takes
//                     the run's newest weights): the run's config (the ref `runs/<id>/config`) or a given
//                     config, each weight group's newest complete checkpoint `v<N>` (none: the config's own
//                     model, v0), the held-out problems of datasets.eval into the store, and the
//                     evaluation settings (the config's, or the defaults, with the caller's overrides).
//   appendEvaluation  one line to `<store>/runs/<run>/evaluations.jsonl`, only if no line of that
//                     workflow is there yet (a retried append adds nothing). The training run's own
//                     evaluations go to its metrics file; this file holds the ones run beside it.
import { readFile } from 'node:fs/promises';
import { ApplicationFailure } from '@temporalio/activity';
import { evaluationInput, weightGroups } from '../config/components';
import { defaultEvaluationConfig, parseRunConfig, type RunConfig } from '../config/schema';
import type { EvaluationPlan, EvaluationPlanInput, EvaluationRecord, GroupModels, StoredProblems } from '../contracts';
import { writeFileAtomic, type Store } from '../store';
import { checkpointDir, checkpointVersions } from '../store/layout';
import { storeProblems } from './problems';
import { layoutOf } from './training';

/** Each weight group's newest complete checkpoint under a run's checkpoint root (v0 when none). */
export function latestCheckpoints(store: Store, runId: string, config: RunConfig): GroupModels {
  const { checkpoints } = layoutOf(store, runId);
  const models: GroupModels = {};
  for (const g of weightGroups(config)) {
    const v = checkpointVersions(checkpoints, g.owner).at(-1) ?? 0;
    models[g.owner] = { version: v, dir: v > 0 ? checkpointDir(checkpoints, g.owner, v) : '' };
  }
  return models;
}

export function createEvaluationActivities(deps: { store: Store }) {
  const { store } = deps;
  return {
    async evaluationPlan(input: EvaluationPlanInput): Promise<EvaluationPlan> {
      const bad = (message: string) => ApplicationFailure.nonRetryable(message, 'BadEvaluation');
      if ((input.runId === undefined) === (input.config === undefined)) throw bad('evaluationPlan: expected exactly one of runId and config');
      let ref = input.config;
      if (input.runId !== undefined) {
        ref = await store.getName(layoutOf(store, input.runId).configName);
        if (!ref) throw bad(`no run '${input.runId}' in the store ${store.root} (its config is named runs/${input.runId}/config by mars2 train)`);
      }
      let config: RunConfig;
      try {
        config = parseRunConfig(await store.getJson(ref!), ref);
      } catch (err) {
        throw bad(`run config ${ref}: ${(err as Error).message}`);
      }
      const held = config.datasets.eval;
      if (!held) throw bad(`${input.runId ? `run '${input.runId}'` : `config ${ref}`} has no held-out problems: set datasets.eval in its config`);
      const ev = { ...(config.evaluation ?? defaultEvaluationConfig()) };
      if (input.problems !== undefined) ev.problems = input.problems;
      if (input.budget !== undefined) ev.budget = input.budget;
      if (input.modes !== undefined) ev.modes = input.modes;
      let problems: StoredProblems;
      try {
        problems = await storeProblems(store, String(ref), 'eval', held, Math.min(held.limit ?? Infinity, ev.problems ?? Infinity));
      } catch (err) {
        throw bad((err as Error).message);
      }
      const models = input.runId !== undefined ? latestCheckpoints(store, input.runId, config) : {};
      const plan = evaluationInput(config, ev, problems, models, input.runId);
      if (input.weights) plan.agents = plan.agents.map((a) => ({ ...a, weights: input.weights }));
      return {
        input: plan,
        versions: Object.fromEntries(weightGroups(config).map((g) => [g.owner, models[g.owner]?.version ?? 0])),
      };
    },

    async appendEvaluation(input: { runId: string; record: EvaluationRecord }): Promise<{ appended: boolean }> {
      const path = layoutOf(store, input.runId).evaluations;
      let text = '';
      try {
        text = await readFile(path, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
      const seen = text
        .split('\n')
        .filter((l) => l.trim() !== '')
        .some((l) => (JSON.parse(l) as EvaluationRecord).workflowId === input.record.workflowId);
      if (seen) return { appended: false };
      await writeFileAtomic(path, text + JSON.stringify(input.record) + '\n');
      return { appended: true };
    },
  };
}
