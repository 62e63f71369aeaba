// `mars2 sft`: supervised fine-tuning of a HF model directory on a JSONL file (src/models/train/sft.ts),
// writing one HF-compatible checkpoint (src/models/train/checkpoint.ts). Prints one line per step.
import { existsSync } from 'node:fs';
import { defaultMicroBatchTokens } from '../models/train/plan';
import { numberFlag, parseFlags, UsageError, UserError, type Command } from './command';

const usage = `usage: mars2 sft --model DIR --data F.jsonl --out DIR [options]
  --model DIR          HF model directory (Llama / Qwen2 / Qwen3) or a mars2 checkpoint
  --data F.jsonl       one object per line: {"messages": [{role, content}, …]} (loss on assistant turns)
                       or {"prompt": "…", "completion": "…"} (loss on the completion and EOS)
  --out DIR            checkpoint directory to create (must not exist)
  --steps N            optimizer steps (default 100)
  --lr LR              peak learning rate, cosine decay to --min-lr (default 1e-5)
  --min-lr LR          learning rate at the last step (default: LR/10; LR gives a constant rate)
  --warmup-steps W     linear warm-up from 0 over the first W steps (default 0)
  --save-at S1,S2,…    also write the checkpoint after these steps, as <out>-step<S> (to pick a step)
  --batch-size B       rows per step (default 8)
  --micro-batch M      rows per forward/backward pass, gradients accumulated (default: by tokens)
  --micro-batch-tokens K  padded tokens per forward/backward pass, rows taken longest first
                       (default ${defaultMicroBatchTokens}; ignored when --micro-batch is given)
  --seq-len T          rows are cut to their first T tokens (default 1024)
  --seed S             batch-order seed (default 0)
  --threads N          ORT intra-op threads (default: all cores)
  --json               one JSON object per step, then a summary object (with the --save-at directories)
example: mars2 sft --model .mars2/base-models/llama-init --data .mars2/base-models/sft.jsonl --out llama \\
           --steps 400 --lr 2e-3 --min-lr 2e-3 --warmup-steps 20 --batch-size 32 --save-at 200,300`;

