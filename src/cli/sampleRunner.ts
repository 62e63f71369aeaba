// The sandbox behind `mars2 evaluate-samples`: adapts src/sandbox to the narrow ProgramRunner interface
// (src/data/evaluate.ts) that the evaluation loop needs.
// NOT WIRED YET: src/sandbox does not export its run API (src/sandbox/index.ts) at the time of writing.
// Wiring it is one function: start the pool with `jobs` containers and map run(problem, code, {tests}) to
// the sandbox's run, returning its RunReport (which is a RunSummary: total + tests[{index, verdict, detail}]).
import type { RunnerHandle } from './evaluateSamples';
import { UserError } from './command';

export async function openSandboxRunner(_opts: { jobs: number }): Promise<RunnerHandle> {
  throw new UserError(
    'evaluate-samples cannot run programs yet: the sandbox API (src/sandbox/index.ts) is not wired into ' +
      'src/cli/sampleRunner.ts; expected a pool with run(problem, code, {tests}) → RunReport',
  );
}
