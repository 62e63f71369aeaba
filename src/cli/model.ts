// `mars2 model init`: a new, randomly initialised HF model directory (src/models/init.ts) for a tokenizer
// directory, e.g. one from `mars2 tokenizer train`, ready for `mars2 sft`, `mars2 generate` and training.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { numberFlag, parseFlags, UsageError, UserError, type Command } from './command';

const ARCHS = ['llama', 'qwen2', 'qwen3'] as const;

const usage = `usage: mars2 model init --arch ARCH --hidden H --layers L --heads N --kv-heads K --ff F --tokenizer DIR --seed S --out DIR [options]
  --arch ARCH          llama | qwen2 (q/k/v biases) | qwen3 (q/k RMSNorm)
  --hidden H           hidden size
  --layers L           decoder layers
  --heads N            attention heads (N × head dim is the attention width)
  --kv-heads K         key/value heads; must divide --heads
  --ff F               MLP intermediate size
  --head-dim D         per-head size (default H / N; must be even)
  --tokenizer DIR      tokenizer directory (tokenizer.json, tokenizer_config.json, chat template); its
                       vocabulary size and bos/eos/pad tokens go into config.json, its files are copied
  --seed S             initialisation seed (same seed and flags → identical files)
  --out DIR            model directory to create (must not exist)
  --max-positions P    max_position_embeddings (default 2048)
  --rope-theta T       RoPE base (default 10000)
  --tie-embeddings     share the embedding matrix with the LM head
  --json               print the summary as JSON

Weights: normal(0, 0.02) for linear and embedding weights, zero biases, RMSNorm weights 1 (transformers'
_init_weights), float32.

Example: mars2 model init --arch qwen3 --hidden 256 --layers 4 --heads 4 --kv-heads 2 --ff 768 --tokenizer .mars2/tokenizers/toy --seed 0 --out .mars2/models/toy-qwen3`;

