"""The RL-loop benchmark's fixture: the toy domain of ../shared/research/toy-domain (toy.py) in mars2's
forms, so mars2 and the PyTorch peer (rl_torch.py) train the same model on the same problems.

  .mars2/golden-venv/bin/python bench/rl-loop/make_fixture.py OUT_DIR [--sft-steps 100] [--problems 4000]

Writes OUT_DIR/model (a HF Llama directory: 3.2M parameters as in toy-domain.md, d=256, L=4, H=4, ff=672,
tied embeddings; a byte-level BPE tokenizer trained on the domain with a chat template that renders
`<bos>statement<sep>`; supervised-trained for --sft-steps steps of 64 on statement → "```python\\n" code
"\\n```" in that template, the way mars2 prompts a root node) and OUT_DIR/problems.jsonl (native
problems, call style, fn_name f, 8 private tests, no public test). Deterministic from its seeds."""
import argparse, json, os, random, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(os.environ.get('MARS2_SHARED', os.path.join(ROOT, '..', 'shared')), 'research', 'toy-domain'))
import torch
from toy import PREFIXES, build_eval_sets, random_problem, split_triples, make_model

ap = argparse.ArgumentParser()
ap.add_argument('out')
ap.add_argument('--sft-steps', type=int, default=100)
ap.add_argument('--problems', type=int, default=4000)
ap.add_argument('--threads', type=int, default=2)
args = ap.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(0)
os.makedirs(os.path.join(args.out, 'model'), exist_ok=True)

SPECIALS = ['<pad>', '<bos>', '<eos>', '<sep>']
TEMPLATE = ("{{ bos_token }}{% for m in messages %}{% if m['role'] == 'assistant' %}{{ m['content'] }}{{ eos_token }}"
            "{% else %}{{ m['content'] }}<sep>{% endif %}{% endfor %}")


def completion(code):
    return '```python\n' + code + '\n```'


A, B, C = split_triples(0)
_, evkeys = build_eval_sets(0)
r = random.Random(7)

# Tokenizer: byte-level BPE on statements and fenced programs (toy-domain.md §2, plus the fences).
from tokenizers import ByteLevelBPETokenizer, Tokenizer
texts = []
for _ in range(20000):
    p = random_problem(A + B + C, r)
    texts += [p['stmt'], completion(p['code'])]
bpe = ByteLevelBPETokenizer()
bpe.train_from_iterator(texts, vocab_size=640, min_frequency=2, special_tokens=SPECIALS)
mdir = os.path.join(args.out, 'model')
bpe.save(os.path.join(mdir, 'tokenizer.json'))
tok = Tokenizer.from_file(os.path.join(mdir, 'tokenizer.json'))
pad, bos, eos, sep = [tok.token_to_id(s) for s in SPECIALS]
json.dump({'bos_token': '<bos>', 'eos_token': '<eos>', 'pad_token': '<pad>', 'chat_template': TEMPLATE,
           'tokenizer_class': 'PreTrainedTokenizerFast', 'model_max_length': 256},
          open(os.path.join(mdir, 'tokenizer_config.json'), 'w'), indent=1)


def prompt_ids(stmt):
    return [bos] + tok.encode(stmt).ids + [sep]


# SFT: toy-domain.md §3's recipe (AdamW 1e-3, warm-up 100, batch 64, loss on the completion and EOS).
model = make_model(tok.get_vocab_size(), d=256, L=4, H=4, ff=672, maxpos=256)
opt = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.98), weight_decay=0.01)
sr = random.Random(1)
t0 = time.time()
model.train()
for step in range(args.sft_steps):
    ex = []
    for _ in range(64):
        p = random_problem(A, sr, exclude=evkeys)
        ex.append((prompt_ids(p['stmt']), tok.encode(completion(p['code'])).ids + [eos]))
    ml = max(len(a) + len(b) for a, b in ex)
    ids = torch.full((64, ml), pad)
    lab = torch.full((64, ml), -100)
    att = torch.zeros((64, ml), dtype=torch.long)
    for i, (a, b) in enumerate(ex):
        s = a + b
        ids[i, :len(s)] = torch.tensor(s)
        att[i, :len(s)] = 1
        lab[i, len(a):len(s)] = torch.tensor(b)
    for g in opt.param_groups:
        g['lr'] = 1e-3 * min(1, (step + 1) / 100)
    loss = model(input_ids=ids, attention_mask=att, labels=lab).loss
    opt.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    if (step + 1) % 25 == 0:
        print(f'sft step {step + 1}: loss {loss.item():.3f} ({time.time() - t0:.0f} s)', flush=True)
model.config.bos_token_id, model.config.eos_token_id, model.config.pad_token_id = bos, eos, pad
model.save_pretrained(mdir)
model.generation_config.save_pretrained(mdir)

# Problems: the RL pool (A ∪ B, evaluation keys excluded), as rl.py draws them; 8 private tests each.
pr = random.Random(100)
with open(os.path.join(args.out, 'problems.jsonl'), 'w') as f:
    for i in range(args.problems):
        p = random_problem(A + B, pr, exclude=evkeys)
        tests = [{'input': json.dumps(xs), 'output': json.dumps(want)} for xs, want in p['tests']]
        f.write(json.dumps({'id': f'toy/{i}', 'prompt': p['stmt'], 'style': 'call', 'fn_name': 'f', 'public_tests': [],
                            'private_tests': tests}) + '\n')
print(f'wrote {mdir} (vocab {tok.get_vocab_size()}, {sum(x.numel() for x in model.parameters())} params, '
      f'{args.sft_steps} SFT steps in {time.time() - t0:.0f} s) and {args.problems} problems', flush=True)
