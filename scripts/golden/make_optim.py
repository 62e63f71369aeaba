"""Golden fixture for the trainer's optimizer (src/models/train/optim.ts): PyTorch's AdamW with
gradient-norm clipping, no weight decay on norms and biases, and transformers' cosine schedule with
warm-up and a minimum learning rate. Not run by CI; regenerate with

    .mars2/golden-venv/bin/python scripts/golden/make_optim.py

(the venv comes from scripts/golden/make_models.py's instructions: torch CPU + transformers from PyPI).
"""
import json
import os

import torch
from transformers import get_cosine_with_min_lr_schedule_with_warmup

torch.manual_seed(0)
names = ["model.layers.0.self_attn.q_proj.weight", "model.layers.0.input_layernorm.weight", "model.layers.0.self_attn.q_proj.bias"]
shapes = [(4, 3), (5,), (4,)]
params = [torch.nn.Parameter(torch.randn(*s)) for s in shapes]
init = [p.detach().clone() for p in params]
no_decay = [("norm" in n) or n.endswith(".bias") for n in names]

lr, min_lr, warmup, total, max_norm = 3e-3, 3e-4, 3, 12, 1.0
betas, eps, wd = (0.9, 0.95), 1e-8, 0.1
opt = torch.optim.AdamW(
    [
        {"params": [p for p, nd in zip(params, no_decay) if not nd], "weight_decay": wd},
        {"params": [p for p, nd in zip(params, no_decay) if nd], "weight_decay": 0.0},
    ],
    lr=lr, betas=betas, eps=eps, foreach=False,
)
sched = get_cosine_with_min_lr_schedule_with_warmup(opt, warmup, total, min_lr=min_lr)

steps = []
for step in range(total):
    # Gradients of growing size so that clipping is active on some steps and not on others.
    grads = [torch.randn(*s) * (0.2 + 0.3 * step) for s in shapes]
    for p, g in zip(params, grads):
        p.grad = g.clone()
    used_lr = opt.param_groups[0]["lr"]
    norm = torch.nn.utils.clip_grad_norm_(params, max_norm)
    opt.step()
    sched.step()
    steps.append({
        "grads": [g.flatten().tolist() for g in grads],
        "lr": used_lr,
        "grad_norm": float(norm),
        "params_after": [p.detach().flatten().tolist() for p in params],
    })

out = {
    "torch": torch.__version__,
    "names": names,
    "shapes": [list(s) for s in shapes],
    "init": [p.flatten().tolist() for p in init],
    "config": {"lr": lr, "min_lr": min_lr, "warmup_steps": warmup, "total_steps": total, "max_grad_norm": max_norm,
               "beta1": betas[0], "beta2": betas[1], "eps": eps, "weight_decay": wd},
    "steps": steps,
}
path = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "optim", "adamw.json")
with open(path, "w") as f:
    json.dump(out, f)
print("wrote", os.path.normpath(path))
