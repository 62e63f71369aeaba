"""Random-weight Llama model directories for bench/engine.ts (~5M and ~25M parameters, the configs of
research/onnx-engine.md §3), and PyTorch CPU `generate` figures on the same weights and thread count.

  .mars2/golden-venv/bin/python bench/make_bench_models.py            # writes .mars2/bench-models/{tiny5m,small25m}
  .mars2/golden-venv/bin/python bench/make_bench_models.py --torch    # also prints PyTorch CPU decode/prefill tok/s
"""
import os
import sys
import time

import torch
from transformers import AutoModelForCausalLM, LlamaConfig

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
OUT = os.path.join(ROOT, '.mars2', 'bench-models')
CONFIGS = {
    'tiny5m': dict(vocab_size=4096, hidden_size=256, num_hidden_layers=4, num_attention_heads=4, num_key_value_heads=2,
                   intermediate_size=768),
    'small25m': dict(vocab_size=8192, hidden_size=512, num_hidden_layers=6, num_attention_heads=8, num_key_value_heads=4,
                     intermediate_size=1408),
}
PROMPT, NEW, THREADS = 128, 64, 2


def make(name, kw):
    d = os.path.join(OUT, name)
    if not os.path.exists(os.path.join(d, 'config.json')):
        torch.manual_seed(0)
        cfg = LlamaConfig(**kw, max_position_embeddings=4096, rope_parameters={'rope_type': 'default', 'rope_theta': 10000.0},
                          tie_word_embeddings=False, bos_token_id=0, eos_token_id=1)
        AutoModelForCausalLM.from_config(cfg).save_pretrained(d)
    return d


def bench_torch(d):
    torch.set_num_threads(THREADS)
    m = AutoModelForCausalLM.from_pretrained(d, dtype=torch.float32).eval()
    n = sum(p.numel() for p in m.parameters())
    for B in (1, 8, 32):
        ids = torch.randint(2, 4000, (B, PROMPT), generator=torch.Generator().manual_seed(B))
        kw = dict(do_sample=False, pad_token_id=0, eos_token_id=None)
        with torch.no_grad():
            m.generate(ids, max_new_tokens=2, min_new_tokens=2, **kw)  # warm-up
            t = time.perf_counter(); m.generate(ids, max_new_tokens=1, min_new_tokens=1, **kw); t1 = time.perf_counter() - t
            t = time.perf_counter(); m.generate(ids, max_new_tokens=NEW + 1, min_new_tokens=NEW + 1, **kw); tn = time.perf_counter() - t
        print(f'torch {os.path.basename(d)} ({n / 1e6:.1f}M) B={B}: prefill {B * PROMPT / t1:.0f} tok/s, decode {B * NEW / (tn - t1):.0f} tok/s')


if __name__ == '__main__':
    dirs = [make(k, v) for k, v in CONFIGS.items()]
    print('models in', OUT)
    if '--torch' in sys.argv:
        print(f'torch {torch.__version__}, threads {THREADS}, prompt {PROMPT}, new tokens {NEW}')
        for d in dirs:
            bench_torch(d)
