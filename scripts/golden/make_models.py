"""Golden fixtures for the generation engine: tiny random Llama, Qwen2 and Qwen3 HF model
directories plus reference outputs from PyTorch + transformers on CPU.

Writes test/fixtures/models/{llama,qwen2,qwen3}/ with
  config.json, generation_config.json, model weights (llama: f32 single file; qwen2: bf16, sharded with
  model.safetensors.index.json; qwen3: f16), tokenizer.json, tokenizer_config.json, and the chat template
  (llama: inside tokenizer_config.json, the older form; qwen2/qwen3: chat_template.jinja),
  reference.safetensors  logits (2, 10, V) of `logits_input_ids`,
  reference.json         inputs, 32-token greedy continuation, chat renderings, tokenizer encodings.
RoPE config forms: llama and qwen2 are rewritten to the older `rope_theta` + `rope_scaling` keys, qwen3 keeps
the `rope_parameters` object that transformers >= 5 writes. Scalings: llama3 (llama), yarn (qwen2), linear (qwen3).

Not run by CI. Regenerate with:
  python3 -m venv .mars2/golden-venv && .mars2/golden-venv/bin/pip install torch transformers safetensors
  .mars2/golden-venv/bin/python scripts/golden/make_models.py
"""
import json
import os
import shutil

import torch
from safetensors.torch import save_file
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import (AutoModelForCausalLM, LlamaConfig, PreTrainedTokenizerFast, Qwen2Config,
                          Qwen3Config)

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')
OUT = os.path.join(ROOT, 'test', 'fixtures', 'models')

CORPUS = [
    'def add(a, b):\n    return a + b\n',
    'def fib(n):\n    if n < 2:\n        return n\n    return fib(n - 1) + fib(n - 2)\n',
    'for i in range(10):\n    print(i * i)\n',
    'Hello world! The quick brown fox jumps over the lazy dog.',
    'import sys\ninput = sys.stdin.readline\nn = int(input())\nprint(sum(map(int, input().split())))\n',
    'class Solution:\n    def twoSum(self, nums, target):\n        seen = {}\n',
] * 20

SPECIALS = ['<|endoftext|>', '<|im_start|>', '<|im_end|>', '<think>', '</think>']

CHATML = (
    "{%- for message in messages %}"
    "{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}"
    "{%- endfor %}"
    "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}"
    "{%- if enable_thinking is defined and enable_thinking is false %}{{- '<think>\\n\\n</think>\\n\\n' }}{%- endif %}"
    "{%- endif %}"
)
LLAMA_TEMPLATE = (
    "{{- bos_token }}{%- for message in messages %}"
    "{{- '<|im_start|>' + message['role'] | upper + ': ' + message['content'] | trim + '<|im_end|>' }}"
    "{%- endfor %}{%- if add_generation_prompt %}{{- '<|im_start|>ASSISTANT: ' }}{%- endif %}"
)


def make_tokenizer(vocab_size):
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size - len(SPECIALS), special_tokens=[],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(CORPUS, trainer)
    tok.add_special_tokens(SPECIALS)
    assert tok.get_vocab_size() == vocab_size, tok.get_vocab_size()
    return tok


def randomize(model, seed):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith('norm.weight'):
                p.copy_(1.0 + 0.2 * torch.randn(p.shape, generator=g))
            elif name.endswith('.bias'):
                p.copy_(0.1 * torch.randn(p.shape, generator=g))
            else:
                p.copy_(0.15 * torch.randn(p.shape, generator=g))


def round_to(model, dtype):
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(p.to(dtype).to(torch.float32))


def greedy(model, ids, n):
    out = model.generate(torch.tensor([ids]), do_sample=False, max_new_tokens=n, min_new_tokens=0,
                         pad_token_id=0, temperature=None, top_p=None, top_k=None)
    return out[0, len(ids):].tolist()


def min_top2_gap(model, ids):
    with torch.no_grad():
        logits = model(torch.tensor([ids])).logits[0]
    top = logits.topk(2, dim=-1).values
    return float((top[:, 0] - top[:, 1]).min())


