// The byte-level BPE trainer (src/models/bpe): golden ids against transformers' AutoTokenizer on the
// committed trained tokenizer (scripts/golden/bpe_tokenizer.py), byte-identical retraining, round trips on
// random Unicode, the vocabulary size, and `mars2 tokenizer train`'s output and usage errors.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BYTE_TO_CHAR, preTokenize, trainBpe, type BpeModel } from '../../src/models/bpe/train';
import { readCorpus, SPECIAL_TOKENS, tokenizerConfigJson, tokenizerJson, writeTokenizerDir } from '../../src/models/bpe/files';
import { ModelTokenizer, type ChatMessage } from '../../src/models/tokenizer';
import { Rng } from '../../src/search/rng';
import { mars2 } from '../helpers/cli';

const FIX = join(__dirname, '..', 'fixtures');
const TRAINED = join(FIX, 'tokenizer', 'trained');
// Keep in step with DATA and VOCAB in scripts/golden/bpe_tokenizer.py.
const DATA = ['humaneval/humaneval_sample.jsonl', 'lcb/lcb_sample.jsonl', 'tokenizer/corpus.jsonl', 'tokenizer/corpus.txt'].map((f) => join(FIX, f));
const VOCAB = 400;
const REGENERATE = '.mars2/golden-venv/bin/python scripts/golden/bpe_tokenizer.py';

interface Ref {
  vocab_size: number;
  special: { bos: number; eos: number; pad: number };
  encodings: { text: string; ids: number[]; ids_special: number[]; decoded: string }[];
  chats: ({ messages: ChatMessage[] } & Record<'gen' | 'nogen', { text: string; ids: number[] }>)[];
}

const train = (texts: string[], vocabSize = VOCAB, minFrequency = 2): BpeModel => trainBpe(texts, { vocabSize, minFrequency, specialTokens: SPECIAL_TOKENS });

/** A random string of `n` code points drawn from ASCII, Latin-1, Cyrillic, CJK, emoji, combining marks and odd spaces. */
function randomText(rng: Rng, n: number): string {
  const ranges: [number, number][] = [[0x20, 0x7e], [0x20, 0x7e], [0x09, 0x0d], [0xa0, 0xff], [0x400, 0x4ff], [0x4e00, 0x9fff], [0x1f300, 0x1faff], [0x300, 0x36f], [0x2000, 0x206f], [0x10000, 0x10ffff]];
  let s = '';
  for (let i = 0; i < n; i++) {
    const [lo, hi] = ranges[rng.uint32() % ranges.length]!;
    let cp = lo + (rng.uint32() % (hi - lo + 1));
    if (cp >= 0xd800 && cp <= 0xdfff) cp = 0x41; // a lone surrogate is not Unicode text
    s += String.fromCodePoint(cp);
  }
  return s;
}

