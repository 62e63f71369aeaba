// Sandbox throughput, measured in one run (sandbox.md §9.2): executions/s and p50/p99 added latency for a
// trivial program in process mode and fork mode, against the two naive designs (docker exec per test, a
// container per test), and optionally a dataset's reference solutions end to end (problems/s).
// "Added latency" = host-measured time of one execution minus the program's own wall time (runner-measured),
// at concurrency = pool size (no queueing). Used by `mars2 sandbox bench` and bench/sandbox.ts.
import type Docker from 'dockerode';
import { problemSchema, type Problem } from '../data/problem';
import { Sandbox, limitsFor } from './sandbox';
import type { Mode } from './types';

export interface BenchRow {
  design: string;
  executions: number;
  perSecond: number;
  p50AddedMs?: number;
  p99AddedMs?: number;
  note?: string;
}

export interface BenchOptions {
  /** Executions per pool mode (default 300). */
  executions?: number;
  /** Executions for the docker-exec and container-per-test designs (default 40 and 12; 0 skips). */
  execExecutions?: number;
  containerExecutions?: number;
  /** Reference solutions to run end to end (e.g. MBPP's 974), with their problems. */
  references?: { problem: Problem; code: string }[];
  referencesLabel?: string;
  size?: number;
  log?: (line: string) => void;
}

const TRIVIAL = 'print(1)';
const trivialProblem = problemSchema.parse({ id: 'bench', prompt: '', style: 'stdio', public_tests: [{ input: '', output: '1\n' }], private_tests: [] });

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function poolDesign(sandbox: Sandbox, mode: Mode, n: number): Promise<BenchRow> {
  const limits = limitsFor(trivialProblem, { cpuS: 2 });
  const added: number[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < n) {
      next++;
      const t = performance.now();
      const raw = await sandbox.executeOnce({ style: 'stdio', program: TRIVIAL, input: '', mode, limits });
      added.push(performance.now() - t - raw.wallS * 1000);
      if (raw.stdout.toString() !== '1\n') throw new Error(`bench program printed '${raw.stdout.toString()}'`);
    }
  };
  await Promise.all(Array.from({ length: sandbox.pool.size }, worker));
  const seconds = (performance.now() - started) / 1000;
  added.sort((a, b) => a - b);
  return { design: `pool, ${mode} mode`, executions: n, perSecond: n / seconds, p50AddedMs: percentile(added, 50), p99AddedMs: percentile(added, 99) };
}

async function drain(stream: NodeJS.ReadableStream): Promise<void> {
  await new Promise<void>((resolve) => {
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.resume();
  });
}

