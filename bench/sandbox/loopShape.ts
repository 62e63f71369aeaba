// One round of the RL loop's sandbox shape, in a child process (bench/sandbox.ts --loop runs it, for this
// checkout and for a --baseline worktree, interleaved): 128 programs × 8 tests, one style and one mode, all
// programs submitted at once, as an iteration's expands do when a generation batch ends (before 2026-12-02:
// the pool's width at once; the sandbox queues the rest either way). Prints one JSON line.
// argv: SRC_ROOT STYLE MODE [PROGRAMS] [TESTS]. SRC_ROOT is the checkout whose src/sandbox is measured.
import { join } from 'node:path';
import { cpus } from 'node:os';

async function main() {
  const [root, style, mode, programsArg, testsArg] = process.argv.slice(2);
  const { Sandbox } = await import(join(root, 'src', 'sandbox', 'index.ts'));
  const { problemSchema } = await import(join(root, 'src', 'data', 'problem.ts'));
  const nPrograms = Number(programsArg ?? 128);
  const nTests = Number(testsArg ?? 8);
  const xs = Array.from({ length: nTests }, (_, i) => i * 7 - 11);
  const problem = problemSchema.parse(
    style === 'assert'
      ? { id: 'loop', prompt: '', style: 'assert', test_code: '', public_tests: xs.map((x) => ({ input: `assert f(${x}) == ${x * x + 1}`, output: '' })), private_tests: [] }
      : { id: 'loop', prompt: '', style: 'call', fn_name: 'f', public_tests: xs.map((x) => ({ input: `${x}\n`, output: `${x * x + 1}` })), private_tests: [] },
  );
  // A policy's batch: mostly right, some wrong from the start, some wrong on half the tests, some crashing.
  const programs = Array.from({ length: nPrograms }, (_, i) => {
    const kind = i % 8;
    if (kind === 5) return `def f(x):\n    return x * x  # ${i}`;
    if (kind === 6) return `def f(x):\n    return x * x + 1 if x < 10 else 0  # ${i}`;
    if (kind === 7) return `def f(x):\n    return [][x]  # ${i}`;
    return `import math\n\ndef f(x):\n    y = x * x\n    return y + 1  # ${i}`;
  });
  const sandbox = await Sandbox.start({ size: cpus().length });
  try {
    await sandbox.runTests(problem, programs[0], { tests: 'public', mode }); // warm: page cache, first forks
    const t0 = performance.now();
    let passed = 0;
    let ie = 0;
    await Promise.all(
      programs.map(async (program) => {
        const r = await sandbox.runTests(problem, program, { tests: 'public', mode });
        passed += r.passed;
        ie += r.tests.filter((t: { verdict: string }) => t.verdict === 'IE').length;
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    console.log(JSON.stringify({ style, mode, programs: nPrograms, tests: nTests, seconds, passed, ie }));
  } finally {
    await sandbox.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
