// A trained byte-level BPE (./train.ts) as an HF tokenizer directory that transformers' AutoTokenizer and
// mars2's ModelTokenizer both load, with the same ids for the same text and chat prompt
// (test/models/bpe.test.ts holds the golden check, scripts/golden/bpe_tokenizer.py makes it):
//   tokenizer.json         model BPE (vocab, merges as pairs), ByteLevel pre-tokenizer (add_prefix_space
//                          false, GPT-2 regex) and decoder, no normalizer or post-processor, the special
//                          tokens as added_tokens (special, not normalized).
//   tokenizer_config.json  bos/eos/pad tokens and CHAT_TEMPLATE.
// The JSON is written with a fixed key order and the vocab in id order, so equal models give equal bytes.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BpeModel } from './train';

/** The special tokens a trained tokenizer gets, in id order (0 = pad). */
export const SPECIAL_TOKENS = ['<|pad|>', '<|bos|>', '<|eos|>', '<|system|>', '<|user|>', '<|assistant|>'] as const;

/**
 * `<|bos|>`, then per message `<|role|>content<|eos|>` (so `<|eos|>` ends every turn, and an assistant
 * turn's loss covers it); the generation prompt is `<|assistant|>`. Roles other than system, user and
 * assistant render as `<|role|>` text, which is not a special token.
 */
export const CHAT_TEMPLATE =
  "{{- bos_token }}{%- for message in messages %}{{- '<|' + message['role'] + '|>' + message['content'] + eos_token }}{%- endfor %}" +
  "{%- if add_generation_prompt %}{{- '<|assistant|>' }}{%- endif %}";

const BYTE_LEVEL = { add_prefix_space: false, trim_offsets: true, use_regex: true };

/** tokenizer.json's text. */
export function tokenizerJson(m: BpeModel): string {
  const added = m.specialTokens.map((content, id) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }));
  const head = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', ...BYTE_LEVEL },
    post_processor: null,
    decoder: { type: 'ByteLevel', ...BYTE_LEVEL },
  };
  const model = {
    type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null,
    fuse_unk: false, byte_fallback: false, ignore_merges: false, vocab: '@VOCAB@', merges: '@MERGES@',
  };
  // JSON.stringify would put integer-like keys ("0", "12") first: the vocab is written in id order by
  // hand, one entry a line, as are the merges.
  const lines = (xs: string[], open: string, close: string) => (xs.length === 0 ? open + close : `${open}\n${xs.map((x) => `      ${x}`).join(',\n')}\n    ${close}`);
  const vocab = lines(m.vocab.map((t, i) => `${JSON.stringify(t)}: ${i}`), '{', '}');
  const merges = lines(m.merges.map((p) => JSON.stringify(p)), '[', ']');
  return `${JSON.stringify({ ...head, model }, null, 2).replace('"@VOCAB@"', () => vocab).replace('"@MERGES@"', () => merges)}\n`;
}

/** tokenizer_config.json's text. */
export function tokenizerConfigJson(m: BpeModel): string {
  const has = (t: string) => m.specialTokens.includes(t);
  const config = {
    tokenizer_class: 'PreTrainedTokenizerFast',
    bos_token: has('<|bos|>') ? '<|bos|>' : null,
    eos_token: has('<|eos|>') ? '<|eos|>' : null,
    pad_token: has('<|pad|>') ? '<|pad|>' : null,
    unk_token: null,
    clean_up_tokenization_spaces: false,
    chat_template: CHAT_TEMPLATE,
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

/** Writes tokenizer.json and tokenizer_config.json into `dir` (created if missing). */
export function writeTokenizerDir(dir: string, m: BpeModel): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'tokenizer.json'), tokenizerJson(m));
  writeFileSync(join(dir, 'tokenizer_config.json'), tokenizerConfigJson(m));
}

export class CorpusError extends Error {
  override name = 'CorpusError';
}

function jsonlTexts(file: string, text: string): string[] {
  const out: string[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let o: unknown;
    try {
      o = JSON.parse(line);
    } catch (err) {
      throw new CorpusError(`${file}:${i + 1}: not valid JSON (${(err as Error).message}); expected one JSON object per line`);
    }
    if (!o || typeof o !== 'object' || Array.isArray(o)) throw new CorpusError(`${file}:${i + 1}: expected a JSON object, found ${line.slice(0, 60)}`);
    for (const [k, v] of Object.entries(o)) {
      if (typeof v === 'string') out.push(v);
      else if (k === 'messages' && Array.isArray(v)) {
        for (const m of v) if (m && typeof (m as { content?: unknown }).content === 'string') out.push((m as { content: string }).content);
      }
    }
  });
  return out;
}

/**
 * The training texts of `files`: of a `.jsonl` file, every top-level string field of each line's object
 * and the `content` of each entry of its `messages`; any other file is one text, as is.
 */
export function readCorpus(files: readonly string[]): string[] {
  const out: string[] = [];
  for (const f of files) {
    if (!existsSync(f)) throw new CorpusError(`${f} does not exist; give .jsonl or plain-text files`);
    const text = readFileSync(f, 'utf8');
    if (f.endsWith('.jsonl')) out.push(...jsonlTexts(f, text));
    else out.push(text);
  }
  return out;
}
