// A run's evaluations.jsonl: one EvaluationRecord per stand-alone evaluation (`mars2 eval --run`,
// `mars2 schedule eval`), appended by the runEvaluation workflow through an activity; the training run's
// own evaluations are in its metrics file. Read by `mars2 report`.
import { existsSync, readFileSync } from 'node:fs';
import type { EvalMetrics } from './metrics';

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

