// Typed fake activities for the fast tier: the real activity signatures (`satisfies Partial<Activities>`)
// over a scripted world instead of engines, a sandbox and a store. Problems are `train-<k>` / `eval-<k>`
// at refs `sha256:problem-<id>`; a node passes its tests when `solves` says so; trainStep makes v+1 at
// `/ckpt/<owner>/v<n>`. Every call is recorded with the workflow that made it. `hang` makes one activity
// start, then heartbeat until it is cancelled (for the cancellation tests). `batches` holds each expand
// until all of its batch has started, then answers them in reverse order; `inFlight` records how many
// of one workflow's expands overlapped.
import { activityInfo, ApplicationFailure, heartbeat, sleep } from '@temporalio/activity';
import type { Activities } from '../../../src/activities';
import type {
  AgentSpec, AppendMetricsInput, EvaluationPlan, EvaluationPlanInput, EvaluationRecord, ExpandInput, ExpandOutput, ProblemBatchInput, ProblemRef, RunTestsOutput,
  TrainStepInput, TrainStepOutput,
} from '../../../src/contracts';
import type { IterationMetrics } from '../../../src/report/metrics';
import { parseRunConfig, type RunConfig, type RunConfigInput } from '../../../src/config/schema';
import type { Ref } from '../../../src/store';

export const CONFIG: Ref = 'sha256:config';
export const TRAIN: Ref = 'sha256:train';
export const EVAL: Ref = 'sha256:eval';

/**
 * Which test sets the `k`-th expand call (0-based, per tree) of `agent` passes on `problemId`; `seed` is
 * the node's seed (call order varies when a tree expands several nodes at once; the seed does not).
 */
export type Solves = (agent: AgentSpec, problemId: string, k: number, seed: number) => { public: boolean; private: boolean };

export interface Call<I> {
  workflowId: string;
  input: I;
}

export interface FakeWorld {
  activities: Partial<Activities>;
  expand: Call<ExpandInput>[];
  expandBatch: Call<ExpandInput[]>[];
  trainStep: Call<TrainStepInput>[];
  metrics: IterationMetrics[];
  evaluations: EvaluationRecord[];
  /** Per workflow id: the most of its expands in flight at once. */
  inFlight: Map<string, number>;
  /** Resolves when the `hang` activity has started, and when it has seen its cancellation. */
  hung: Promise<void>;
  cancelled: Promise<void>;
}

export interface WorldOptions {
  config?: RunConfigInput;
  solves?: Solves;
  hang?: 'expand' | 'trainStep';
  plan?: EvaluationPlan;
  /**
   * A tree that expands `size` nodes at a time out of `budget`: each expand waits (≤ 10 s) until every
   * expand of its batch has started, then the batch answers last-started first. A tree that runs a
   * batch at once then shows `size` in flight whatever the load, and registers out-of-order answers.
   */
  batches?: { size: number; budget: number };
}

const fails: Solves = () => ({ public: false, private: false });