def build(name, cfg, seed, weight_dtype, shard, old_rope_form, template_in_config):
    d = os.path.join(OUT, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    torch.manual_seed(seed)
    model = AutoModelForCausalLM.from_config(cfg).eval()
    randomize(model, seed)
    if weight_dtype != torch.float32:
        round_to(model, weight_dtype)
    # weights (saved in weight_dtype; the float32 model holds exactly those values)
    model.to(weight_dtype).save_pretrained(d, max_shard_size='100KB' if shard else '1GB')
    model.to(torch.float32)

    tok = make_tokenizer(cfg.vocab_size)
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, eos_token='<|im_end|>', pad_token='<|endoftext|>',
                                   bos_token='<|endoftext|>' if name == 'llama' else None)
    fast.chat_template = LLAMA_TEMPLATE if name == 'llama' else CHATML
    fast.save_pretrained(d)
    tc_path = os.path.join(d, 'tokenizer_config.json')
    jinja_path = os.path.join(d, 'chat_template.jinja')
    if template_in_config:
        tc = json.load(open(tc_path))
        tc['chat_template'] = fast.chat_template
        json.dump(tc, open(tc_path, 'w'), indent=2)
        if os.path.exists(jinja_path):
            os.remove(jinja_path)
    elif not os.path.exists(jinja_path):
        open(jinja_path, 'w').write(fast.chat_template)

    cfg_path = os.path.join(d, 'config.json')
    c = json.load(open(cfg_path))
    if old_rope_form and 'rope_parameters' in c:
        rp = c.pop('rope_parameters')
        c['rope_theta'] = rp.pop('rope_theta')
        rp['type'] = rp.pop('rope_type')
        c['rope_scaling'] = rp
        json.dump(c, open(cfg_path, 'w'), indent=2)

    # the reference is computed from the directory as written, reloaded like a user would
    ref_model = AutoModelForCausalLM.from_pretrained(d, dtype=torch.float32).eval()
    g = torch.Generator().manual_seed(seed + 1)
    ids = torch.randint(0, cfg.vocab_size - len(SPECIALS), (2, 10), generator=g)
    with torch.no_grad():
        logits = ref_model(ids).logits.contiguous()
    save_file({'logits': logits}, os.path.join(d, 'reference.safetensors'))

    # a prompt whose greedy path has clear argmax margins, so that float32 rounding cannot flip a token
    best = None
    for text in ['def fib(n):\n', 'for i in', 'Hello', 'import sys\n', 'class Solution:', 'print(', 'return a']:
        prompt = fast.encode(text)
        cont = greedy(ref_model, prompt, 32)
        gap = min_top2_gap(ref_model, prompt + cont)
        if best is None or gap > best[2]:
            best = (prompt, cont, gap, text)
    prompt, cont, gap, prompt_text = best
    assert gap > 2e-3, f'{name}: greedy top-2 gap {gap} too small for a stable golden test; change the seed'

    messages = [{'role': 'system', 'content': 'You write Python.'}, {'role': 'user', 'content': 'Add two numbers.'}]
    chat = {}
    for key, kwargs in {'gen': {'add_generation_prompt': True}, 'nogen': {'add_generation_prompt': False},
                        'nothink': {'add_generation_prompt': True, 'enable_thinking': False}}.items():
        text = fast.apply_chat_template(messages, tokenize=False, **kwargs)
        chat[key] = {'text': text, 'ids': fast.encode(text, add_special_tokens=False)}
    encodings = {s: fast.encode(s, add_special_tokens=False) for s in
                 ['hello world', 'def add(a, b):\n    return a + b', '<|im_start|>user\nhi<|im_end|>', 'naïve café ☕']}
    ref = {
        'logits_input_ids': ids.tolist(),
        'greedy': {'prompt_text': prompt_text, 'prompt_ids': prompt, 'new_ids': cont, 'min_top2_gap': gap},
        'chat': {'messages': messages, **chat},
        'encodings': encodings,
        'rope': {'inv_freq': ref_model.model.rotary_emb.inv_freq.tolist(),
                 'attention_scaling': float(ref_model.model.rotary_emb.attention_scaling)},
        'decoded': {json.dumps(v): fast.decode(v) for v in list(encodings.values())[:2]},
        'torch': torch.__version__,
        'transformers': __import__('transformers').__version__,
    }
    json.dump(ref, open(os.path.join(d, 'reference.json'), 'w'))
    params = sum(p.numel() for p in model.parameters())
    print(f'{name}: {params} params, greedy gap {gap:.4f}, files {sorted(os.listdir(d))}')


def main():
    common = dict(vocab_size=320, hidden_size=64, intermediate_size=112, num_hidden_layers=2,
                  num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=256, rms_norm_eps=1e-6,
                  bos_token_id=315, eos_token_id=317)
    llama = LlamaConfig(**common, attention_bias=True, tie_word_embeddings=False,
                        rope_parameters={'rope_type': 'llama3', 'rope_theta': 10000.0, 'factor': 8.0,
                                         'low_freq_factor': 1.0, 'high_freq_factor': 4.0,
                                         'original_max_position_embeddings': 64})
    qwen2 = Qwen2Config(**common, tie_word_embeddings=True,
                        rope_parameters={'rope_type': 'yarn', 'rope_theta': 1000000.0, 'factor': 4.0,
                                         'original_max_position_embeddings': 64})
    qwen3 = Qwen3Config(**{**common, 'num_key_value_heads': 1}, head_dim=32, tie_word_embeddings=False,
                        rope_parameters={'rope_type': 'linear', 'rope_theta': 10000.0, 'factor': 2.0})
    build('llama', llama, 11, torch.float32, shard=False, old_rope_form=True, template_in_config=True)
    build('qwen2', qwen2, 12, torch.bfloat16, shard=True, old_rope_form=True, template_in_config=False)
    build('qwen3', qwen3, 13, torch.float16, shard=False, old_rope_form=False, template_in_config=False)


if __name__ == '__main__':
    main()
