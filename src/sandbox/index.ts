// The sandbox's public API (DESIGN §6.4). Typical use:
//   const sandbox = await Sandbox.start();            // pool of warm containers, one per core
//   const report = await sandbox.runTests(problem, code, { tests: 'private', stopOnFirstFailure: true });
//   report.verdict — 'AC' | 'WA' | 'TLE' | 'MLE' | 'OLE' | 'RE' | 'CE' | 'IE'; IE is retried, then a failure
//   await sandbox.close();
// Test cases by style (native form, src/data/problem.ts):
//   stdio  — input is stdin (given as a regular file), output the expected stdout (compared on the host by
//            problem.checker);
//   call   — input is JSON lines, one positional argument per line; output is the expected return value as JSON;
//            the evaluator calls fn_name, the value comes back as typed JSON (./typed), compared on the host;
//   assert — input is the test's code, run by the trusted evaluator (docker/evaluator.py) after the prelude,
//            the prompt's helpers (prompt_is_code) and test_code; `candidate` is the entry point, and a
//            `check` the test defines is called with it. Output unused. Zero selected tests is an error.
//
// Threat model: the program is an RL policy's, and anything that lets a wrong program pass will be learned.
// Each class, where it is stopped, and its tests (test/sandbox/attacks.test.ts unless named):
//   always-equal values (__eq__ → True, int/str/list subclasses, look-alike ListNodes): values cross as typed
//     JSON built with references taken before the program ran (docker/values.py); the evaluator and the host
//     compare values they built themselves; an object that is not a value stays in the program's process and
//     equals nothing (docker/evaluator.py Remote).
//   forged pass records (via frames, gc, a scan of the process's own memory, exit codes, printed markers): no
//     record in the program's process decides anything — assert verdicts are the evaluator's report on a pipe
//     the program does not hold; call values need the run's nonce and are still only values; stdio is output.
//   reaching the tests (reading the test file, rewriting or skipping test code, redefining builtins or the
//     prompt's helpers): test code goes to the runner as eval_* blobs kept in memory, is given to the evaluator
//     by fork and zeroed before the program forks; the evaluator runs as uid 65533 (the program: 65534, no
//     ptrace, kill or /proc access across uids) with its own builtins and the dataset's helpers. Requests with
//     the same tests and limits share one evaluator, one program after another (docker/runner.py Evaluator),
//     replaced after any run that hit a limit or left an anomaly; requests queued behind a run wait unread in
//     the runner's stream (./dispatch; test/sandbox/dispatch.test.ts).
//   making the host throw or the machinery fail (huge integers, deep or malformed values, junk on every fd,
//     replies over the cap): every record is parsed by code that returns a value or says why (./json,
//     ./typed, ./checkers); the evaluator caps and validates replies; a verdict is always produced.
//   provoked IE (IPC objects, message queues, full tmpfs dirs left to squeeze the runner): IPC sysctls
//     (shm_rmid_forced, caps, no POSIX queues) and RLIMIT_MSGQUEUE 0 (./pool, docker/runner.py); leftovers
//     removed before the answer is built; the cgroup's overhead covers every byte the program can leave; an IE
//     that repeats after its retries is scored as a failure by every caller, and counted (evaluate-samples).
//   strict values: zero tests is never AC (NoTestsError); numbers compare exactly, float tolerance only
//     between floats (./checkers, ./typed; test/sandbox/checkers.test.ts, typed.test.ts).
//   the rest (sandbox.md §8, test/sandbox/adversarial.test.ts, seccomp.test.ts): fork/thread bombs (pids),
//     memory (cgroup + OOM detection), CPU and wall time, output floods, file size and count, network (none),
//     writes outside scratch (read-only root), privilege (no-new-privileges, a seccomp deny list with
//     io_uring, bpf, userfaultfd, perf_event_open, ptrace, namespaces: ./seccomp), leftovers between runs
//     (every process killed, scratch wiped, container recycled on anomalies), secrets (scrubbed env).
//   not covered: kernel exploits (shared kernel; gVisor/VMs would be the next layer), timing side channels
//     between containers.
export { Sandbox, NoTestsError, RunInputError, limitsFor, selectTests, splitAll, type RunTestsOptions, type Execution } from './sandbox';
export { SandboxPool, reapLeftovers, LABEL as SANDBOX_LABEL, type PoolOptions } from './pool';
export { ensureSandboxImage, imageTags, type EnsureResult } from './image';
export { InfraError, SandboxUnavailableError } from './protocol';
export { checkOutput, checkValue } from './checkers';
export { parseTyped, describeTyped, compareToExpected, typedEqual, type TypedValue } from './typed';
export { DEFAULT_LIMITS, VERDICTS, type Verdict, type Limits, type Mode, type TestResult, type RunReport, type RawRun, type EvaluatorReport } from './types';
