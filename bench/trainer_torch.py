"""PyTorch CPU side of bench/trainer.ts: one fwd+bwd+AdamW step of the masked token cross-entropy on a
model directory, the same protocol (B rows of S+1 token ids (b*31 + 7*t) % 4000 + 2, every target in
the loss; one warm-up step, then RUNS timed steps; the median). Prints one JSON line {ms}.
  .mars2/golden-venv/bin/python bench/trainer_torch.py DIR B S THREADS RUNS
"""
import json
import statistics
import sys
import time

import torch
from transformers import AutoModelForCausalLM


def main():
    d, B, S, threads, runs = sys.argv[1], *map(int, sys.argv[2:6])
    torch.set_num_threads(threads)
    model = AutoModelForCausalLM.from_pretrained(d, dtype=torch.float32)
    model.train()
    seq = torch.tensor([[(b * 31 + 7 * t) % 4000 + 2 for t in range(S + 1)] for b in range(B)])
    ids, targets = seq[:, :-1], seq[:, 1:]
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.01)

    def step():
        logits = model(input_ids=ids, use_cache=False).logits
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)

    step()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1000)
    print(json.dumps({'ms': statistics.median(times), 'torch': torch.__version__}))


if __name__ == '__main__':
    main()
