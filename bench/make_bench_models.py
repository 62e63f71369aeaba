"""Random-weight Llama model directories for bench/engine.ts (~5M and ~25M parameters, the configs of
research/onnx-engine.md §3), and PyTorch CPU `generate` on the same weights and thread count, with the
protocol of bench/engine/shared.ts (same prompts; a full warm-up run on the first request for a cell,
then per sample t1 = 1 new token, tN = NEW + 1 new tokens; prefill B·PROMPT/t1, decode B·NEW/(tN − t1)).

  .mars2/golden-venv/bin/python bench/make_bench_models.py            # writes .mars2/bench-models/{tiny5m,small25m}
  .mars2/golden-venv/bin/python bench/make_bench_models.py --torch [--threads 2] [--runs 5] [--prompt 128] [--new 64]
                                                                      [--models tiny5m,small25m] [--batches 1,8,32]
                                                                      # prints PyTorch's medians alone
  .mars2/golden-venv/bin/python bench/make_bench_models.py --serve [--threads 2] [--prompt 128] [--new 64]
                                                                      # bench/engine.ts's child: stdin `MODEL B` → JSON
"""
import json
import os
import statistics
import sys
import time

import torch
from transformers import AutoModelForCausalLM, LlamaConfig
from transformers.utils import logging as hf_logging

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
OUT = os.path.join(ROOT, '.mars2', 'bench-models')
CONFIGS = {
    'tiny5m': dict(vocab_size=4096, hidden_size=256, num_hidden_layers=4, num_attention_heads=4, num_key_value_heads=2,
                   intermediate_size=768),
    'small25m': dict(vocab_size=8192, hidden_size=512, num_hidden_layers=6, num_attention_heads=8, num_key_value_heads=4,
                     intermediate_size=1408),
}
SETTINGS = {'threads': 2, 'runs': 5, 'prompt': 128, 'new': 64, 'models': ','.join(CONFIGS), 'batches': '1,8,32'}


def make(name, kw):
    d = os.path.join(OUT, name)
    if not os.path.exists(os.path.join(d, 'config.json')):
        torch.manual_seed(0)
        cfg = LlamaConfig(**kw, max_position_embeddings=4096, rope_parameters={'rope_type': 'default', 'rope_theta': 10000.0},
                          tie_word_embeddings=False, bos_token_id=0, eos_token_id=1)
        AutoModelForCausalLM.from_config(cfg).save_pretrained(d)
    return d


def prompt_ids(b, prompt):
    """Prompt b of the batch, as promptIds in bench/engine/shared.ts."""
    return [2 + ((b * 7919 + i * 31) % 4000) for i in range(prompt)]


class TorchCells:
    """Loaded models and warmed cells; `sample(model, B)` is one sample of the protocol."""

    def __init__(self, st):
        self.st, self.models, self.warmed = st, {}, set()
        torch.set_num_threads(st['threads'])
        hf_logging.disable_progress_bar()

    def sample(self, name, B):
        if name not in self.models:
            m = AutoModelForCausalLM.from_pretrained(os.path.join(OUT, name), dtype=torch.float32).eval()
            self.models[name] = (m, sum(p.numel() for p in m.parameters()))
        m, n = self.models[name]
        P, NEW = self.st['prompt'], self.st['new']
        ids = torch.tensor([prompt_ids(b, P) for b in range(B)])
        kw = dict(do_sample=False, pad_token_id=0, eos_token_id=None)

        def gen(k):
            return m.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=k, min_new_tokens=k, **kw)

        with torch.no_grad():
            if (name, B) not in self.warmed:
                gen(NEW + 1)  # warm-up
                self.warmed.add((name, B))
            t = time.perf_counter(); gen(1); t1 = time.perf_counter() - t
            t = time.perf_counter(); out = gen(NEW + 1); tn = time.perf_counter() - t
        return dict(engine='pytorch', model=name, params=n, batch=B, prefillTokS=B * P / t1, decodeTokS=B * NEW / (tn - t1),
                    firstRow=out[0, P:].tolist(), version=torch.__version__)


def settings(argv):
    st = dict(SETTINGS)
    for i, a in enumerate(argv):
        if a.startswith('--') and a[2:] in st:
            st[a[2:]] = argv[i + 1] if a[2:] in ('models', 'batches') else int(argv[i + 1])
    return st


if __name__ == '__main__':
    serving = '--serve' in sys.argv
    dirs = [make(k, v) for k, v in CONFIGS.items()]
    st = settings(sys.argv)
    if serving:
        cells = TorchCells(st)
        for line in sys.stdin:
            if line.split():
                name, b = line.split()
                print(json.dumps(cells.sample(name, int(b))), flush=True)
    else:
        print('models in', OUT)
    if '--torch' in sys.argv:
        print(f"torch {torch.__version__}, threads {st['threads']}, prompt {st['prompt']}, new tokens {st['new']}, median of {st['runs']}")
        cells = TorchCells(st)
        for name in st['models'].split(','):
            for B in [int(b) for b in st['batches'].split(',')]:
                rs = [cells.sample(name, B) for _ in range(st['runs'])]
                pre, dec = statistics.median(r['prefillTokS'] for r in rs), statistics.median(r['decodeTokS'] for r in rs)
                print(f"torch {name} ({rs[0]['params'] / 1e6:.1f}M) B={B}: prefill {pre:.0f} tok/s, decode {dec:.0f} tok/s")
