// Activities of a stand-alone evaluation (`mars2 eval`, `mars2 schedule eval`; workflow runEvaluation):
//   evaluationPlan    what to evaluate, decided when the evaluation runs (so a scheduled one always takes
//                     the run's newest weights): the run's config (the ref `runs/<id>/config`) or a given
//                     config, each weight group's newest complete checkpoint `v<N>` (none: the config's own
//                     model, v0), the held-out problems of datasets.eval into the store, and the
//                     evaluation settings (the config's, or the defaults, with the caller's overrides).
//   appendEvaluation  one line to `<store>/runs/<run>/evaluations.jsonl`, only if no line of that
//                     workflow is there yet (a retried append adds nothing). The training run's own
//                     evaluations go to its metrics file; this file holds the ones run beside it.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/activity';
import type { EvalMetrics } from '../report/metrics';
import { evaluationInput, weightGroups, type GroupModels } from '../run/components';
import { defaultEvaluationConfig, parseRunConfig, type EvalMode, type RunConfig } from '../run/configSchema';
import { storeProblems } from '../run/prepare';
import { writeFileAtomic, type Ref, type Store } from '../store';
import type { EvaluationInput } from '../workflows/evaluation';
import { checkpointRoot, runDir } from './training';

export interface EvaluationPlanInput {
  /** Evaluate this training run's newest weights with its config … */
  runId?: string;
  /** … or a stored run config's own model directories (v0). Exactly one of the two. */
  config?: Ref;
  /** Overrides of the config's evaluation settings. */
  problems?: number;
  budget?: number;
  modes?: EvalMode[];
  /** 'int8': every agent runs int8 projection weights (faster on CPU; Pass@1 of a quantized policy). */
  weights?: 'int8';
}

export interface EvaluationPlan {
  input: EvaluationInput;
  /** Policy version of each weight group (by owner agent). */
  versions: Record<string, number>;
}

export interface EvaluationRecord {
  v: 1;
  /** The runEvaluation workflow that made it (one line each). */
  workflowId: string;
  /** When that workflow started (ISO 8601). */
  startedAt: string;
  versions: Record<string, number>;
  problems: number;
  eval: EvalMetrics;
  /** 'int8' when the evaluation ran int8 projection weights; absent for float32. */
  weights?: 'int8';
}

/** Each weight group's newest complete checkpoint under a run's checkpoint root (v0 when none). */
export function latestCheckpoints(store: Store, runId: string, config: RunConfig): GroupModels {
  const root = checkpointRoot(store, runId);
  const models: GroupModels = {};
  for (const g of weightGroups(config)) {
    const dir = join(root, g.owner);
    const versions = existsSync(dir)
      ? readdirSync(dir)
          .map((n) => /^v(\d+)$/.exec(n))
          .filter((m): m is RegExpExecArray => m !== null && existsSync(join(dir, m[0], 'config.json')))
          .map((m) => Number(m[1]))
      : [];
    const v = versions.length > 0 ? Math.max(...versions) : 0;
    models[g.owner] = { version: v, dir: v > 0 ? join(dir, `v${v}`) : '' };
  }
  return models;
}

export function evaluationsPath(store: Store, runId: string): string {
  return join(runDir(store, runId), 'evaluations.jsonl');
}

/**
 * A run's evaluations.jsonl (empty when there is none); a bad line names the file and the line. Figures
 * written before the hack rate existed read as nothing checked, as in the metrics file.
 */
export function readEvaluations(path: string): EvaluationRecord[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .flatMap((line, i) => {
      if (line.trim() === '') return [];
      let record: EvaluationRecord;
      try {
        record = JSON.parse(line) as EvaluationRecord;
      } catch (err) {
        throw new Error(`${path}:${i + 1}: not a JSON evaluation record (${(err as Error).message})`);
      }
      const { agent = {}, system } = record.eval;
      for (const s of [...Object.values(agent), ...(system ? [system.system, ...Object.values(system.agents)] : [])]) s.hack ??= { hacked: 0, checked: 0, rate: null };
      return [record];
    });
}

export function createEvaluationActivities(deps: { store: Store }) {
  const { store } = deps;
  return {
    async evaluationPlan(input: EvaluationPlanInput): Promise<EvaluationPlan> {
      const bad = (message: string) => ApplicationFailure.nonRetryable(message, 'BadEvaluation');
      if ((input.runId === undefined) === (input.config === undefined)) throw bad('evaluationPlan: expected exactly one of runId and config');
      let ref = input.config;
      if (input.runId !== undefined) {
        ref = await store.getName(`runs/${input.runId}/config`);
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
      let problems: { index: Ref; count: number };
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
      const path = evaluationsPath(store, input.runId);
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
