// Engine speed, in one run: mars2's generator, transformers.js and PyTorch CPU `generate` on the same
// random-weight Llama models (~5M and ~25M parameters), the same prompts, greedy, the same thread count.
// Prints one table of decode and prefill tok/s at batch 1, 8 and 32 with the ratios mars2/transformers.js
// and mars2/PyTorch, and checks the engine's goals. Every engine measures every cell in a fresh child
// process, one at a time; the protocol is in bench/engine/shared.ts. Set-up it does when missing:
//   - the HF model dirs (.mars2/bench-models, by bench/make_bench_models.py in .mars2/golden-venv);
//   - transformers.js in bench/tjs/node_modules (`npm ci --prefix bench/tjs --ignore-scripts`,
//     ONNXRUNTIME_NODE_INSTALL=skip: nothing is downloaded besides the locked npm packages);
//   - the transformers.js folders (.mars2/bench-models-tjs, bench/tjs/export.ts; rewritten every run);
//   - with --baseline REF: a detached git worktree of REF in .mars2/bench-baseline (node_modules and the
//     bench models linked from this checkout), whose mars2 runs as one more engine, for before/after figures;
//   - with --int8: int8 projections in both ONNX engines, the same codes (mars2 RuntimeOptions.weights
//     'int8'; transformers.js dtype 'q8' on onnx/model_quantized.onnx from bench/tjs/export.ts); PyTorch
//     is not run then (no like-for-like int8 path).
// Run by hand, on a quiet machine:
//   node --import tsx bench/engine.ts [--threads 2] [--runs 5] [--prompt 128] [--new 64] [--models tiny5m,small25m] [--batches 1,8,32] [--no-tjs] [--no-torch] [--best] [--attention onnx|auto] [--baseline REF] [--int8]
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { MODELS_DIR, ROOT, TJS_MODELS_DIR, median, parseSettings, settingsArgs, type BenchResult, type BenchSettings } from './engine/shared';
import { exportTjs } from './tjs/export';
import { setUpBaseline } from './baseline';

const PYTHON = join(ROOT, '.mars2', 'golden-venv', 'bin', 'python');
const TJS_DIR = join(ROOT, 'bench', 'tjs');
const BASELINE_DIR = join(ROOT, '.mars2', 'bench-baseline');
type Engine = BenchResult['engine'];

