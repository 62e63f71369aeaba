// Sandbox throughput on this machine. Two benchmarks:
//   default  executions/s of a trivial program in process and fork mode (goal on 2 cores: ≥ 60/s process,
//            ≥ 300/s fork; sandbox.md §9.2), against docker-exec-per-test and container-per-test, and MBPP's
//            reference solutions end to end.
//   --loop   the RL loop's shape: 128 programs × 8 tests, assert style (through the trusted evaluator) and call
//            style, process and fork mode, programs/s and tests/s; with --baseline REF the same rounds run on
//            mars2 at REF (a detached worktree in .mars2/bench-baseline-sandbox), interleaved, one fresh
//            process per cell, and the table gives this checkout / REF.
// Run: node --import tsx bench/sandbox.ts [--executions N] [--no-mbpp]
//      node --import tsx bench/sandbox.ts --loop [--rounds 3] [--programs 128] [--tests 8] [--baseline REF]
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { cpus } from 'node:os';
import { runSandboxBench } from '../src/sandbox/bench';
import { loadDataset } from '../src/data/load';
import { setUpBaseline } from './baseline';

const ROOT = join(__dirname, '..');
const MBPP = join(process.env.MARS2_DATA ?? join(ROOT, '..', 'shared', 'data'), 'mbpp', 'mbpp.jsonl');
const BASELINE_DIR = join(ROOT, '.mars2', 'bench-baseline-sandbox');

interface Cell {
  style: string;
  mode: string;
  programs: number;
  tests: number;
  seconds: number;
  passed: number;
  ie: number;
}

function runCell(root: string, style: string, mode: string, programs: number, tests: number): Cell {
  const out = execFileSync(process.execPath, ['--import', 'tsx', join(__dirname, 'sandbox', 'loopShape.ts'), root, style, mode, String(programs), String(tests)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return JSON.parse(out.toString().trim().split('\n').at(-1)!) as Cell;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function loop(rounds: number, programs: number, tests: number, baseline: string | undefined): Promise<void> {
  if (baseline) setUpBaseline(BASELINE_DIR, baseline);
  const engines = baseline ? [['mars2', ROOT], [`mars2@${baseline}`, BASELINE_DIR]] : [['mars2', ROOT]];
  const shapes = [
    ['assert', 'process'],
    ['assert', 'fork'],
    ['call', 'process'],
    ['call', 'fork'],
  ];
  const seconds = new Map<string, number[]>();
  console.log(`sandbox loop shape: ${programs} programs × ${tests} tests, ${cpus().length} cores, ${rounds} interleaved rounds`);
  for (let r = 0; r < rounds; r++) {
    for (const [style, mode] of shapes) {
      for (const [name, root] of r % 2 ? [...engines].reverse() : engines) {
        const c = runCell(root, style, mode, programs, tests);
        const key = `${name}|${style}|${mode}`;
        seconds.set(key, [...(seconds.get(key) ?? []), c.seconds]);
        console.error(`round ${r + 1}: ${name} ${style} ${mode}: ${c.seconds.toFixed(2)} s (${c.passed} tests passed, ${c.ie} IE)`);
      }
    }
  }
  const head = engines.map(([n]) => ` ${n} programs/s | ${n} tests/s |`).join('');
  console.log(`\n| style | mode |${head}${baseline ? ` mars2 / mars2@${baseline} |` : ''}`);
  console.log(`|---|---|${engines.map(() => '--:|--:|').join('')}${baseline ? '--:|' : ''}`);
  for (const [style, mode] of shapes) {
    const med = engines.map(([n]) => median(seconds.get(`${n}|${style}|${mode}`)!));
    const cells = med.map((s) => ` ${(programs / s).toFixed(1)} | ${((programs * tests) / s).toFixed(0)} |`).join('');
    console.log(`| ${style} | ${mode} |${cells}${baseline ? ` ${(med[1] / med[0]).toFixed(2)}× |` : ''}`);
  }
}

async function main() {
  const { values } = parseArgs({
    options: {
      executions: { type: 'string' },
      'no-mbpp': { type: 'boolean' },
      mbpp: { type: 'string' },
      loop: { type: 'boolean' },
      rounds: { type: 'string', default: '3' },
      programs: { type: 'string', default: '128' },
      tests: { type: 'string', default: '8' },
      baseline: { type: 'string' },
    },
  });
  if (values.loop) return loop(Number(values.rounds), Number(values.programs), Number(values.tests), values.baseline);
  const mbppPath = values.mbpp ?? MBPP;
  const references =
    values['no-mbpp'] || !existsSync(mbppPath)
      ? []
      : (await loadDataset(mbppPath)).filter((e) => e.reference).map((e) => ({ problem: e.problem, code: e.reference!.code }));
  console.log(`sandbox bench: ${cpus().length} cores, trivial program 'print(1)'${references.length ? `, ${references.length} MBPP references` : ''}`);
  await runSandboxBench({
    executions: values.executions ? Number(values.executions) : 300,
    references,
    referencesLabel: 'MBPP',
    log: (line) => console.log(line),
  });
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
