"""The PyTorch peer of bench/rl-loop.ts: ../shared/research/toy-domain/rl.py's loop (on-policy GRPO,
binary all-tests reward, group-normalised advantage, token-level PG loss over the samples with a non-zero
advantage, one AdamW step per batch, no KL) on the fixture's model and problems (make_fixture.py).

  .mars2/golden-venv/bin/python bench/rl-loop/rl_torch.py FIXTURE_DIR ITERATIONS [plain|tree] [--seed S]

mode plain: P=16 problems × G=8 fresh samples; tree: rl.py's depth-2 tree, 4 roots and 4 refinements of
failing roots (prompt: statement, then the failing root's answer), advantages over the tree's 8 nodes.
Programs run as rl.py runs them: one unisolated subprocess per batch (toy.run_batch). Prints one JSON
line per iteration: {"it", "s", "gen", "exec", "train", "reward", "trained"}."""
import argparse, json, os, random, re, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(os.environ.get('MARS2_SHARED', os.path.join(ROOT, '..', 'shared')), 'research', 'toy-domain'))
import torch
from toy import generate, run_batch
from tokenizers import Tokenizer
from transformers import LlamaForCausalLM

ap = argparse.ArgumentParser()
ap.add_argument('fixture')
ap.add_argument('iterations', type=int)
ap.add_argument('mode', nargs='?', default='plain', choices=['plain', 'tree'])
ap.add_argument('--seed', type=int, default=0)
ap.add_argument('--threads', type=int, default=2)
ap.add_argument('--lr', type=float, default=1e-4)
args = ap.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(args.seed)
P, G, MAX_NEW = 16, 8, 48


class Tok:
    def __init__(self, path):
        self.t = Tokenizer.from_file(path)
        self.pad, self.bos, self.eos, self.sep = [self.t.token_to_id(s) for s in ('<pad>', '<bos>', '<eos>', '<sep>')]

    def enc(self, s):
        return self.t.encode(s).ids

    def dec(self, ids):
        return self.t.decode(ids, skip_special_tokens=True)

    def prompt(self, stmt, prev=None):
        # The fixture's chat template: <bos>user<sep>; a refinement shows the failing answer after the statement.
        text = stmt if prev is None else stmt + '\n\nThis answer failed the tests:\n' + prev + '\nWrite a correct one.'
        return [self.bos] + self.enc(text) + [self.sep]


BLOCK = re.compile(r'```(?:python|py)?\s*\n?(.*?)\n?```', re.S | re.I)


def program(text):
    blocks = [b.strip() for b in BLOCK.findall(text) if len(b.strip()) >= 20]
    return blocks[-1] if blocks else text


mdir = os.path.join(args.fixture, 'model')
tok = Tok(os.path.join(mdir, 'tokenizer.json'))
model = LlamaForCausalLM.from_pretrained(mdir)
problems = [json.loads(l) for l in open(os.path.join(args.fixture, 'problems.jsonl'))]
for p in problems:
    p['tests'] = [(json.loads(t['input']), json.loads(t['output'])) for t in p['private_tests']]
opt = torch.optim.AdamW(model.parameters(), lr=args.lr, betas=(0.9, 0.99), weight_decay=0.0)
r = random.Random(100 + args.seed)


def sample(prompts):
    outs, _ = generate(model, tok, prompts, 1.0, max_new=MAX_NEW)
    return outs, [program(tok.dec(o)) for o in outs]


for it in range(args.iterations):
    t_start = time.time()
    probs = [r.choice(problems) for _ in range(P)]
    T = dict(gen=0.0, exec=0.0)

    def timed(key, fn, *a):
        t = time.time()
        out = fn(*a)
        T[key] += time.time() - t
        return out

    if args.mode == 'plain':
        prompts = [tok.prompt(p['prompt']) for p in probs for _ in range(G)]
        outs, codes = timed('gen', sample, prompts)
        rew = timed('exec', run_batch, codes, [p['tests'] for p in probs for _ in range(G)])
    else:
        h = G // 2
        rp = [tok.prompt(p['prompt']) for p in probs for _ in range(h)]
        ro, rc = timed('gen', sample, rp)
        rr = timed('exec', run_batch, rc, [p['tests'] for p in probs for _ in range(h)])
        cp = []
        for i, p in enumerate(probs):
            fails = [j for j in range(h) if not rr[i * h + j]]
            for j in range(h):
                cp.append(tok.prompt(p['prompt'], tok.dec(ro[i * h + fails[j % len(fails)]])) if fails else tok.prompt(p['prompt']))
        co, cc = timed('gen', sample, cp)
        cr = timed('exec', run_batch, cc, [p['tests'] for p in probs for _ in range(h)])
        prompts, outs, rew = [], [], []
        for i in range(P):
            prompts += rp[i * h:(i + 1) * h] + cp[i * h:(i + 1) * h]
            outs += ro[i * h:(i + 1) * h] + co[i * h:(i + 1) * h]
            rew += rr[i * h:(i + 1) * h] + cr[i * h:(i + 1) * h]
    rw = torch.tensor(rew, dtype=torch.float).view(P, G)
    adv = ((rw - rw.mean(1, keepdim=True)) / (rw.std(1, keepdim=True) + 1e-4)).view(-1)
    t_train = time.time()
    idx = [i for i in range(len(outs)) if abs(adv[i]) > 1e-6]
    if idx:
        model.train()
        seqs = [(prompts[i], outs[i] + [tok.eos]) for i in idx]
        ml = max(len(a) + len(b) for a, b in seqs)
        ids = torch.full((len(seqs), ml), tok.pad)
        att = torch.zeros_like(ids)
        mask = torch.zeros((len(seqs), ml))
        for k, (a, b) in enumerate(seqs):
            s = a + b
            ids[k, :len(s)] = torch.tensor(s)
            att[k, :len(s)] = 1
            mask[k, len(a):len(s)] = 1
        logits = model(input_ids=ids, attention_mask=att).logits[:, :-1]
        lp = torch.log_softmax(logits.float(), -1).gather(-1, ids[:, 1:, None]).squeeze(-1)
        m = mask[:, 1:]
        loss = -(lp * adv[idx][:, None] * m).sum() / m.sum()
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
    t_end = time.time()
    print(json.dumps(dict(it=it, s=round(t_end - t_start, 3), gen=round(T['gen'], 3), exec=round(T['exec'], 3), train=round(t_end - t_train, 3),
                          reward=round(float(rw.mean()), 4), trained=len(idx), tokens=sum(len(o) + 1 for o in outs))), flush=True)
