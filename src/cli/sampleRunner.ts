// The sandbox behind `mars2 evaluate-samples`: adapts src/sandbox to the narrow ProgramRunner interface
// (src/data/evaluate.ts). Each sample stops at its first failing test (pass@k needs pass/fail only); the
// sandbox's RunReport already is a RunSummary (total + tests[{index, verdict, detail}]).
import { InfraError, Sandbox } from '../sandbox';
import { UserError } from './command';
import type { ProgramRunner } from '../data/evaluate';

/** A program runner and how to release it. */
export interface RunnerHandle {
  runner: ProgramRunner;
  close(): Promise<void>;
}

export async function openSandboxRunner(opts: { jobs: number }): Promise<RunnerHandle> {
  let sandbox: Sandbox;
  try {
    sandbox = await Sandbox.start({ size: opts.jobs });
  } catch (err) {
    if (err instanceof InfraError) throw new UserError(`${err.message} (evaluate-samples needs the sandbox; see mars2 sandbox run)`);
    throw err;
  }
  return {
    runner: { run: (problem, code, { tests }) => sandbox.runTests(problem, code, { tests, stopOnFirstFailure: true }) },
    close: () => sandbox.close(),
  };
}
