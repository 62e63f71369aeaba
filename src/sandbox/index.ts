// The sandbox's public API (DESIGN §6.4). Typical use:
//   const sandbox = await Sandbox.start();            // pool of warm containers, one per core
//   const report = await sandbox.runTests(problem, code, { tests: 'private', stopOnFirstFailure: true });
//   report.verdict — 'AC' | 'WA' | 'TLE' | 'MLE' | 'OLE' | 'RE' | 'CE' | 'IE'; IE = our failure, never score it
//   await sandbox.close();
// Test cases by style (native form, src/data/problem.ts):
//   stdio  — input is stdin (given as a regular file), output the expected stdout (compared by problem.checker);
//   call   — input is JSON lines, one positional argument per line; output is the expected return value as JSON;
//   assert — test_code runs after the program, then check(<entry_point>) when entry_point is set; a test case's
//            input, if any, is more test code run after that (output unused). No test cases → one run.
//
// Threat model (what the sandbox covers; sandbox.md §8 has one named test per case in test/sandbox/):
//   covered: fork/thread bombs (pids cgroup), memory (cgroup + OOM detection), CPU and wall time (cgroup CPU
//   time incl. children; wall deadline), output floods (caps, kill), file size and count (fsize rlimit, tmpfs
//   sizes), network (none), writes outside scratch (read-only root), privilege (uid 65534, no capabilities,
//   no-new-privileges, a seccomp deny list: ./seccomp), the runner (another uid: no kill/ptrace/proc access),
//   leftovers between runs (every process killed, scratch wiped, SysV IPC checked, container recycled on anomalies),
//   secrets (scrubbed env, nothing mounted from the host), faked passes (exit codes and printed markers are not
//   trusted: a completion record needs a per-run nonce; values are compared on the host).
//   not covered: kernel exploits (shared kernel; gVisor/VMs would be the next layer), a program that
//   deliberately introspects the harness's frames to read the nonce, timing side channels between containers,
//   a program that reliably crashes its container (it gets IE, i.e. dropped rather than scored).
export { Sandbox, limitsFor, selectTests, type RunTestsOptions, type Execution } from './sandbox';
export { SandboxPool, reapLeftovers, LABEL as SANDBOX_LABEL, type PoolOptions } from './pool';
export { ensureSandboxImage, imageTags, type EnsureResult } from './image';
export { InfraError } from './protocol';
export { checkOutput, checkValue } from './checkers';
export { parseTyped, describeTyped, compareToExpected, typedEqual, type TypedValue } from './typed';
export { DEFAULT_LIMITS, VERDICTS, type Verdict, type Limits, type Mode, type TestResult, type RunReport, type RawRun } from './types';