function positiveInt(v: string | undefined, flag: string, fallback: number): number {
  const n = numberFlag(v, flag, fallback);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${flag} expects a positive integer, got '${v}'`);
  return n;
}

export const sftCommand: Command = {
  name: 'sft',
  summary: 'supervised fine-tuning of a model directory on JSONL chat or prompt/completion data',
  usage,
  async run(argv) {
    const { values } = parseFlags(argv, {
      model: { type: 'string' }, data: { type: 'string' }, out: { type: 'string' }, steps: { type: 'string' }, lr: { type: 'string' },
      'batch-size': { type: 'string' }, 'micro-batch': { type: 'string' }, 'seq-len': { type: 'string' }, seed: { type: 'string' },
      threads: { type: 'string' }, json: { type: 'boolean' }, 'min-lr': { type: 'string' }, 'warmup-steps': { type: 'string' },
      'save-at': { type: 'string' }, 'micro-batch-tokens': { type: 'string' },
    });
    for (const k of ['model', 'data', 'out'] as const) if (!values[k]) throw new UsageError(`--${k} is required`);
    const steps = positiveInt(values.steps, 'steps', 100);
    const batchSize = positiveInt(values['batch-size'], 'batch-size', 8);
    const microBatch = values['micro-batch'] === undefined ? undefined : positiveInt(values['micro-batch'], 'micro-batch', batchSize);
    const microBatchTokens = positiveInt(values['micro-batch-tokens'], 'micro-batch-tokens', defaultMicroBatchTokens);
    const seqLen = positiveInt(values['seq-len'], 'seq-len', 1024);
    const seed = numberFlag(values.seed, 'seed', 0);
    const lr = numberFlag(values.lr, 'lr', 1e-5);
    if (!(lr > 0)) throw new UsageError(`--lr expects a positive number, got '${values.lr}'`);
    const minLr = numberFlag(values['min-lr'], 'min-lr', lr / 10);
    if (!(minLr >= 0 && minLr <= lr)) throw new UsageError(`--min-lr expects a number from 0 to --lr (${lr}), got '${values['min-lr']}'`);
    const warmupSteps = numberFlag(values['warmup-steps'], 'warmup-steps', 0);
    if (!Number.isInteger(warmupSteps) || warmupSteps < 0 || warmupSteps >= steps) {
      throw new UsageError(`--warmup-steps expects an integer from 0 to --steps - 1 (${steps - 1}), got '${values['warmup-steps']}'`);
    }
    const saveAt = new Set((values['save-at'] ?? '').split(',').filter((v) => v.trim()).map((v) => {
      const s = Number(v);
      if (!Number.isInteger(s) || s < 1 || s >= steps) throw new UsageError(`--save-at expects steps from 1 to --steps - 1 (${steps - 1}), comma-separated; got '${v}'`);
      return s;
    }));
    const threads = values.threads === undefined ? undefined : positiveInt(values.threads, 'threads', 1);
    const [model, data, out] = [values.model!, values.data!, values.out!];
    if (!existsSync(model)) throw new UserError(`--model ${model} does not exist; give a HF model directory`);
    for (const dir of [out, ...[...saveAt].map((s) => `${out}-step${s}`)]) {
      if (existsSync(dir)) throw new UserError(`${dir} already exists; choose a new --out (checkpoints are never overwritten)`);
    }
    const { ModelTokenizer } = await import('../models/tokenizer');
    const { Trainer } = await import('../models/train/trainer');
    const { readSftData, runSft, SftDataError } = await import('../models/train/sft');
    let trainer;
    try {
      const tok = ModelTokenizer.load(model);
      trainer = await Trainer.load(model, { threads });
      const { rows, dropped } = (() => {
        try {
          return readSftData(data, tok, trainer.cfg, seqLen);
        } catch (err) {
          if (err instanceof SftDataError) throw new UserError(err.message);
          throw err;
        }
      })();
      const tokens = rows.reduce((a, r) => a + r.lossMask.reduce((x, y) => x + y, 0), 0);
      if (!values.json) console.log(`sft: ${rows.length} rows (${tokens} loss tokens${dropped ? `, ${dropped} dropped: no loss tokens within --seq-len` : ''}), ${steps} steps of ${Math.min(batchSize, rows.length)} rows, lr ${lr}`);
      const t0 = Date.now();
      let last = t0;
      const hyper = { lr, minLr, warmupSteps, totalSteps: steps, maxGradNorm: 1, microBatchSize: microBatch, microBatchTokens };
      const t = trainer; // narrowed for the callback
      let done = 0;
      const saved: string[] = [];
      const metrics = await runSft(t, rows, { steps, batchSize, seed, hyper }, async (m) => {
        const now = Date.now();
        if (values.json) console.log(JSON.stringify({ ...m, ms: now - last }));
        else console.log(`step ${String(m.step).padStart(String(steps).length)}/${steps}  loss ${m.loss.toFixed(4)}  lr ${m.lr.toExponential(2)}  grad-norm ${m.gradNorm.toFixed(3)}  tokens ${m.tokens}  ${((now - last) / 1000).toFixed(2)} s`);
        if (saveAt.has(++done)) {
          saved.push(`${out}-step${done}`);
          await t.save(saved.at(-1)!, { policyVersion: 0, metrics: { loss: m.loss, steps: done } });
          if (!values.json) console.log(`wrote ${saved.at(-1)}`);
        }
        last = Date.now();
      });
      await trainer.save(out, { policyVersion: 0, metrics: { loss: metrics.at(-1)!.loss, steps } });
      const summary = { out, saved, steps, rows: rows.length, dropped, firstLoss: metrics[0]!.loss, lastLoss: metrics.at(-1)!.loss, seconds: (Date.now() - t0) / 1000 };
      if (values.json) console.log(JSON.stringify(summary));
      else console.log(`wrote ${out} (loss ${summary.firstLoss.toFixed(4)} → ${summary.lastLoss.toFixed(4)}, ${summary.seconds.toFixed(1)} s)`);
      return 0;
    } finally {
      await trainer?.release();
    }
  },
};
