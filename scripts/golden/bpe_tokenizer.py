"""Golden fixture for mars2's byte-level BPE trainer (src/models/bpe): trains a tokenizer with
`mars2 tokenizer train` on the committed corpus into test/fixtures/tokenizer/trained/, loads it with
transformers' AutoTokenizer and writes test/fixtures/tokenizer/reference.json: the ids of TEXTS (with
and without special tokens), their decodings, and CHATS rendered by apply_chat_template (text and ids,
with and without the generation prompt). test/models/bpe.test.ts checks that retraining gives the same
tokenizer.json byte for byte and that ModelTokenizer gives these ids.

Not run by CI. Regenerate with:
  python3 -m venv .mars2/golden-venv && .mars2/golden-venv/bin/pip install torch transformers safetensors
  .mars2/golden-venv/bin/python scripts/golden/bpe_tokenizer.py
"""
import json
import os
import random
import shutil
import subprocess

import tokenizers
import transformers
from transformers import AutoTokenizer

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')
FIX = os.path.join(ROOT, 'test', 'fixtures')
OUT = os.path.join(FIX, 'tokenizer', 'trained')
# Keep in step with TRAIN_ARGS in test/models/bpe.test.ts.
DATA = ['humaneval/humaneval_sample.jsonl', 'lcb/lcb_sample.jsonl', 'tokenizer/corpus.jsonl', 'tokenizer/corpus.txt']
VOCAB = 400

TEXTS = [
    '',
    'hello world',
    'def add(a, b):\n    return a + b\n',
    'for i in range(10):\n\tprint(i * i)\r\n',
    '   leading and trailing spaces   ',
    'a  b   c    d\n\n\n  \n',
    "don't I'll we've they're she'd it's 'S 'LL",
    '1234567890 3.14159 -42 1e-9 0x1F',
    'naïve café ☕ Grüße 東京 Привет 🙂👍🏽 👩‍👩‍👧 e\u0301 ∑ x² ≤ ∞',
    'unseen: ꙮ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 \u200b\u00a0\u3000 ʕ•ᴥ•ʔ',
    'special inside text: <|eos|> and a<|user|>b<|assistant|>',
    '<|bos|><|user|>hi<|eos|><|assistant|>',
    'class Solution:\n    def twoSum(self, nums, target):\n        seen = {}\n',
]


def random_texts(n, length, seed=0):
    """Code points from ASCII, Latin-1, Cyrillic, CJK, emoji, combining marks, odd spaces and all planes."""
    rng = random.Random(seed)
    ranges = [(0x20, 0x7e), (0x09, 0x0d), (0xa0, 0xff), (0x400, 0x4ff), (0x4e00, 0x9fff), (0x1f300, 0x1faff),
              (0x300, 0x36f), (0x2000, 0x206f), (0x10000, 0x10ffff)]
    out = []
    for _ in range(n):
        cps = [rng.randint(*rng.choice(ranges)) for _ in range(length)]
        out.append(''.join(chr(0x41 if 0xd800 <= c <= 0xdfff else c) for c in cps))
    return out


TEXTS += random_texts(8, 40)
CHATS = [
    [{'role': 'user', 'content': 'Write a function that adds two numbers.'}],
    [{'role': 'system', 'content': 'You write Python.'}, {'role': 'user', 'content': 'Return the minimum of xs.'},
     {'role': 'assistant', 'content': 'def f(xs):\n    return min(xs)\n'}, {'role': 'user', 'content': 'Now the maximum ☕.'}],
]


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    args = [a for d in DATA for a in ('--data', os.path.join('test', 'fixtures', d))]
    subprocess.run(['node', '--import', 'tsx', 'client.ts', 'tokenizer', 'train', *args, '--vocab', str(VOCAB),
                    '--out', os.path.relpath(OUT, ROOT)], cwd=ROOT, check=True)
    tok = AutoTokenizer.from_pretrained(OUT)
    assert len(tok) == VOCAB, len(tok)
    encodings = [{'text': t, 'ids': tok.encode(t, add_special_tokens=False), 'ids_special': tok.encode(t),
                  'decoded': tok.decode(tok.encode(t, add_special_tokens=False), skip_special_tokens=True)}
                 for t in TEXTS]
    chats = []
    for messages in CHATS:
        row = {'messages': messages}
        for key, gen in [('gen', True), ('nogen', False)]:
            text = tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=gen)
            ids = tok.apply_chat_template(messages, tokenize=True, add_generation_prompt=gen, return_dict=True)['input_ids']
            row[key] = {'text': text, 'ids': ids}
        chats.append(row)
    ref = {
        'vocab_size': len(tok),
        'special': {'bos': tok.bos_token_id, 'eos': tok.eos_token_id, 'pad': tok.pad_token_id},
        'encodings': encodings,
        'chats': chats,
        'transformers': transformers.__version__,
        'tokenizers': tokenizers.__version__,
    }
    with open(os.path.join(FIX, 'tokenizer', 'reference.json'), 'w') as f:
        json.dump(ref, f, ensure_ascii=False)
    print(f'{OUT}: {len(tok)} tokens; {len(TEXTS)} texts, {len(CHATS)} chats -> tokenizer/reference.json')


if __name__ == '__main__':
    main()
