"""PyTorch CPU side of bench/trainer.ts: one fwd+bwd+AdamW step of the masked token cross-entropy on a
model directory, the same protocol (B rows of S+1 token ids (b*31 + 7*t) % 4000 + 2, every target in
the loss; one warm-up step, then RUNS timed steps; the median). Prints one JSON line {ms}.
  .mars2/golden-venv/bin/python bench/trainer_torch.py DIR B S THREADS RUNS
--rl SAMPLES.json: the RL update step of ../shared/research/toy-domain/rl.py on the given samples
({promptIds, completionIds, advantage}): rows right-padded to the longest, one forward, token log-probs,
loss −Σ ℓ·A·m / Σ m, backward, clip 1.0, AdamW (betas 0.9, 0.99, no decay).
  .mars2/golden-venv/bin/python bench/trainer_torch.py --rl SAMPLES.json DIR THREADS RUNS
"""
import json
import statistics
import sys
import time

import torch
from transformers import AutoModelForCausalLM


def rl_main():
    path, d, threads, runs = sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    torch.set_num_threads(threads)
    samples = json.load(open(path))
    model = AutoModelForCausalLM.from_pretrained(d, dtype=torch.float32)
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-5, betas=(0.9, 0.99), weight_decay=0.0)
    ml = max(len(s['promptIds']) + len(s['completionIds']) for s in samples)
    ids = torch.zeros((len(samples), ml), dtype=torch.long); att = torch.zeros_like(ids); mask = torch.zeros((len(samples), ml))
    for k, s in enumerate(samples):
        seq = s['promptIds'] + s['completionIds']
        ids[k, :len(seq)] = torch.tensor(seq); att[k, :len(seq)] = 1; mask[k, len(s['promptIds']):len(seq)] = 1
    adv = torch.tensor([s['advantage'] for s in samples])[:, None]

    def step():  # rl.py's update, as written there
        logits = model(input_ids=ids, attention_mask=att).logits[:, :-1]
        lp = torch.log_softmax(logits.float(), -1).gather(-1, ids[:, 1:, None]).squeeze(-1)
        m = mask[:, 1:]
        loss = -(lp * adv * m).sum() / m.sum()
        opt.zero_grad(); loss.backward(); torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0); opt.step()

    print(json.dumps({'ms': timed(step, runs), 'tokens': int(att.sum()), 'padded': int(att.numel())}))


def timed(step, runs):
    """Median milliseconds of `runs` calls of step, after one warm-up call."""
    step()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main():
    if sys.argv[1] == '--rl':
        return rl_main()
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

    print(json.dumps({'ms': timed(step, runs), 'torch': torch.__version__}))


if __name__ == '__main__':
    main()
