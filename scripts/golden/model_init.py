"""Golden fixture for `mars2 model init` (src/models/init.ts): for each family in MODELS, initialises a
model with the trained test tokenizer (test/fixtures/tokenizer/trained), loads it with transformers'
AutoModelForCausalLM (every weight present, none unexpected) and AutoTokenizer, compares transformers'
float32 logits on IDS with the engine's (scripts/golden/checkpoint_logits.ts), and writes
test/fixtures/model-init/reference.json (flags, ids, sha256 of model.safetensors) and
reference.safetensors (transformers' logits per family). test/models/modelInit.test.ts re-initialises
with the same flags and checks the bytes and the engine's logits against these. Exits 1 when the engine
and transformers differ by more than TOL.

Not run by CI. Regenerate with:
  python3 -m venv .mars2/golden-venv && .mars2/golden-venv/bin/pip install torch transformers safetensors
  .mars2/golden-venv/bin/python scripts/golden/model_init.py
"""
import hashlib
import json
import os
import subprocess
import sys
import tempfile

import torch
import transformers
from safetensors.torch import save_file
from transformers import AutoModelForCausalLM, AutoTokenizer

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')
TOKENIZER = os.path.join('test', 'fixtures', 'tokenizer', 'trained')
OUT = os.path.join(ROOT, 'test', 'fixtures', 'model-init')
# Keep in step with test/models/modelInit.test.ts, which reads the flags from reference.json.
MODELS = {
    'llama': ['--arch', 'llama', '--hidden', '32', '--layers', '2', '--heads', '4', '--kv-heads', '2', '--ff', '64', '--seed', '1'],
    'qwen2': ['--arch', 'qwen2', '--hidden', '32', '--layers', '2', '--heads', '2', '--kv-heads', '1', '--ff', '48', '--seed', '2',
              '--tie-embeddings', '--max-positions', '512', '--rope-theta', '1000000'],
    'qwen3': ['--arch', 'qwen3', '--hidden', '32', '--layers', '2', '--heads', '4', '--kv-heads', '1', '--ff', '64', '--head-dim', '16',
              '--seed', '3'],
}
IDS = [[1, 4, 120, 7, 300, 42, 2, 5], [281, 114, 114, 117, 38, 125, 293, 399]]
TOL = 1e-5


def node(*args):
    return subprocess.run(['node', '--import', 'tsx', *args], cwd=ROOT, check=True, capture_output=True, text=True).stdout


def main():
    os.makedirs(OUT, exist_ok=True)
    ref = {'tokenizer': TOKENIZER, 'ids': IDS, 'models': {}, 'torch': torch.__version__, 'transformers': transformers.__version__}
    logits = {}
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        for name, flags in MODELS.items():
            d = os.path.join(tmp, name)
            node('client.ts', 'model', 'init', *flags, '--tokenizer', TOKENIZER, '--out', d)
            model, info = AutoModelForCausalLM.from_pretrained(d, dtype=torch.float32, attn_implementation='eager',
                                                               output_loading_info=True)
            missing = [k for k in info['missing_keys'] if not (k == 'lm_head.weight' and model.config.tie_word_embeddings)]
            assert not missing and not info['unexpected_keys'] and not info['mismatched_keys'], (name, info)
            tok = AutoTokenizer.from_pretrained(d)
            assert len(tok) == model.config.vocab_size, (len(tok), model.config.vocab_size)
            std = model.model.layers[0].mlp.up_proj.weight.std().item()
            with torch.no_grad():
                ref_logits = model(input_ids=torch.tensor(IDS), use_cache=False).logits.float().contiguous()
            ours = json.loads(node('scripts/golden/checkpoint_logits.ts', d, json.dumps(IDS)))
            delta = (torch.tensor(ours['logits']).reshape(ref_logits.shape) - ref_logits).abs().max().item()
            ok = ok and delta <= TOL
            with open(os.path.join(d, 'model.safetensors'), 'rb') as f:
                sha = hashlib.sha256(f.read()).hexdigest()
            logits[f'{name}.logits'] = ref_logits
            ref['models'][name] = {'flags': flags, 'sha256': sha, 'params': sum(p.numel() for p in model.parameters())}
            print(f'{name}: {ref["models"][name]["params"]} params, weight std {std:.4f}, '
                  f'max |engine - transformers| logit {delta:.2e}, logit range {ref_logits.abs().max().item():.3f}')
    save_file(logits, os.path.join(OUT, 'reference.safetensors'))
    with open(os.path.join(OUT, 'reference.json'), 'w') as f:
        json.dump(ref, f)
        f.write('\n')
    sys.exit(0 if ok else 1)


if __name__ == '__main__':
    main()