function positiveInt(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const n = numberFlag(v, flag, 0);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${flag} expects a positive integer, got '${v}'`);
  return n;
}

export const modelInitCommand: Command = {
  name: 'model init',
  summary: 'write a new randomly initialised model directory (Llama / Qwen2 / Qwen3) for a tokenizer',
  usage,
  async run(argv) {
    const { values } = parseFlags(argv, {
      arch: { type: 'string' }, hidden: { type: 'string' }, layers: { type: 'string' }, heads: { type: 'string' },
      'kv-heads': { type: 'string' }, ff: { type: 'string' }, 'head-dim': { type: 'string' }, tokenizer: { type: 'string' },
      seed: { type: 'string' }, out: { type: 'string' }, 'max-positions': { type: 'string' }, 'rope-theta': { type: 'string' },
      'tie-embeddings': { type: 'boolean' }, json: { type: 'boolean' },
    });
    for (const k of ['arch', 'hidden', 'layers', 'heads', 'kv-heads', 'ff', 'tokenizer', 'seed', 'out'] as const) {
      if (values[k] === undefined) throw new UsageError(`--${k} is required`);
    }
    const arch = values.arch as (typeof ARCHS)[number];
    if (!ARCHS.includes(arch)) throw new UsageError(`--arch expects one of ${ARCHS.join(', ')}, got '${values.arch}'`);
    const [hidden, layers, heads, kvHeads, ff] = (['hidden', 'layers', 'heads', 'kv-heads', 'ff'] as const).map((k) => positiveInt(values[k], k)!);
    const headDim = positiveInt(values['head-dim'], 'head-dim') ?? hidden! / heads!;
    if (values['head-dim'] === undefined && !Number.isInteger(headDim)) {
      throw new UsageError(`--heads (${heads}) must divide --hidden (${hidden}), or give --head-dim`);
    }
    if (headDim % 2 !== 0) throw new UsageError(`the head dim (${values['head-dim'] === undefined ? '--hidden / --heads' : '--head-dim'}) must be even for RoPE, got ${headDim}`);
    if (heads! % kvHeads! !== 0) throw new UsageError(`--kv-heads (${kvHeads}) must divide --heads (${heads})`);
    const seed = numberFlag(values.seed, 'seed', 0);
    if (!Number.isInteger(seed) || seed < 0) throw new UsageError(`--seed expects a non-negative integer, got '${values.seed}'`);
    const maxPositions = positiveInt(values['max-positions'], 'max-positions');
    const ropeTheta = values['rope-theta'] === undefined ? undefined : numberFlag(values['rope-theta'], 'rope-theta', 0);
    if (ropeTheta !== undefined && !(ropeTheta > 0)) throw new UsageError(`--rope-theta expects a positive number, got '${values['rope-theta']}'`);
    const [tokenizer, out] = [values.tokenizer!, values.out!];
    if (!existsSync(join(tokenizer, 'tokenizer.json'))) throw new UserError(`--tokenizer ${tokenizer} has no tokenizer.json; give a tokenizer or model directory (e.g. from mars2 tokenizer train)`);
    if (existsSync(out)) throw new UserError(`--out ${out} already exists; choose a new directory`);
    const { writeInitModel } = await import('../models/init');
    const t0 = Date.now();
    const r = writeInitModel(out, tokenizer, {
      arch, hiddenSize: hidden!, numLayers: layers!, numHeads: heads!, numKvHeads: kvHeads!, intermediateSize: ff!, headDim,
      maxPositions, ropeTheta, tieEmbeddings: values['tie-embeddings'] ?? false,
    }, seed);
    const summary = { out, arch, vocabSize: r.cfg.vocabSize, params: r.params, seconds: (Date.now() - t0) / 1000 };
    if (values.json) console.log(JSON.stringify(summary));
    else console.log(`wrote ${out}: ${arch}, ${r.params.toLocaleString('en-US')} parameters, vocabulary ${r.cfg.vocabSize}, ${summary.seconds.toFixed(2)} s`);
    return 0;
  },
};

const DTYPES = { f32: 'F32', f16: 'F16', bf16: 'BF16' } as const;

const exportUsage = `usage: mars2 model export --model DIR --out DIR [--dtype bf16|f16|f32] [--json]
  --model DIR          a model directory or a training checkpoint (mars2 sft, a run's checkpoints)
  --out DIR            the plain HF model directory to write (must not exist)
  --dtype D            the weights' dtype (default bf16: half the bytes of float32)
  --json               print the summary as JSON

Writes config.json (its dtype set), the generation config, the tokenizer files and model.safetensors; no
optimizer state, so the directory starts new runs as a base. The engine, the trainer and transformers load it.

Example: mars2 model export --model .mars2/base-models/llama --out models/llama --dtype bf16`;

export const modelExportCommand: Command = {
  name: 'model export',
  summary: 'write a model or checkpoint as a plain model directory in bf16 / f16 / f32 (no optimizer state)',
  usage: exportUsage,
  async run(argv) {
    const { values } = parseFlags(argv, { model: { type: 'string' }, out: { type: 'string' }, dtype: { type: 'string', default: 'bf16' }, json: { type: 'boolean' } });
    if (!values.model) throw new UsageError('--model is required');
    if (!values.out) throw new UsageError('--out is required');
    const dtype = DTYPES[values.dtype as keyof typeof DTYPES];
    if (!dtype) throw new UsageError(`--dtype expects one of ${Object.keys(DTYPES).join(', ')}, got '${values.dtype}'`);
    if (!existsSync(join(values.model, 'config.json'))) throw new UserError(`--model ${values.model} has no config.json; give a model directory`);
    if (existsSync(values.out)) throw new UserError(`--out ${values.out} already exists; choose a new directory`);
    const { exportModel } = await import('../models/train/checkpoint');
    const t0 = Date.now();
    const r = await exportModel(values.model, values.out, dtype);
    const summary = { out: values.out, dtype: values.dtype, params: r.params, bytes: r.bytes, seconds: (Date.now() - t0) / 1000 };
    if (values.json) console.log(JSON.stringify(summary));
    else console.log(`wrote ${values.out}: ${r.params.toLocaleString('en-US')} parameters in ${values.dtype}, model.safetensors ${(r.bytes / 1e6).toFixed(1)} MB, ${summary.seconds.toFixed(2)} s`);
    return 0;
  },
};
