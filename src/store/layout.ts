// Where a run's files live in the store's folder, built and parsed in one place:
//   <root>/runs/<run>/checkpoints/<agent>/v<n>/   policy version n ≥ 1 of a weight group (owner agent)
//   <root>/runs/<run>/metrics.jsonl               one line per training iteration
//   <root>/runs/<run>/evaluations.jsonl           one line per stand-alone evaluation
//   names/runs/<run>/config                       the run's resolved config (a store name)
// Version 0 is the config's own model directory and is never under the run. Run ids and agent names
// name folders: one validator for both (names.ts, which workflow code may use).
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { checkAgent, checkRunId, LayoutError } from './names';

export { checkAgent, checkRunId, LayoutError, nameProblem } from './names';

export interface RunLayout {
  runId: string;
  dir: string;
  /** The trainer's checkpoint root: `<agent>/v<n>` below it. */
  checkpoints: string;
  metrics: string;
  evaluations: string;
  /** The store name of the run's resolved config. */
  configName: string;
}

/** The layout of run `runId` in the store at `storeRoot`. Throws LayoutError on a bad id. */
export function runLayout(storeRoot: string, runId: string): RunLayout {
  const dir = join(storeRoot, 'runs', checkRunId(runId));
  return {
    runId,
    dir,
    checkpoints: join(dir, 'checkpoints'),
    metrics: join(dir, 'metrics.jsonl'),
    evaluations: join(dir, 'evaluations.jsonl'),
    configName: `runs/${runId}/config`,
  };
}

/** Checkpoint directory of `agent`'s policy version `version` ≥ 1 under a checkpoint root. */
export function checkpointDir(checkpoints: string, agent: string, version: number): string {
  if (!Number.isInteger(version) || version < 1) {
    throw new LayoutError('bad_version', `policy version must be an integer ≥ 1 to name a checkpoint, found ${version}`);
  }
  return join(checkpoints, checkAgent(agent), `v${version}`);
}

/** `agent`'s complete checkpoints (those with a config.json) under a checkpoint root, ascending. */
export function checkpointVersions(checkpoints: string, agent: string): number[] {
  const dir = join(checkpoints, checkAgent(agent));
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((n) => /^v([1-9]\d*)$/.exec(n))
    .filter((m): m is RegExpExecArray => m !== null && existsSync(join(dir, m[0], 'config.json')))
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}
