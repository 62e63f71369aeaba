// One RL iteration, mars2 against the PyTorch loop of ../shared/research/toy-domain/rl.py, on the same
// model, problems and shape (issue 15): the toy domain's 3.2M Llama supervised to a T=1 pass rate of
// about 0.4, 16 problems × 8 samples per iteration, ≤ 48 new tokens at T=1, 8 tests per program, one
// update per iteration (bench/rl-loop/make_fixture.py makes both from toy.py).
//
//   grpo           mars2 `setup: grpo` (groups of 8 i.i.d. samples)  vs  rl.py plain (the peer's copy,
//                  bench/rl-loop/rl_torch.py)
//   heterogeneous  mars2 `setup: heterogeneous`, two agents (the model and a copy), AB-MCTS trees of 8
//                  nodes, each agent trained on its own nodes  vs  rl.py tree (4 roots + 4 refinements)
//
// mars2 runs on a stack of its own (.mars2/bench-stack: dev server + worker, real sandbox); s/iteration
// is the time between consecutive metrics lines (continue-as-new and all), the first iteration left out
// (model loads); the peer's is its own per-iteration wall, its first iteration left out too. Rounds
// interleave the two (order flipped every round); figures are medians over iterations, then rounds. The
// split is the worker's (timing.split of the metrics lines, src/activities/workClock.ts) and the peer's
// own (generate / exec / train).
//
//   node --import tsx bench/rl-loop.ts [--rounds 3] [--iterations 6] [--setups grpo,heterogeneous]
//                                      [--expand-as activity|local|batch] [--parallel K] [--no-peer]
//   node --import tsx bench/rl-loop.ts --soak 100     worker RSS per iteration of one long grpo run
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { prepareTrainingRun } from '../src/cli/prepare';
import { parseMetrics, type IterationMetrics } from '../src/report/metrics';
import { status, testStack, up, type StackConfig } from '../src/stack';
import { connectClient } from '../src/stack/client';
import { Store } from '../src/store';
import { runLayout } from '../src/store/layout';
import { trainingRun } from '../src/workflows';

const ROOT = join(__dirname, '..');
const PYTHON = join(ROOT, '.mars2', 'golden-venv', 'bin', 'python');
const FIXTURE = join(ROOT, '.mars2', 'bench-rl-loop');
type Setup = 'grpo' | 'heterogeneous';

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const f2 = (x: number) => x.toFixed(2);