function sh(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): string {
  const r = spawnSync(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status ?? r.signal}`);
  return r.stdout;
}

function setUp(s: BenchSettings, tjs: boolean, baseline: string | undefined, int8: boolean): void {
  if (!s.models.every((m) => existsSync(join(MODELS_DIR, m, 'config.json')))) {
    if (!existsSync(PYTHON)) {
      throw new Error(`the bench models are missing from ${MODELS_DIR} and ${PYTHON} is not there to write them; create it with\n`
        + '  python3 -m venv .mars2/golden-venv && .mars2/golden-venv/bin/pip install torch transformers safetensors');
    }
    sh(PYTHON, ['bench/make_bench_models.py']);
  }
  if (baseline) setUpBaseline(BASELINE_DIR, baseline, [join('.mars2', 'bench-models')]);
  if (!tjs) return;
  if (!existsSync(join(TJS_DIR, 'node_modules', '@huggingface', 'transformers', 'package.json'))) {
    console.error('installing transformers.js into bench/tjs/node_modules (npm ci, install scripts off) …');
    sh('npm', ['ci', '--prefix', TJS_DIR, '--ignore-scripts', '--no-audit', '--no-fund'], { ONNXRUNTIME_NODE_INSTALL: 'skip' });
  }
  for (const m of s.models) exportTjs(join(MODELS_DIR, m), join(TJS_MODELS_DIR, m), int8 ? 'int8' : 'float32');
}

/** Flags passed through to the children: mars2's `--attention onnx|primitive|auto`, and `--int8` (mars2 and transformers.js). */
function childArgs(s: BenchSettings & { rest?: string[] }, engine: Engine): string[] {
  const i = s.rest?.indexOf('--attention') ?? -1;
  const attention = i >= 0 && engine !== 'transformers.js' ? ['--attention', s.rest![i + 1] ?? ''] : [];
  return [...attention, ...(s.rest?.includes('--int8') ? ['--int8'] : [])];
}

/** An engine child process speaking the line protocol of ./engine/shared. */
class Child {
  private readonly proc: ChildProcess;
  private readonly lines: AsyncIterator<string>;

  constructor(readonly engine: Engine, s: BenchSettings) {
    const args = settingsArgs(s);
    const [cmd, argv, env]: [string, string[], NodeJS.ProcessEnv] = engine === 'mars2' || engine === 'baseline'
      ? [process.execPath, ['--import', 'tsx', engine === 'mars2' ? 'bench/engine/mars2.ts' : join(BASELINE_DIR, 'bench', 'engine', 'mars2.ts'), ...args, ...childArgs(s, engine)], {}]
      : engine === 'transformers.js'
        ? [process.execPath, ['--import', 'tsx', 'bench/tjs/run.ts', ...args, ...childArgs(s, engine)], {}]
        : [PYTHON, ['bench/make_bench_models.py', '--serve', ...args], { OMP_NUM_THREADS: String(s.threads), MKL_NUM_THREADS: String(s.threads), HF_HUB_OFFLINE: '1' }];
    this.proc = spawn(cmd, argv, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'inherit'] });
    this.lines = createInterface({ input: this.proc.stdout! })[Symbol.asyncIterator]();
  }

  async sample(model: string, B: number): Promise<BenchResult> {
    this.proc.stdin!.write(`${model} ${B}\n`);
    const next = await this.lines.next();
    if (next.done) throw new Error(`${this.engine} child exited (code ${this.proc.exitCode}) before answering '${model} ${B}'`);
    return { ...JSON.parse(next.value) as BenchResult, engine: this.engine };
  }

  /** Ends the child and waits for it to exit. */
  async close(): Promise<void> {
    if (this.proc.exitCode !== null) return;
    const exited = new Promise((resolve) => this.proc.once('exit', resolve));
    this.proc.stdin!.end();
    await exited;
  }
}

/**
 * Every cell: a fresh child per engine, all alive together; RUNS rounds, each taking one sample from
 * every engine in turn (order rotating per round), so a load swing on the shared machine hits every
 * engine alike; the median (or, with --best, the best) over the rounds.
 */
async function runAll(engines: Engine[], s: BenchSettings, best: boolean): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  const stat = (xs: number[]) => (best ? Math.max(...xs) : median(xs));
  for (const model of s.models) {
    for (const B of s.batches) {
      console.error(`${model} B=${B} …`);
      const children = engines.map((e) => new Child(e, s));
      const rs: BenchResult[][] = engines.map(() => []);
      try {
        for (let r = 0; r < s.runs; r++) {
          for (let i = 0; i < engines.length; i++) {
            const e = (i + r) % engines.length;
            // a pause first, so the previous engine's spinning pool threads (ORT, OpenMP) are asleep
            await new Promise((res) => setTimeout(res, 300));
            rs[e]!.push(await children[e]!.sample(model, B));
          }
        }
      } finally {
        for (const c of children) await c.close();
      }
      for (const xs of rs) {
        const failed = xs.find((r) => r.note !== undefined);
        out.push(failed ?? { ...xs[0]!, prefillTokS: stat(xs.map((r) => r.prefillTokS!)), decodeTokS: stat(xs.map((r) => r.decodeTokS!)), firstRow: xs.at(-1)!.firstRow });
      }
    }
  }
  return out;
}

const f0 = (x: number | undefined) => (x === undefined ? '—' : Math.round(x).toLocaleString('en-US'));
const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? '—' : `${(a / b).toFixed(2)}×`);

function table(all: BenchResult[], engines: Engine[], s: BenchSettings, baseline: string | undefined): string[] {
  const get = (e: Engine, m: string, B: number) => all.find((r) => r.engine === e && r.model === m && r.batch === B);
  const cell = (r: BenchResult | undefined, key: 'decodeTokS' | 'prefillTokS', e: Engine) => (!engines.includes(e) ? 'not run' : r?.note ?? f0(r?.[key]));
  const extra = baseline ? [` mars2@${baseline} |`, ` mars2 / mars2@${baseline} |`] : ['', ''];
  const lines = [`| model | figure (tok/s) | mars2 |${extra[0]} transformers.js | PyTorch |${extra[1]} mars2 / transformers.js | mars2 / PyTorch |`,
    `|---|---|--:|${baseline ? '--:|' : ''}--:|--:|${baseline ? '--:|' : ''}--:|--:|`];
  for (const m of s.models) {
    const params = all.find((r) => r.model === m)?.params;
    for (const key of ['decodeTokS', 'prefillTokS'] as const) {
      for (const B of s.batches) {
        const [a, t, p] = (['mars2', 'transformers.js', 'pytorch'] as const).map((e) => get(e, m, B));
        const label = `${key === 'decodeTokS' ? 'decode' : 'prefill'} B=${B}`;
        const name = key === 'decodeTokS' && B === s.batches[0] ? `${m} (${((params ?? 0) / 1e6).toFixed(1)}M)` : '';
        const base = get('baseline', m, B);
        const [bCell, bRatio] = baseline ? [` ${cell(base, key, 'baseline')} |`, ` ${ratio(a?.[key], base?.[key])} |`] : ['', ''];
        lines.push(`| ${name} | ${label} | ${cell(a, key, 'mars2')} |${bCell} ${cell(t, key, 'transformers.js')} | ${cell(p, key, 'pytorch')} |${bRatio} ${ratio(a?.[key], t?.[key])} | ${ratio(a?.[key], p?.[key])} |`);
      }
    }
  }
  return lines;
}

function goals(all: BenchResult[], s: BenchSettings): string[] {
  const v = (e: Engine, m: string, B: number, key: 'decodeTokS' | 'prefillTokS') => all.find((r) => r.engine === e && r.model === m && r.batch === B)?.[key];
  const out: string[] = [];
  const check = (what: string, ok: boolean | undefined) => out.push(`${ok === undefined ? 'n/a ' : ok ? 'MET ' : 'MISS'}  ${what}`);
  for (const m of s.models) {
    const q = (B: number, e: Engine, key: 'decodeTokS' | 'prefillTokS' = 'decodeTokS') => {
      const a = v('mars2', m, B, key), b = v(e, m, B, key);
      return a === undefined || b === undefined ? undefined : a / b;
    };
    const r1 = q(1, 'transformers.js'), r32 = q(32, 'transformers.js');
    check(`${m}: decode B=1 ≥ 1.5× transformers.js (${r1?.toFixed(2) ?? '—'}×)`, r1 === undefined ? undefined : r1 >= 1.5);
    check(`${m}: decode B=32 ≥ 2× transformers.js (${r32?.toFixed(2) ?? '—'}×)`, r32 === undefined ? undefined : r32 >= 2);
    for (const key of ['decodeTokS', 'prefillTokS'] as const) {
      const rs = s.batches.map((B) => q(B, 'pytorch', key));
      const shown = rs.map((r, i) => `B=${s.batches[i]} ${r?.toFixed(2) ?? '—'}×`).join(', ');
      check(`${m}: ${key === 'decodeTokS' ? 'decode' : 'prefill'} ahead of PyTorch at every batch size (${shown})`, rs.includes(undefined) ? undefined : rs.every((r) => r! > 1));
    }
  }
  return out;
}

function agreement(all: BenchResult[]): string {
  const parts: string[] = [];
  for (const e of ['transformers.js', 'pytorch'] as const) {
    let same = 0, n = 0;
    const prefixes: number[] = [];
    for (const r of all.filter((x) => x.engine === e && x.firstRow)) {
      const ref = all.find((x) => x.engine === 'mars2' && x.model === r.model && x.batch === r.batch)?.firstRow;
      if (!ref) continue;
      n++;
      if (ref.join() === r.firstRow!.join()) same++;
      let i = 0;
      while (i < ref.length && ref[i] === r.firstRow![i]) i++;
      prefixes.push(i);
    }
    // where rows differ (int8: activation rounding flips near-tied argmaxes of the random models), how far they agree
    if (n) parts.push(`${e} ${same}/${n}${same < n ? ` (tokens in common from the start: ${prefixes.join(', ')} of ${all[0]!.firstRow?.length ?? '?'})` : ''}`);
  }
  return `greedy new tokens of row 0 identical to mars2's: ${parts.join(', ') || '—'}`;
}

