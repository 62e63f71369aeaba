// What the three engine benchmarks (mars2, transformers.js, PyTorch) share: the models, the prompts,
// the timing protocol, and the line protocol between bench/engine.ts and the engine child processes.
//
// Protocol, per model and batch size B (a "cell"; identical in bench/make_bench_models.py):
//   a fresh process per engine and cell, so no state from other cells (heap, allocator arenas, caches)
//   bends the figure; the engines measure one cell after the other, the order rotating per cell;
//   warm-up: one full run (generate NEW + 1 new tokens for B prompts of PROMPT tokens, greedy), so no
//            first-pass costs (JIT, allocator growth at new shapes) land in the figures;
//   then RUNS samples: t1 = time to generate 1 new token (prefill + first sample), tN = time to generate
//            NEW + 1 new tokens; prefill tok/s = B·PROMPT / t1, decode tok/s = B·NEW / (tN − t1);
//   reported: the medians over the samples.
// Child protocol: stdin lines `MODEL B`; stdout one JSON BenchResult (one sample) per line; the first
// request for a cell in a process runs the warm-up first.
import { createInterface } from 'node:readline';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');
export const MODELS_DIR = join(ROOT, '.mars2', 'bench-models');
export const TJS_MODELS_DIR = join(ROOT, '.mars2', 'bench-models-tjs');
export const MODELS = ['tiny5m', 'small25m'] as const;
export const BATCHES = [1, 8, 32] as const;

export interface BenchSettings {
  threads: number;
  prompt: number;
  newTokens: number;
  runs: number;
  models: string[];
  batches: number[];
}

export const DEFAULTS: BenchSettings = { threads: 2, prompt: 128, newTokens: 64, runs: 5, models: [...MODELS], batches: [...BATCHES] };

/** One engine × model × batch figure (a sample, or the medians). `note` replaces the figures when the engine cannot run it. */
export interface BenchResult {
  /** 'baseline': mars2 at another commit (bench/engine.ts --baseline). */
  engine: 'mars2' | 'baseline' | 'transformers.js' | 'pytorch';
  model: string;
  params: number;
  batch: number;
  prefillTokS?: number;
  decodeTokS?: number;
  /** Greedy new tokens of row 0 (for the cross-engine agreement line). */
  firstRow?: number[];
  note?: string;
  version?: string;
}

/** Prompt b of the batch: PROMPT token ids in [2, 4002), the same in every engine. */
export function promptIds(b: number, prompt: number): number[] {
  return Array.from({ length: prompt }, (_, i) => 2 + ((b * 7919 + i * 31) % 4000));
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * One sample of the protocol above, with `gen(n)` generating n new tokens for the whole batch
 * (resolving to row 0's new tokens); the warm-up run first when `warm` is false.
 */
export async function sample(gen: (n: number) => Promise<number[]>, B: number, s: BenchSettings, warm: boolean) {
  if (!warm) await gen(s.newTokens + 1);
  let t = performance.now();
  await gen(1);
  const t1 = performance.now() - t;
  t = performance.now();
  const firstRow = await gen(s.newTokens + 1);
  const tN = performance.now() - t;
  return { prefillTokS: (B * s.prompt) / t1 * 1e3, decodeTokS: (B * s.newTokens) / (tN - t1) * 1e3, firstRow };
}

/** A child's request loop: answers each stdin line `MODEL B` with one JSON line from `cell`. */
export async function serve(cell: (model: string, B: number, warm: boolean) => Promise<BenchResult>): Promise<void> {
  const warmed = new Set<string>();
  for await (const line of createInterface({ input: process.stdin })) {
    const [model, b] = line.trim().split(/\s+/);
    if (!model) continue;
    const r = await cell(model, Number(b), warmed.has(`${model} ${b}`));
    warmed.add(`${model} ${b}`);
    process.stdout.write(`${JSON.stringify(r)}\n`);
  }
}

/** Parses `--threads N --runs N --prompt N --new N --models a,b --batches 1,32` over the defaults. */
export function parseSettings(argv: string[]): BenchSettings & { rest: string[] } {
  const s = { ...DEFAULTS };
  const rest: string[] = [];
  const ints: Record<string, 'threads' | 'runs' | 'prompt' | 'newTokens'> = { '--threads': 'threads', '--runs': 'runs', '--prompt': 'prompt', '--new': 'newTokens' };
  const int = (flag: string, v: string | undefined) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} expects a positive integer, found '${v}'`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    if (ints[flag]) s[ints[flag]] = int(flag, argv[++i]);
    else if (flag === '--batches') s.batches = (argv[++i] ?? '').split(',').map((v) => int(flag, v));
    else if (flag === '--models') {
      s.models = (argv[++i] ?? '').split(',');
      const bad = s.models.filter((m) => !(MODELS as readonly string[]).includes(m));
      if (bad.length) throw new Error(`--models expects some of ${MODELS.join(',')}, found '${bad.join(',')}'`);
    } else rest.push(flag);
  }
  return { ...s, rest };
}

export function settingsArgs(s: BenchSettings): string[] {
  return ['--threads', String(s.threads), '--runs', String(s.runs), '--prompt', String(s.prompt), '--new', String(s.newTokens),
    '--models', s.models.join(','), '--batches', s.batches.join(',')];
}