/** The naive design: one warm container, one `docker exec` per execution (sandbox.md §1: ~15/s). */
async function execDesign(docker: Docker, image: string, n: number, concurrency: number): Promise<BenchRow> {
  const container = await docker.createContainer({
    Image: image,
    Entrypoint: ['/bin/sleep', 'infinity'],
    Labels: { 'mars2.sandbox.bench': '1' },
    HostConfig: { NetworkMode: 'none', ReadonlyRootfs: true, Tmpfs: { '/work': 'rw,size=16m,mode=1777' }, Init: true },
  } as any);
  await container.start();
  try {
    const added: number[] = [];
    let next = 0;
    const started = performance.now();
    const worker = async () => {
      while (next++ < n) {
        const t = performance.now();
        const exec = await container.exec({ Cmd: ['/usr/bin/python3', '-I', '-c', TRIVIAL], AttachStdout: true, AttachStderr: true, User: '65534:65534' });
        await drain((await exec.start({ hijack: true, stdin: false })) as NodeJS.ReadableStream);
        await exec.inspect();
        added.push(performance.now() - t);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const seconds = (performance.now() - started) / 1000;
    added.sort((a, b) => a - b);
    return { design: 'docker exec per test', executions: n, perSecond: n / seconds, p50AddedMs: percentile(added, 50), p99AddedMs: percentile(added, 99), note: 'latency includes the program' };
  } finally {
    await container.remove({ force: true });
  }
}

/** The other naive design: create + start + wait + remove a container per execution. */
async function containerDesign(docker: Docker, image: string, n: number, concurrency: number): Promise<BenchRow> {
  const added: number[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next++ < n) {
      const t = performance.now();
      const c = await docker.createContainer({
        Image: image,
        Entrypoint: ['/usr/bin/python3', '-I', '-c', TRIVIAL],
        User: '65534:65534',
        Labels: { 'mars2.sandbox.bench': '1' },
        HostConfig: { NetworkMode: 'none', ReadonlyRootfs: true, Init: true, LogConfig: { Type: 'none', Config: {} } },
      } as any);
      await c.start();
      await c.wait();
      await c.remove({ force: true });
      added.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  added.sort((a, b) => a - b);
  return { design: 'container per test', executions: n, perSecond: n / seconds, p50AddedMs: percentile(added, 50), p99AddedMs: percentile(added, 99), note: 'latency includes the program' };
}

async function referencesDesign(sandbox: Sandbox, refs: { problem: Problem; code: string }[], label: string, mode: Mode): Promise<BenchRow> {
  let next = 0;
  let passed = 0;
  const failed: string[] = [];
  const started = performance.now();
  const worker = async () => {
    while (next < refs.length) {
      const { problem, code } = refs[next++];
      const r = await sandbox.runTests(problem, code, { tests: 'all', mode, stopOnFirstFailure: true });
      if (r.verdict === 'AC') passed++;
      else failed.push(`${problem.id} ${r.verdict}`);
    }
  };
  await Promise.all(Array.from({ length: sandbox.pool.size * 2 }, worker));
  const seconds = (performance.now() - started) / 1000;
  return {
    design: `${label} references, ${mode} mode`,
    executions: refs.length,
    perSecond: refs.length / seconds,
    note: `problems/s; ${passed}/${refs.length} AC${failed.length ? ` (not AC: ${failed.slice(0, 5).join(', ')}${failed.length > 5 ? ', …' : ''})` : ''}`,
  };
}

export async function runSandboxBench(opts: BenchOptions = {}): Promise<BenchRow[]> {
  const log = opts.log ?? (() => {});
  const n = opts.executions ?? 300;
  const sandbox = await Sandbox.start({ size: opts.size });
  const rows: BenchRow[] = [];
  const add = (row: BenchRow) => {
    rows.push(row);
    log(formatRow(row));
  };
  try {
    await poolDesign(sandbox, 'process', Math.min(20, n)); // warm-up: page cache, first forks
    add(await poolDesign(sandbox, 'process', n));
    add(await poolDesign(sandbox, 'fork', n));
    if (opts.references?.length) {
      add(await referencesDesign(sandbox, opts.references, opts.referencesLabel ?? 'dataset', 'process'));
      add(await referencesDesign(sandbox, opts.references, opts.referencesLabel ?? 'dataset', 'fork'));
    }
    const execN = opts.execExecutions ?? 40;
    if (execN > 0) add(await execDesign(sandbox.pool.docker, sandbox.pool.image, execN, sandbox.pool.size));
    const containerN = opts.containerExecutions ?? 12;
    if (containerN > 0) add(await containerDesign(sandbox.pool.docker, sandbox.pool.image, containerN, sandbox.pool.size));
  } finally {
    await sandbox.close();
  }
  return rows;
}

export function formatRow(r: BenchRow): string {
  const lat = r.p50AddedMs === undefined ? '' : `  p50 ${r.p50AddedMs.toFixed(1)} ms  p99 ${r.p99AddedMs!.toFixed(1)} ms`;
  return `${r.design.padEnd(34)} ${r.perSecond.toFixed(1).padStart(7)}/s  (${r.executions})${lat}${r.note ? `  [${r.note}]` : ''}`;
}
