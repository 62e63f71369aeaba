// Trainer speed: one fwd+bwd+AdamW step (masked token cross-entropy, clip, AdamW) of the ~5M and ~25M
// random Llama models (.mars2/bench-models, bench/make_bench_models.py), mars2 (onnxruntime-node,
// src/models/train/trainer.ts) and PyTorch CPU (bench/trainer_torch.py) in the same run, same config,
// batch and thread count. Protocol: B rows of S+1 token ids (b·31 + 7·t) % 4000 + 2, every target in
// the loss; one warm-up step, then RUNS timed steps; the median.
// FLOPs per step (PaLM appendix B): tokens · (6·N + 12·L·d·S), N = parameters used in matmuls (all but
// the embedding table; the LM head counts), the second term the attention scores and mixing.
//   node --import tsx bench/trainer.ts [--batch 8] [--seq 256] [--threads 2] [--runs 3]
// --rl: one RL step at the RL loop's shape against rl.py's update (trainerRl.ts).
//   node --import tsx bench/trainer.ts --rl [--threads 2] [--runs 3] [--rounds 3] [--budgets 1024,2048,4096] [--baseline REF]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Trainer, type TokenRow } from '../src/models/train/trainer';
import { rlBench } from './trainerRl';

const ROOT = join(__dirname, '..');
const PYTHON = join(ROOT, '.mars2', 'golden-venv', 'bin', 'python');
const MODELS = ['tiny5m', 'small25m'];

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      batch: { type: 'string' }, seq: { type: 'string' }, threads: { type: 'string' }, runs: { type: 'string' },
      rl: { type: 'boolean' }, rounds: { type: 'string' }, budgets: { type: 'string' }, baseline: { type: 'string' },
    },
  });
  if (values.rl) {
    const budgets = (values.budgets ?? '1024,2048,4096').split(',').map(Number);
    return rlBench({ threads: Number(values.threads ?? 2), runs: Number(values.runs ?? 3), rounds: Number(values.rounds ?? 3), budgets, baseline: values.baseline });
  }
  const B = Number(values.batch ?? 8), S = Number(values.seq ?? 256), threads = Number(values.threads ?? 2), runs = Number(values.runs ?? 3);
  console.log(`trainer step, batch ${B} × ${S} tokens, ${threads} threads, median of ${runs}`);
  console.log('model     params   engine    ms/step   tokens/s   GFLOP/s');
  for (const name of MODELS) {
    const dir = join(ROOT, '.mars2', 'bench-models', name);
    if (!existsSync(dir)) throw new Error(`${dir} is missing: run .mars2/golden-venv/bin/python bench/make_bench_models.py`);
    const t = await Trainer.load(dir, { threads });
    const rows: TokenRow[] = Array.from({ length: B }, (_, b) => {
      const ids = Array.from({ length: S + 1 }, (_, i) => ((b * 31 + 7 * i) % 4000) + 2);
      return { ids, lossMask: ids.map((_, i) => (i === 0 ? 0 : 1)) };
    });
    const hyper = { lr: 1e-4, adamw: { weightDecay: 0.01 } };
    await t.sftStep(rows, hyper);
    const times: number[] = [];
    for (let r = 0; r < runs; r++) {
      const t0 = performance.now();
      await t.sftStep(rows, hyper);
      times.push(performance.now() - t0);
    }
    await t.release();
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const cfg = t.cfg;
    const N = t.params.count - cfg.vocabSize * cfg.hiddenSize * (cfg.tieWordEmbeddings ? 0 : 1);
    const flops = B * S * (6 * N + 12 * cfg.numLayers * cfg.numHeads * cfg.headDim * S);
    const row = (engine: string, ms: number) =>
      console.log(`${name.padEnd(9)} ${(t.params.count / 1e6).toFixed(1).padStart(5)}M  ${engine.padEnd(8)} ${ms.toFixed(0).padStart(8)}  ${((B * S) / (ms / 1000)).toFixed(0).padStart(9)}  ${(flops / (ms / 1e6) / 1e9 / 1000).toFixed(1).padStart(8)}`);
    row('mars2', median(times));
    const py = spawnSync(PYTHON, [join(ROOT, 'bench', 'trainer_torch.py'), dir, String(B), String(S), String(threads), String(runs)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    if (py.status !== 0) console.log(`${name.padEnd(9)} pytorch: failed (exit ${py.status}); needs ${PYTHON} with torch and transformers`);
    else row('pytorch', (JSON.parse(py.stdout.trim().split('\n').at(-1)!) as { ms: number }).ms);
  }
}

void main();