describe('byte-level BPE tokenizer', () => {
  const corpus = readCorpus(DATA);

  test('retraining the committed corpus gives the committed tokenizer.json and tokenizer_config.json, byte for byte', () => {
    const m = train(corpus);
    const hint = `the trainer's output changed; if that is intended, regenerate with ${REGENERATE}`;
    assert.equal(tokenizerJson(m), readFileSync(join(TRAINED, 'tokenizer.json'), 'utf8'), hint);
    assert.equal(tokenizerConfigJson(m), readFileSync(join(TRAINED, 'tokenizer_config.json'), 'utf8'), hint);
  });

  test('ids, decodings and chat prompts equal transformers\' AutoTokenizer (golden)', () => {
    const ref = JSON.parse(readFileSync(join(FIX, 'tokenizer', 'reference.json'), 'utf8')) as Ref;
    const tok = ModelTokenizer.load(TRAINED);
    const hint = (what: string) => `${what} differs from transformers; the golden file is made by ${REGENERATE}`;
    assert.equal(ref.vocab_size, VOCAB);
    assert.deepEqual([tok.tokenId('<|bos|>'), tok.eosTokenId, tok.tokenId('<|pad|>')], [ref.special.bos, ref.special.eos, ref.special.pad]);
    for (const e of ref.encodings) {
      assert.deepEqual(tok.encode(e.text, false), e.ids, hint(`encode(${JSON.stringify(e.text)})`));
      assert.deepEqual(tok.encode(e.text), e.ids_special, hint(`encode(${JSON.stringify(e.text)}) with special tokens`));
      assert.equal(tok.decode(e.ids), e.decoded, hint(`decode of ${JSON.stringify(e.text)}`));
    }
    for (const c of ref.chats) {
      for (const [key, gen] of [['gen', true], ['nogen', false]] as const) {
        assert.equal(tok.applyChatTemplate(c.messages, { addGenerationPrompt: gen }), c[key].text, hint(`chat rendering (${key})`));
        assert.deepEqual(tok.encodeChat(c.messages, { addGenerationPrompt: gen }), c[key].ids, hint(`chat ids (${key})`));
      }
    }
  });

  test('the same texts give byte-identical files, in any order', () => {
    const a = tokenizerJson(train(corpus));
    assert.equal(tokenizerJson(train(corpus)), a);
    assert.equal(tokenizerJson(train([...corpus].reverse())), a);
  });

  test('decode(encode(x)) = x on random Unicode text', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpe-'));
    const rng = Rng.fromSeed(7);
    const texts = Array.from({ length: 40 }, () => randomText(rng, 60));
    writeTokenizerDir(dir, train([...corpus, ...texts.slice(0, 20)], 600, 1));
    const tok = ModelTokenizer.load(dir);
    for (const x of [...texts, ...corpus]) {
      assert.equal(tok.decode(tok.encode(x)), x, JSON.stringify(x));
      // pre-tokenization loses nothing: its pieces, mapped back to bytes, are the text's UTF-8
      const bytes = Array.from(preTokenize(x).join(''), (ch) => BYTE_TO_CHAR.indexOf(ch));
      assert.equal(Buffer.from(bytes).toString('utf8'), x);
    }
    // special tokens in the text are single ids, kept by decode(…, skipSpecialTokens = false)
    const chat = 'a<|user|>b c<|eos|>';
    assert.deepEqual(tok.encode(chat, false).filter((id) => id < SPECIAL_TOKENS.length), [4, 2]);
    assert.equal(tok.decode(tok.encode(chat), false), chat);
    assert.equal(tok.decode(tok.encode(chat)), 'ab c');
  });

  test('the vocabulary size is honoured: exactly N when the corpus has enough pairs, fewer when min-frequency stops it', () => {
    for (const n of [262, 300, VOCAB]) {
      const m = train(corpus, n);
      assert.equal(m.vocab.length, n);
      assert.equal(new Set(m.vocab).size, n, 'token strings are distinct');
      const dir = mkdtempSync(join(tmpdir(), 'bpe-'));
      writeTokenizerDir(dir, m);
      const tok = ModelTokenizer.load(dir);
      assert.equal(tok.tokenId(m.vocab[n - 1]!), n - 1);
      assert.equal(tok.encode('\u{10ffff}', false).length, 4, 'an unseen character is its 4 UTF-8 bytes');
    }
    const stopped = train(['abab abab'], 1000, 2);
    assert.ok(stopped.vocab.length < 1000 && stopped.vocab.length > 262, `stopped at ${stopped.vocab.length}`);
    assert.equal(train(corpus, 1000, 1_000_000).vocab.length, 262, 'no pair occurs a million times');
    assert.throws(() => train(corpus, 100), /vocabSize must be an integer from 262/);
    assert.throws(() => train(corpus, VOCAB, 0), /minFrequency must be a positive integer/);
  });

  test('mars2 tokenizer train: writes a tokenizer ModelTokenizer loads; usage errors name the flag', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpe-cli-'));
    const txt = join(dir, 'a.txt');
    writeFileSync(txt, 'def f(x):\n    return x\n'.repeat(10));
    const out = join(dir, 'tok');
    const r = mars2(['tokenizer', 'train', '--data', txt, '--data', DATA[2]!, '--vocab', '300', '--out', out, '--json'], { stack: 'user' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { vocab: number }).vocab, 300);
    assert.equal(ModelTokenizer.load(out).decode(ModelTokenizer.load(out).encode('def f(x):')), 'def f(x):');
    const cases: [string[], number, RegExp][] = [
      [['--data', txt, '--out', join(dir, 'x')], 2, /--vocab N is required/],
      [['--data', txt, '--vocab', '100', '--out', join(dir, 'x')], 2, /--vocab must be from 262/],
      [['--data', txt, '--vocab', '300', '--min-frequency', '0', '--out', join(dir, 'x')], 2, /--min-frequency expects a positive integer/],
      [['--vocab', '300', '--out', join(dir, 'x')], 2, /--data FILE is required/],
      [['--data', join(dir, 'none.jsonl'), '--vocab', '300', '--out', join(dir, 'x')], 1, /none\.jsonl does not exist/],
      [['--data', txt, '--vocab', '300', '--out', out], 1, /already exists/],
    ];
    for (const [args, status, msg] of cases) {
      const e = mars2(['tokenizer', 'train', ...args], { stack: 'user' });
      assert.equal(e.status, status, e.stderr);
      assert.match(e.stderr, msg);
    }
  });
});