async function main() {
  const s = parseSettings(process.argv.slice(2));
  const engines: Engine[] = ['mars2'];
  if (!s.rest.includes('--no-tjs')) engines.push('transformers.js');
  const int8 = s.rest.includes('--int8');
  if (int8 && !s.rest.includes('--no-torch')) console.error('PyTorch skipped: --int8 has no like-for-like PyTorch path');
  else if (!s.rest.includes('--no-torch')) {
    if (existsSync(PYTHON)) engines.push('pytorch');
    else console.error(`PyTorch skipped: ${PYTHON} is missing`);
  }
  const bi = s.rest.indexOf('--baseline');
  const baseline = bi >= 0 ? s.rest[bi + 1] : undefined;
  if (bi >= 0 && !baseline) throw new Error('--baseline expects a git ref (a commit, branch or tag)');
  if (baseline) engines.splice(1, 0, 'baseline');
  setUp(s, engines.includes('transformers.js'), baseline, int8);
  const loadBefore = loadavg();
  const best = s.rest.includes('--best');
  const all = await runAll(engines, s, best);
  const loadAfter = loadavg();
  const ortVersion = JSON.parse(readFileSync(join(ROOT, 'node_modules', 'onnxruntime-node', 'package.json'), 'utf8')).version;
  const ver = (e: Engine) => all.find((r) => r.engine === e)?.version;
  console.log(`Engine speed: greedy generation, prompt ${s.prompt} tokens, ${s.newTokens} new tokens, ${best ? 'best' : 'median'} of ${s.runs} samples after a warm-up run;`);
  console.log(`a fresh process per engine and cell (model × batch), the engines sampled in turn (order rotating per round);`);
  console.log(`threads ${s.threads} for all (ORT intra-op ${s.threads} / inter-op 1; torch.set_num_threads(${s.threads})).`);
  console.log(`decode tok/s = B·${s.newTokens} / (t(${s.newTokens + 1} new) − t(1 new)); prefill tok/s = B·${s.prompt} / t(1 new).`);
  console.log(`mars2: Generator + ModelRuntime in-process, onnxruntime-node ${ortVersion}; transformers.js ${ver('transformers.js') ?? '—'} (model.generate, `
    + `its own onnxruntime-node, mars2's decoder exported by bench/tjs/export.ts); PyTorch ${ver('pytorch') ?? '—'} (transformers generate, eager, CPU).`);
  if (int8) console.log('weights: int8 projections in mars2 and transformers.js, the same codes (MatMulNBits, 8 bits, block 32, accuracy level 4); embeddings and norms float32.');
  console.log(`load average before/after: ${loadBefore[0]!.toFixed(2)} / ${loadAfter[0]!.toFixed(2)} (${availableParallelism()} cores)\n`);
  for (const l of table(all, engines, s, baseline)) console.log(l);
  console.log(`\n${agreement(all)}\n\nGoals:`);
  for (const l of goals(all, s)) console.log(`  ${l}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
