// `mars2 tokenizer train`: a byte-level BPE tokenizer from JSONL or text files (src/models/bpe), written as
// an HF tokenizer directory with a chat template, for `mars2 model init --tokenizer DIR`.
import { existsSync } from 'node:fs';
import { numberFlag, parseFlags, UsageError, UserError, type Command } from './command';

const usage = `usage: mars2 tokenizer train --data FILE [--data FILE …] --vocab N --out DIR [--min-frequency K]
  --data FILE          training text (repeatable): a .jsonl file (every top-level string field of each
                       object and each messages[].content) or any other file, read as one text
  --vocab N            vocabulary size, special tokens and the 256 byte symbols included (≥ 262); training
                       stops earlier when no pair occurs --min-frequency times
  --min-frequency K    merge only pairs that occur at least K times (default 2)
  --out DIR            directory to write tokenizer.json and tokenizer_config.json into (must not exist)
  --json               print the summary as JSON

Special tokens (ids 0–5): <|pad|> <|bos|> <|eos|> <|system|> <|user|> <|assistant|>. The chat template
renders <|bos|>, then <|role|>content<|eos|> per message, then <|assistant|> as the generation prompt.

Example: mars2 tokenizer train --data data/train.jsonl --vocab 512 --out .mars2/tokenizers/toy`;

function positiveInt(v: string | undefined, flag: string, fallback: number): number {
  const n = numberFlag(v, flag, fallback);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${flag} expects a positive integer, got '${v}'`);
  return n;
}

export const tokenizerTrainCommand: Command = {
  name: 'tokenizer train',
  summary: 'train a byte-level BPE tokenizer (HF tokenizer.json + chat template) on JSONL or text files',
  usage,
  async run(argv) {
    const { values } = parseFlags(argv, {
      data: { type: 'string', multiple: true }, vocab: { type: 'string' }, out: { type: 'string' },
      'min-frequency': { type: 'string' }, json: { type: 'boolean' },
    });
    if (!values.data?.length) throw new UsageError('--data FILE is required (repeatable)');
    if (values.vocab === undefined) throw new UsageError('--vocab N is required');
    if (!values.out) throw new UsageError('--out DIR is required');
    const { SPECIAL_TOKENS, readCorpus, writeTokenizerDir, CorpusError } = await import('../models/bpe/files');
    const { MAX_VOCAB, trainBpe } = await import('../models/bpe/train');
    const vocabSize = positiveInt(values.vocab, 'vocab', 0);
    const minFrequency = positiveInt(values['min-frequency'], 'min-frequency', 2);
    const least = 256 + SPECIAL_TOKENS.length;
    if (vocabSize < least || vocabSize > MAX_VOCAB) {
      throw new UsageError(`--vocab must be from ${least} (256 byte symbols + ${SPECIAL_TOKENS.length} special tokens) to ${MAX_VOCAB}, got ${vocabSize}`);
    }
    if (existsSync(values.out)) throw new UserError(`--out ${values.out} already exists; choose a new directory`);
    let texts: string[];
    try {
      texts = readCorpus(values.data);
    } catch (err) {
      if (err instanceof CorpusError) throw new UserError(`--data ${err.message}`);
      throw err;
    }
    const t0 = Date.now();
    const model = trainBpe(texts, { vocabSize, minFrequency, specialTokens: SPECIAL_TOKENS });
    writeTokenizerDir(values.out, model);
    const summary = { out: values.out, vocab: model.vocab.length, merges: model.merges.length, texts: texts.length, seconds: (Date.now() - t0) / 1000 };
    if (values.json) console.log(JSON.stringify(summary));
    else {
      const short = model.vocab.length < vocabSize ? ` (stopped early: no pair occurs ${minFrequency} times)` : '';
      console.log(`wrote ${values.out}: ${summary.vocab} tokens${short}, ${summary.merges} merges from ${summary.texts} texts, ${summary.seconds.toFixed(2)} s`);
    }
    return 0;
  },
};