/** The generation ref the fake expand returns for `input`: `sha256:gen-<problem id>-<agent>-<seed>`. */
export function generationRef(input: ExpandInput): Ref {
  return `sha256:gen-${input.problem.slice('sha256:problem-'.length)}-${input.agent.name}-${input.seed}`;
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

export function fakeWorld(options: WorldOptions = {}): FakeWorld {
  const solves = options.solves ?? fails;
  const hung = deferred();
  const cancelled = deferred();
  const world: Omit<FakeWorld, 'activities'> = { expand: [], expandBatch: [], trainStep: [], metrics: [], evaluations: [], inFlight: new Map(), hung: hung.promise, cancelled: cancelled.promise };
  const running = new Map<string, number>();
  const started = (tree: string) => world.expand.filter((c) => c.workflowId === tree).length;
  const holdForBatch = async (tree: string, k: number, { size, budget }: { size: number; budget: number }) => {
    const first = k - (k % size);
    const last = Math.min(first + size, budget);
    for (let waitedMs = 0; started(tree) < last && waitedMs < 10_000; waitedMs += 5) await sleep(5);
    await sleep((last - 1 - k) * 30);
  };
  const workflowId = () => activityInfo().workflowExecution?.workflowId ?? '';
  const hangHere = async () => {
    hung.resolve();
    try {
      for (;;) {
        heartbeat();
        await sleep(100);
      }
    } finally {
      cancelled.resolve();
    }
  };
  const tests = (pass: boolean, report: string): RunTestsOutput => ({ verdict: pass ? 'AC' : 'WA', passed: pass ? 2 : 0, total: 2, report: `sha256:${report}` });

  const expand = async (input: ExpandInput): Promise<ExpandOutput> => {
    const tree = workflowId();
    const k = world.expand.filter((c) => c.workflowId === tree).length;
    world.expand.push({ workflowId: tree, input });
    if (options.hang === 'expand') await hangHere();
    const now = (running.get(tree) ?? 0) + 1;
    running.set(tree, now);
    world.inFlight.set(tree, Math.max(now, world.inFlight.get(tree) ?? 0));
    try {
      if (options.batches) await holdForBatch(tree, k, options.batches);
    } finally {
      running.set(tree, running.get(tree)! - 1);
    }
    const problemId = input.problem.slice('sha256:problem-'.length);
    const node = `${problemId}-${input.agent.name}-${input.seed}`;
    const pass = solves(input.agent, problemId, k, input.seed);
    return {
      generation: { generation: generationRef(input), responseTokens: 8, truncated: false, programFrom: 'block' },
      publicTests: tests(pass.public, `public-${node}`),
      ...(input.privateTests && { privateTests: tests(pass.private, `private-${node}`) }),
    };
  };

  const activities = {
    async runConfig(ref: Ref): Promise<RunConfig> {
      if (ref !== CONFIG || !options.config) throw ApplicationFailure.nonRetryable(`fake runConfig: no config at ${ref}`);
      return parseRunConfig(options.config);
    },
    async problemBatch(input: ProblemBatchInput): Promise<ProblemRef[]> {
      const set = input.index === TRAIN ? 'train' : 'eval';
      return input.positions.map((p) => ({ ref: `sha256:problem-${set}-${p}`, id: `${set}-${p}` }));
    },
    expand,
    /** expandAs 'batch': the batch's nodes as concurrent expands, recorded as one call in `expandBatch`. */
    async expandBatch(inputs: ExpandInput[]): Promise<ExpandOutput[]> {
      world.expandBatch.push({ workflowId: workflowId(), input: inputs });
      return Promise.all(inputs.map(expand));
    },
    async trainStep(input: TrainStepInput): Promise<TrainStepOutput> {
      world.trainStep.push({ workflowId: workflowId(), input });
      if (options.hang === 'trainStep') await hangHere();
      const toVersion = input.fromVersion + 1;
      return { toVersion, dir: `/ckpt/${input.owner}/v${toVersion}`, metrics: { loss: 0.5, policyLoss: 0.49, klLoss: 0.01, clipFraction: 0.1, tisVetoCount: 0, tisWeightMean: 1, sequences: input.samples.length, tokens: 64, gradNorm: 1, lr: input.hyper.lr, step: toVersion }, reused: false };
    },
    async appendMetrics(input: AppendMetricsInput): Promise<{ appended: boolean }> {
      world.metrics.push(input.record);
      return { appended: true };
    },
    async evaluationPlan(_input: EvaluationPlanInput): Promise<EvaluationPlan> {
      if (!options.plan) throw ApplicationFailure.nonRetryable('fake evaluationPlan: no plan given');
      return options.plan;
    },
    async appendEvaluation(input: { runId: string; record: EvaluationRecord }): Promise<{ appended: boolean }> {
      world.evaluations.push(input.record);
      return { appended: true };
    },
  } satisfies Partial<Activities>;
  return { ...world, activities };
}
