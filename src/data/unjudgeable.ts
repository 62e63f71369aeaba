// Problems the trusted evaluator cannot judge as their dataset means them (src/sandbox/index.ts, threat
// model): the dataset's own reference fails the trusted path, and scoring them the old way (test code in
// the program's namespace) would reopen the reward to the program. They are left out of training and
// evaluation sets (src/activities/problems.ts says which it skipped); `mars2 evaluate-samples` still runs them,
// through the trusted path, where they fail. test/sandbox/references.test.ts checks that exactly these fail.
export const UNJUDGEABLE: ReadonlyMap<string, string> = new Map([
  [
    'mbpp/126',
    "the function under test is named `sum`, like the builtin: the evaluator keeps its own builtins (a program that redefines `len` or `sorted` must not change what a test computes), so the test's `sum(10, 15)` is the builtin",
  ],
]);
