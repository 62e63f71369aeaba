// bench/trainer.ts --rl: one RL optimizer step at the RL loop's shape (an iteration's 16 problems × 8
// samples: 128 samples, prompts of 30–60 tokens, completions of 1–48, group advantages ±0.9) on the ~5M
// Llama: mars2's Trainer.rlStep against the update step of ../shared/research/toy-domain/rl.py in
// PyTorch (bench/trainer_torch.py --rl, same samples, model and threads), and optionally mars2 at REF
// (a detached worktree in .mars2/bench-baseline-trainer). Variants, run in turn within each round:
//   grpo          token-level GRPO without TIS and KL (rl.py's loss up to its token-mean aggregation),
//                 at each --budgets microBatchTokens (mars2) or the old fixed micro-batches (REF);
//   grpo+tis+kl   MARTI's defaults (TIS and k3 KL on: the old and reference passes run).
// Each cell: one warm-up step, then RUNS steps, the median; rounds interleave the cells; the median of rounds.
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadParams } from '../src/models/arch/weights';
import { readModelConfig } from '../src/models/hf/config';
import { Trainer, type RlHyper, type RlSample } from '../src/models/train/trainer';
import { setUpBaseline } from './baseline';

const ROOT = join(__dirname, '..');
const PYTHON = join(ROOT, '.mars2', 'golden-venv', 'bin', 'python');
const BASELINE_DIR = join(ROOT, '.mars2', 'bench-baseline-trainer');

/** The loop's samples: sample k of problem ⌊k/8⌋; lengths spread over the ranges, advantages ±0.9 in each group. */
function loopSamples(n: number): Omit<RlSample, 'rolloutLogp'>[] {
  return Array.from({ length: n }, (_, k) => {
    const prompt = 30 + ((k >> 3) * 7) % 31, completion = 1 + ((k * 13) % 48);
    const tok = (i: number) => ((k * 31 + 7 * i) % 4000) + 2;
    return {
      promptIds: Array.from({ length: prompt }, (_, i) => tok(i)),
      completionIds: Array.from({ length: completion }, (_, i) => tok(prompt + i)),
      advantage: k % 8 < 4 ? 0.9 : -0.9,
    };
  });
}

interface Cell {
  name: string;
  trainer: Trainer;
  hyper: RlHyper;
  ms: number[];
}

export async function rlBench(o: { threads: number; runs: number; rounds: number; budgets: number[]; baseline?: string }): Promise<void> {
  const dir = join(ROOT, '.mars2', 'bench-models', 'tiny5m');
  if (!existsSync(dir)) throw new Error(`${dir} is missing: run .mars2/golden-venv/bin/python bench/make_bench_models.py`);
  const ref = loadParams(dir, readModelConfig(dir));
  const load = async (T: typeof Trainer) => T.load(dir, { threads: o.threads });
  const probe = await load(Trainer);
  const base = loopSamples(128);
  const lp = await probe.logProbs(base.map((s) => ({ ids: [...s.promptIds, ...s.completionIds], lossMask: [...s.promptIds, ...s.completionIds].map(() => 0) })));
  await probe.release();
  const samples: RlSample[] = base.map((s, k) => ({ ...s, rolloutLogp: Array.from(lp[k]!.subarray(s.promptIds.length - 1)) }));
  const tokens = samples.reduce((a, s) => a + s.promptIds.length + s.completionIds.length, 0);
  const path = join(ROOT, '.mars2', 'bench-rl-samples.json');
  writeFileSync(path, JSON.stringify(samples));
  const plain = { lr: 1e-5, loss: 'grpo' as const, adamw: { beta2: 0.99, weightDecay: 0 } };
  const noTisKl = { ...plain, policy: { tis: null, klCoef: 0 } };
  const cells: Cell[] = [];
  for (const b of o.budgets) cells.push({ name: `mars2 grpo, microBatchTokens ${b}`, trainer: await load(Trainer), hyper: { ...noTisKl, microBatchTokens: b }, ms: [] });
  cells.push({ name: 'mars2 grpo+tis+kl, default budget', trainer: await load(Trainer), hyper: plain, ms: [] });
  if (o.baseline) {
    setUpBaseline(BASELINE_DIR, o.baseline);
    const Old = ((await import(join(BASELINE_DIR, 'src', 'models', 'train', 'trainer.ts'))) as { Trainer: typeof Trainer }).Trainer;
    for (const mb of [16, 128]) cells.push({ name: `mars2@${o.baseline} grpo, microBatchSize ${mb}`, trainer: await load(Old), hyper: { ...noTisKl, microBatchSize: mb }, ms: [] });
  }
  const torch: number[] = [];
  for (let r = 0; r < o.rounds; r++) {
    for (const c of cells) {
      await c.trainer.rlStep(samples, ref, c.hyper);
      const times: number[] = [];
      for (let i = 0; i < o.runs; i++) {
        const t0 = performance.now();
        await c.trainer.rlStep(samples, ref, c.hyper);
        times.push(performance.now() - t0);
      }
      c.ms.push(median(times));
    }
    const py = spawnSync(PYTHON, [join(ROOT, 'bench', 'trainer_torch.py'), '--rl', path, dir, String(o.threads), String(o.runs)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    if (py.status !== 0) throw new Error(`pytorch failed (exit ${py.status}); needs ${PYTHON} with torch and transformers`);
    torch.push((JSON.parse(py.stdout.trim().split('\n').at(-1)!) as { ms: number }).ms);
    console.error(`round ${r + 1}: ${cells.map((c) => c.ms.at(-1)!.toFixed(0)).join(' / ')} / pytorch ${torch.at(-1)!.toFixed(0)} ms`);
  }
  console.log(`RL step, 128 samples (${tokens} tokens), tiny5m, ${o.threads} threads, median of ${o.runs} steps × ${o.rounds} rounds`);
  console.log('| engine, variant | s / step | tokens/s | PyTorch / it |\n|---|--:|--:|--:|');
  const pt = median(torch);
  const row = (name: string, ms: number) => console.log(`| ${name} | ${(ms / 1000).toFixed(3)} | ${(tokens / (ms / 1000)).toFixed(0)} | ${(pt / ms).toFixed(2)}× |`);
  for (const c of cells) row(c.name, median(c.ms));
  row('pytorch rl.py update', pt);
  for (const c of cells) await c.trainer.release();
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
