"""Golden fixtures for the trainer: for the tiny Llama, Qwen2 and Qwen3 of make_models.py, loaded
in float32, every parameter gradient of a fixed masked token cross-entropy (SFT) and the losses of 10
AdamW steps (clip 1.0, cosine schedule with warm-up, no decay on norms and biases), like llm.c's
test_gpt2. Writes test/fixtures/models/{llama,qwen2,qwen3}/
  train_reference.safetensors  grad.<HF name> (float32) at the initial weights
  train_reference.json         input_ids, targets, loss_mask (B, S), the loss, the 10 step losses, the
                               optimizer settings
Loss: L = -(1/M) sum_t m_t log p(targets_t | input_ids_<=t), M = sum_t m_t (src/models/train/loss.ts sftLoss).
Not run by CI; regenerate (after make_models.py) with
  .mars2/golden-venv/bin/python scripts/golden/make_train.py
"""
import json
import os

import torch
from safetensors.torch import save_file
from transformers import AutoModelForCausalLM, get_cosine_with_min_lr_schedule_with_warmup

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')
OUT = os.path.join(ROOT, 'test', 'fixtures', 'models')
OPT = {'lr': 1e-2, 'min_lr': 1e-3, 'warmup_steps': 2, 'total_steps': 10, 'max_grad_norm': 1.0,
       'beta1': 0.9, 'beta2': 0.95, 'eps': 1e-8, 'weight_decay': 0.1}


def sft_loss(model, ids, targets, mask):
    logits = model(input_ids=ids, attention_mask=torch.ones_like(ids), use_cache=False).logits
    logp = torch.log_softmax(logits.float(), dim=-1).gather(-1, targets.unsqueeze(-1)).squeeze(-1)
    return -(logp * mask).sum() / mask.sum()


def build(name):
    d = os.path.join(OUT, name)
    torch.manual_seed(1234)
    model = AutoModelForCausalLM.from_pretrained(d, dtype=torch.float32, attn_implementation='eager')
    model.train()  # no dropout in these configs; train() only for clarity
    V = model.config.vocab_size
    seq = torch.randint(0, V, (2, 13), generator=torch.Generator().manual_seed(99))
    ids, targets = seq[:, :-1], seq[:, 1:]
    mask = torch.ones(ids.shape)
    mask[0, :4] = 0  # prompt tokens do not count
    mask[1, :2] = 0
    mask[1, -3:] = 0
    params = dict(model.named_parameters())  # tied weights appear once, as model.embed_tokens.weight
    loss = sft_loss(model, ids, targets, mask)
    loss.backward()
    grads = {f'grad.{n}': p.grad.detach().clone().contiguous() for n, p in params.items()}
    model.zero_grad()

    no_decay = [n for n in params if 'norm' in n.lower() or n.endswith('.bias')]
    opt = torch.optim.AdamW([
        {'params': [p for n, p in params.items() if n not in no_decay], 'weight_decay': OPT['weight_decay']},
        {'params': [p for n, p in params.items() if n in no_decay], 'weight_decay': 0.0},
    ], lr=OPT['lr'], betas=(OPT['beta1'], OPT['beta2']), eps=OPT['eps'], foreach=False)
    sched = get_cosine_with_min_lr_schedule_with_warmup(opt, OPT['warmup_steps'], OPT['total_steps'], min_lr=OPT['min_lr'])
    losses = []
    for _ in range(OPT['total_steps']):
        opt.zero_grad()
        step_loss = sft_loss(model, ids, targets, mask)
        step_loss.backward()
        torch.nn.utils.clip_grad_norm_(list(params.values()), OPT['max_grad_norm'])
        opt.step()
        sched.step()
        losses.append(float(step_loss))

    save_file(grads, os.path.join(d, 'train_reference.safetensors'))
    ref = {'torch': torch.__version__, 'input_ids': ids.tolist(), 'targets': targets.tolist(),
           'loss_mask': mask.tolist(), 'loss': float(loss), 'step_losses': losses, 'optimizer': OPT}
    with open(os.path.join(d, 'train_reference.json'), 'w') as f:
        json.dump(ref, f)
    print(name, 'loss', float(loss), 'losses', [round(x, 5) for x in losses])


def main():
    torch.set_num_threads(1)
    for name in ['llama', 'qwen2', 'qwen3']:
        build(name)


if __name__ == '__main__':
    main()
