"""Check that a checkpoint written by `mars2 sft` loads in transformers and gives the engine's
logits. For each tiny fixture model (Llama, Qwen2 with a sharded base, Qwen3 with float16 weights):
runs `mars2 sft` for a few steps into a temp directory, loads the checkpoint with
AutoModelForCausalLM / AutoTokenizer, and compares transformers' float32 logits on fixed rows with the
engine's (scripts/golden/checkpoint_logits.ts, ModelRuntime full forward). Also checks that the
tokenizer and chat template came along. Prints the max |delta logit| per model; exits 1 above 1e-4.
Not run by CI; run by hand with
  .mars2/golden-venv/bin/python scripts/golden/check_checkpoint.py
"""
import json
import os
import subprocess
import sys
import tempfile

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')
FIX = os.path.join(ROOT, 'test', 'fixtures', 'models')
DATA = [
    {'messages': [{'role': 'user', 'content': 'hello there'}, {'role': 'assistant', 'content': 'hi, how are you'}]},
    {'prompt': 'The sky is', 'completion': ' blue and wide'},
]
IDS = [[5, 17, 42, 9, 100, 3, 7, 250], [11, 12, 13, 14, 15, 16, 17, 18]]
TOL = 1e-4


def node(*args):
    return subprocess.run(['node', '--import', 'tsx', *args], cwd=ROOT, check=True, capture_output=True, text=True).stdout


def check(name, tmp):
    data = os.path.join(tmp, f'{name}.jsonl')
    with open(data, 'w') as f:
        for d in DATA:
            f.write(json.dumps(d) + '\n')
    out = os.path.join(tmp, f'{name}-sft')
    node('client.ts', 'sft', '--model', os.path.join(FIX, name), '--data', data, '--out', out,
         '--steps', '3', '--lr', '1e-2', '--batch-size', '2', '--threads', '1', '--json')
    ours = json.loads(node('scripts/golden/checkpoint_logits.ts', out, json.dumps(IDS)))
    model = AutoModelForCausalLM.from_pretrained(out, dtype=torch.float32, attn_implementation='eager')
    with torch.no_grad():
        ref = model(input_ids=torch.tensor(IDS), use_cache=False).logits.float()
    got = torch.tensor(ours['logits'], dtype=torch.float32).reshape(ref.shape)
    delta = (got - ref).abs().max().item()
    base = AutoModelForCausalLM.from_pretrained(os.path.join(FIX, name), dtype=torch.float32, attn_implementation='eager')
    with torch.no_grad():
        moved = (base(input_ids=torch.tensor(IDS), use_cache=False).logits.float() - ref).abs().max().item()
    tok = AutoTokenizer.from_pretrained(out)
    chat = tok.apply_chat_template(DATA[0]['messages'], tokenize=False) if tok.chat_template else None
    print(f'{name}: max |engine - transformers| logit {delta:.2e} (training moved logits by {moved:.2e}); '
          f'tokenizer ok ({len(tok)} tokens), chat template {"renders" if chat else "absent (as in the base)"}')
    return delta <= TOL and moved > 1e-3


def main():
    with tempfile.TemporaryDirectory() as tmp:
        ok = [check(n, tmp) for n in ['llama', 'qwen2', 'qwen3']]
    sys.exit(0 if all(ok) else 1)


if __name__ == '__main__':
    main()
