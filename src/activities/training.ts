// The training run's activities (DESIGN §4 steps 3–5, §5), built from the worker's dependencies:
//
//   trainStep      an agent's samples by ref → RlSample (prompt ids, completion ids, rollout log-probs from
//                  the stored GenerationRecord; the advantage from the workflow) → the TrainService step
//                  v → v+1 (checkpoint `<store>/runs/<run>/checkpoints/<owner>/v<n>`). Idempotent per
//                  (owner, fromVersion): an existing v+1 is returned as is. Heartbeats while it waits.
//   appendMetrics  one iteration's record to `<store>/runs/<run>/metrics.jsonl`, rewritten atomically
//                  only if no record of that iteration is there yet (a retried append adds nothing).
//   runConfig      the run's resolved config from the store (the workflow carries only its ref).
//   problemBatch   positions in the stored problem index → problem refs and ids.
//
// Steps of one service are serialised: an attempt that Temporal abandoned (heartbeat timeout) ends in the
// trainer thread before its retry starts, and the retry reuses v+1 if that attempt wrote it. A cancelled
// attempt (Temporal's cancellation signal) never starts if it was still queued and writes no checkpoint
// if it had started. Bad input (a bad agent name or version) is a non-retryable failure.
import { readFile } from 'node:fs/promises';
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { AppendMetricsInput, GenerationRecord, ProblemBatchInput, ProblemIndex, ProblemRef, TrainStepInput, TrainStepOutput } from '../contracts';
import type { TrainStepper } from '../models/train/service';
import type { RlSample } from '../models/train/trainer';
import { formatMetricsLine, parseMetrics } from '../report/metrics';
import { parseRunConfig, type RunConfig } from '../config/schema';
import { writeFileAtomic, type Ref, type Store } from '../store';
import { runLayout, type RunLayout } from '../store/layout';
import { rethrowInputError } from './failures';
import { heartbeating } from './heartbeat';
import { WorkClock } from './workClock';

export interface TrainingDeps {
  store: Store;
  /** The trainer for a base model directory and a checkpoint root (created on first use, then reused). */
  trainer: (baseDir: string, root: string) => TrainStepper;
  /**
   * Where the worker's time goes: training steps here, generation and tests in the search activities;
   * appendMetrics writes the iteration's split from it into the metrics line (timing.split).
   */
  clock?: WorkClock;
}

/** The run's layout in the store; a bad run id is a non-retryable failure. */
export function layoutOf(store: Store, runId: string): RunLayout {
  try {
    return runLayout(store.root, runId);
  } catch (err) {
    rethrowInputError(err);
  }
}

async function readIfExists(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw err;
  }
}

export function createTrainingActivities(deps: TrainingDeps) {
  const clock = deps.clock ?? new WorkClock();
  const chains = new Map<string, Promise<unknown>>();
  /** Runs `work` after every earlier call with the same key. */
  const serial = <T>(key: string, work: () => Promise<T>): Promise<T> => {
    const next = (chains.get(key) ?? Promise.resolve()).catch(() => undefined).then(work);
    chains.set(key, next);
    return next;
  };

  return {
    async trainStep(input: TrainStepInput): Promise<TrainStepOutput> {
      const { store } = deps;
      if (input.samples.length === 0) {
        throw ApplicationFailure.nonRetryable(`trainStep for '${input.owner}' v${input.fromVersion}: expected samples, found none`, 'NoSamples');
      }
      const samples: RlSample[] = await Promise.all(
        input.samples.map(async (s) => {
          const g = await store.getJson<GenerationRecord>(s.generation);
          return { promptIds: g.promptTokenIds, completionIds: g.tokenIds, rolloutLogp: g.logprobs, advantage: s.advantage };
        }),
      );
      const root = layoutOf(store, input.runId).checkpoints;
      const service = deps.trainer(input.baseModel, root);
      const signal = Context.current().cancellationSignal;
      const result = await heartbeating(
        serial(`${input.baseModel}\0${root}`, () =>
          clock.time('train', () => service.trainStep({ agent: input.owner, fromVersion: input.fromVersion, samples, hyper: input.hyper }, signal))
            .catch((err: unknown) => rethrowInputError(err, `trainStep for '${input.owner}' v${input.fromVersion}`)),
        ),
        () => ({ owner: input.owner, fromVersion: input.fromVersion }),
        { settleMs: 10_000 }, // the trainer thread stops at its next cancel point; no checkpoint after that
      );
      return { toVersion: result.toVersion, dir: result.dir, metrics: result.metrics, reused: result.reused };
    },

    async appendMetrics(input: AppendMetricsInput): Promise<{ appended: boolean }> {
      const path = layoutOf(deps.store, input.runId).metrics;
      const { startedAtMs } = input;
      const { wallMs } = input.record.timing;
      // The iteration's time by kind of work, when this worker saw all of it (not after a restart).
      const split = startedAtMs !== undefined && clock.covers(startedAtMs) ? clock.split(startedAtMs, startedAtMs + wallMs) : undefined;
      const line = formatMetricsLine(split ? { ...input.record, timing: { ...input.record.timing, split } } : input.record);
      const text = await readIfExists(path);
      const records = parseMetrics(text, path);
      if (records.some((r) => r.iteration === input.record.iteration)) return { appended: false };
      const last = records.at(-1);
      if (last && last.iteration > input.record.iteration) {
        throw ApplicationFailure.nonRetryable(
          `${path} already holds iteration ${last.iteration}; cannot add iteration ${input.record.iteration} before it`,
          'MetricsOrder',
        );
      }
      await writeFileAtomic(path, text + line);
      return { appended: true };
    },

    async runConfig(ref: Ref): Promise<RunConfig> {
      try {
        return parseRunConfig(await deps.store.getJson(ref), ref);
      } catch (err) {
        throw ApplicationFailure.nonRetryable(`run config ${ref}: ${(err as Error).message}`, 'BadRunConfig');
      }
    },

    async problemBatch(input: ProblemBatchInput): Promise<ProblemRef[]> {
      const index = await deps.store.getJson<ProblemIndex>(input.index);
      return input.positions.map((p) => {
        const entry = index.problems[p];
        if (!entry) throw ApplicationFailure.nonRetryable(`problem index ${input.index} has ${index.problems.length} problems, asked for position ${p}`, 'BadPosition');
        return entry;
      });
    },
  };
}