function ensureFixture(): void {
  if (existsSync(join(FIXTURE, 'problems.jsonl'))) return;
  if (!existsSync(PYTHON)) {
    throw new Error(`${PYTHON} is missing: python3 -m venv .mars2/golden-venv && .mars2/golden-venv/bin/pip install torch transformers tokenizers safetensors`);
  }
  console.error('making the fixture (toy-domain tokenizer, 100 SFT steps, problems): about 2–3 minutes');
  const r = spawnSync(PYTHON, [join(__dirname, 'rl-loop', 'make_fixture.py'), FIXTURE], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('make_fixture.py failed');
  cpSync(join(FIXTURE, 'model'), join(FIXTURE, 'model-b'), { recursive: true });
}

/** The bench's own stack: the test stack's settings with another home and ports. */
function benchStack(): StackConfig {
  const t = testStack();
  return { ...t, home: join(ROOT, '.mars2', 'bench-stack'), port: t.port + 7, uiPort: t.port + 8 };
}

/** --expand-as (absent: the config's default) and --parallel. */
interface RunOpts {
  expandAs?: string;
  parallel?: number;
}

function runConfig(setup: Setup, runId: string, iterations: number, opts: RunOpts): string {
  const model = (name: string) => join(FIXTURE, name);
  const common = {
    runId,
    seed: 1,
    setup,
    datasets: { train: { path: join(FIXTURE, 'problems.jsonl'), format: 'native' } },
    rollout: { problemsPerIteration: 16, maxNewTokens: 48, promptMaxTokens: 256, temperature: 1.0, ...(setup === 'grpo' && { samplesPerProblem: 8 }) },
    rewards: { overlong: null },
    // rl.py's update: token-level PG, AdamW (0.9, 0.99) at 1e-4, no KL, no importance ratio, clip 1.0.
    optimization: { loss: 'grpo', lr: 1e-4, schedule: { kind: 'constant', warmupRatio: 0 }, tis: null, klCoef: 0, trainBatchSize: setup === 'grpo' ? 128 : 64, adamw: { beta2: 0.99 } },
    evaluation: null,
    stop: { maxIterations: iterations },
  };
  const config =
    setup === 'grpo'
      ? { ...common, agents: [{ name: 'toy', model: model('model') }], search: { ...(opts.expandAs && { expandAs: opts.expandAs }), ...(opts.parallel && { parallel: opts.parallel }) } }
      : {
          ...common,
          agents: [{ name: 'toy-a', model: model('model') }, { name: 'toy-b', model: model('model-b') }],
          search: { budget: 8, ...(opts.expandAs && { expandAs: opts.expandAs }), ...(opts.parallel && { parallel: opts.parallel }) },
        };
  const dir = join(FIXTURE, 'configs');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${runId}.json`);
  writeFileSync(file, JSON.stringify(config, null, 1));
  return file;
}

interface Mars2Run {
  /** Seconds between consecutive metrics lines, from the second line on. */
  perIteration: number[];
  records: IterationMetrics[];
  /** Worker RSS (MB) when each line appeared. */
  rssMb: number[];
}

function rssMb(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function runMars2(cfg: StackConfig, setup: Setup, iterations: number, opts: RunOpts, tag: string): Promise<Mars2Run> {
  const store = new Store(join(cfg.home, 'store'));
  const runId = `bench-${setup}-${tag}-${Date.now()}`;
  const { input } = await prepareTrainingRun(store, runConfig(setup, runId, iterations, opts));
  const client = await connectClient(cfg);
  const metrics = runLayout(store.root, runId).metrics;
  const worker = status(cfg).worker?.pid;
  const seen: number[] = [];
  const rss: number[] = [];
  try {
    const handle = await client.workflow.start(trainingRun, { taskQueue: cfg.taskQueue, workflowId: runId, args: [input] });
    const done = handle.result();
    let finished = false;
    void done.finally(() => (finished = true)).catch(() => undefined);
    while (!finished) {
      await new Promise((r) => setTimeout(r, 50));
      const lines = existsSync(metrics) ? readFileSync(metrics, 'utf8').split('\n').filter(Boolean).length : 0;
      while (seen.length < lines) {
        seen.push(performance.now());
        rss.push(rssMb(worker));
        process.stderr.write(`  ${runId}: iteration ${seen.length}/${iterations} (worker RSS ${rss.at(-1)!.toFixed(0)} MB)\n`);
      }
    }
    await done;
  } finally {
    await client.connection.close();
  }
  const records = parseMetrics(readFileSync(metrics, 'utf8'), metrics);
  return { perIteration: seen.slice(1).map((t, i) => (t - seen[i]) / 1000), records, rssMb: rss };
}

interface PeerIteration {
  s: number;
  gen: number;
  exec: number;
  train: number;
}

function runPeer(setup: Setup, iterations: number): PeerIteration[] {
  const r = spawnSync(PYTHON, [join(__dirname, 'rl-loop', 'rl_torch.py'), FIXTURE, String(iterations), setup === 'grpo' ? 'plain' : 'tree'], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0) throw new Error(`rl_torch.py failed:\n${r.stderr}`);
  return r.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as PeerIteration);
}

/** mars2's split, medians over the iterations after the first, as seconds. */
function mars2Split(records: IterationMetrics[]): string {
  const splits = records.slice(1).flatMap((r) => (r.timing.split ? [r.timing.split] : []));
  const m = (k: keyof NonNullable<IterationMetrics['timing']['split']>) => f2(median(splits.map((s) => s[k])) / 1000);
  return `gen ${m('generateMs')} / sandbox ${m('sandboxMs')} / train ${m('trainMs')} / other ${m('activityMs')} / idle ${m('idleMs')}`;
}

/**
 * Ends the bench stack's open workflows: a bench killed mid-run leaves its run open, and the next
 * worker would resume it beside the new runs (its trees took the machine, and the figures with it).
 */
async function terminateStale(cfg: StackConfig): Promise<void> {
  const client = await connectClient(cfg);
  try {
    let n = 0;
    for await (const w of client.workflow.list({ query: "ExecutionStatus = 'Running'" })) {
      await client.workflow.getHandle(w.workflowId).terminate('a stale bench run').catch(() => undefined);
      n++;
    }
    if (n > 0) console.error(`  ended ${n} open workflow(s) left by an earlier bench`);
  } finally {
    await client.connection.close();
  }
}

async function soak(cfg: StackConfig, iterations: number, opts: RunOpts): Promise<void> {
  console.log(`soak: one grpo run of ${iterations} iterations; worker RSS when each metrics line appears`);
  const run = await runMars2(cfg, 'grpo', iterations, opts, 'soak');
  const settled = run.rssMb[Math.min(4, run.rssMb.length - 1)];
  const peak = Math.max(...run.rssMb.slice(4));
  console.log(`\n| iteration | s | worker RSS MB |\n|--:|--:|--:|`);
  run.rssMb.forEach((mb, i) => {
    if (i < 10 || i % 10 === 9 || i === run.rssMb.length - 1) console.log(`| ${i + 1} | ${i === 0 ? '–' : f2(run.perIteration[i - 1])} | ${mb.toFixed(0)} |`);
  });
  console.log(`\nRSS after iteration 5: ${settled.toFixed(0)} MB; highest after it: ${peak.toFixed(0)} MB (${((100 * (peak - settled)) / settled).toFixed(1)}% above)`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string', default: '3' },
      iterations: { type: 'string', default: '6' },
      setups: { type: 'string', default: 'grpo,heterogeneous' },
      'expand-as': { type: 'string' },
      parallel: { type: 'string' },
      soak: { type: 'string' },
      'no-peer': { type: 'boolean' },
    },
  });
  const opts: RunOpts = { ...(values['expand-as'] && { expandAs: values['expand-as'] }), ...(values.parallel && { parallel: Number(values.parallel) }) };
  ensureFixture();
  const cfg = benchStack();
  console.error(`bench stack: ${cfg.home} (port ${cfg.port})`);
  await up(cfg, (line) => console.error(`  ${line}`));
  await terminateStale(cfg);
  if (values.soak) return soak(cfg, Number(values.soak), opts);

  const rounds = Number(values.rounds);
  const iterations = Number(values.iterations);
  const setups = values.setups!.split(',') as Setup[];
  const results = new Map<string, { mars2: number[]; peer: number[]; splits: string[]; peerSplits: string[] }>();
  console.log(`rl-loop: 16 problems × 8 samples, ≤ 48 new tokens, 8 tests; ${iterations} iterations per run (first left out), ${rounds} interleaved rounds; expandAs ${opts.expandAs ?? 'the config default'}${opts.parallel ? `, parallel ${opts.parallel}` : ''}; load ${loadavg()[0].toFixed(1)}`);
  for (let round = 0; round < rounds; round++) {
    for (const setup of setups) {
      const cell = results.get(setup) ?? { mars2: [], peer: [], splits: [], peerSplits: [] };
      results.set(setup, cell);
      const order = values['no-peer'] ? ['mars2'] : round % 2 ? ['peer', 'mars2'] : ['mars2', 'peer'];
      for (const who of order) {
        if (who === 'mars2') {
          const run = await runMars2(cfg, setup, iterations, opts, `r${round}`);
          cell.mars2.push(median(run.perIteration));
          cell.splits.push(mars2Split(run.records));
          console.error(`round ${round + 1} ${setup}: mars2 ${f2(median(run.perIteration))} s/iteration (${run.perIteration.map(f2).join(' ')}); ${cell.splits.at(-1)}`);
        } else {
          const its = runPeer(setup, iterations).slice(1);
          cell.peer.push(median(its.map((i) => i.s)));
          cell.peerSplits.push(`gen ${f2(median(its.map((i) => i.gen)))} / exec ${f2(median(its.map((i) => i.exec)))} / train ${f2(median(its.map((i) => i.train)))}`);
          console.error(`round ${round + 1} ${setup}: PyTorch ${f2(cell.peer.at(-1)!)} s/iteration (${its.map((i) => f2(i.s)).join(' ')}); ${cell.peerSplits.at(-1)}`);
        }
      }
    }
  }
  console.log(`\n| setup | mars2 s/iteration | PyTorch s/iteration | PyTorch / mars2 | mars2 split, s (last round) | PyTorch split, s (last round) |`);
  console.log('|---|--:|--:|--:|---|---|');
  for (const [setup, c] of results) {
    const [m, p] = [median(c.mars2), median(c.peer)];
    console.log(`| ${setup} | ${f2(m)} | ${c.peer.length ? f2(p) : '–'} | ${c.peer.length ? `${f2(p / m)}×` : '–'} | ${c.splits.at(-1)} | ${c.peerSplits.at(-1) ?? '–'} |`);
  }
  console.log(`\nload after: ${loadavg()[0].toFixed(1)}. PyTorch / mars2 ≥ 1 means mars2's iteration is at least as fast.`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
