// `mars2 model init` (src/models/init.ts): the bytes and transformers' logits of the golden models
// (scripts/golden/model_init.py), identical files from one seed, the engine generating and the trainer
// fine-tuning from a new model, and flag errors that name the flag.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { modelInitCommand } from '../../src/cli/model';
import { UsageError, UserError } from '../../src/cli/command';
import { SafetensorsDir } from '../../src/models/hf/safetensors';
import { ModelRuntime } from '../../src/models/runtime';
import { mars2, ROOT } from '../helpers/cli';
import { maxAbsDiff } from '../helpers/models';

const REF_DIR = join(__dirname, '..', 'fixtures', 'model-init');
const REGENERATE = '.mars2/golden-venv/bin/python scripts/golden/model_init.py';

interface Ref {
  tokenizer: string;
  ids: number[][];
  models: Record<string, { flags: string[]; sha256: string; params: number }>;
}

const ref = JSON.parse(readFileSync(join(REF_DIR, 'reference.json'), 'utf8')) as Ref;
const tokenizer = join(ROOT, ref.tokenizer);
const tmp = () => mkdtempSync(join(tmpdir(), 'model-init-'));
const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** `mars2 model init` in-process (its one summary line goes to stdout). */
async function init(flags: string[], out: string): Promise<void> {
  assert.equal(await modelInitCommand.run([...flags, '--tokenizer', tokenizer, '--out', out, '--json']), 0);
}

describe('mars2 model init', () => {
  for (const [name, m] of Object.entries(ref.models)) {
    test(`${name}: the golden bytes, and the engine's logits equal transformers'`, async () => {
      const dir = join(tmp(), name);
      await init(m.flags, dir);
      assert.equal(sha256(join(dir, 'model.safetensors')), m.sha256, `model.safetensors changed; if intended, regenerate with ${REGENERATE}`);
      const expected = new SafetensorsDir(REF_DIR, 'reference.safetensors').float32(`${name}.logits`);
      const rt = await ModelRuntime.load(dir, { threads: 1 });
      try {
        const got = await rt.forwardAll(ref.ids);
        const d = maxAbsDiff(got, expected);
        assert.ok(d < 1e-5, `max |engine − transformers| logit ${d} (golden from ${REGENERATE})`);
      } finally {
        await rt.release();
      }
    });
  }

  test('one seed and the same flags give identical files; another seed other weights', async () => {
    const flags = ref.models.qwen3!.flags;
    const [a, b, c] = [join(tmp(), 'a'), join(tmp(), 'b'), join(tmp(), 'c')];
    await init(flags, a);
    await init(flags, b);
    const files = readdirSync(a).sort();
    assert.deepEqual(files, ['config.json', 'generation_config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json']);
    assert.deepEqual(readdirSync(b).sort(), files);
    for (const f of files) assert.ok(readFileSync(join(a, f)).equals(readFileSync(join(b, f))), `${f} differs between two inits with one seed`);
    const other = [...flags];
    other[other.indexOf('--seed') + 1] = '99';
    await init(other, c);
    assert.notEqual(sha256(join(c, 'model.safetensors')), sha256(join(a, 'model.safetensors')));
    const config = JSON.parse(readFileSync(join(a, 'config.json'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual([config.vocab_size, config.bos_token_id, config.eos_token_id, config.pad_token_id], [400, 1, 2, 0]);
    // _init_weights: norms 1, the padding row 0, the rest ~ N(0, 0.02)
    const st = new SafetensorsDir(a);
    assert.ok(st.float32('model.norm.weight').every((x) => x === 1));
    const embed = st.float32('model.embed_tokens.weight');
    const hidden = config.hidden_size as number;
    assert.ok(embed.subarray(0, hidden).every((x) => x === 0), 'the pad row (id 0) is zero');
    const rest = embed.subarray(hidden);
    const std = Math.sqrt(rest.reduce((s, x) => s + x * x, 0) / rest.length);
    assert.ok(Math.abs(std - 0.02) < 0.001, `embedding std ${std}`);
  });

  test('the engine generates from a new model and the trainer fine-tunes it (mars2 generate, mars2 sft)', () => {
    const root = tmp();
    const dir = join(root, 'm');
    const r = mars2(['model', 'init', ...ref.models.llama!.flags, '--tokenizer', tokenizer, '--out', dir], { stack: 'user' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /wrote .*: llama, 44,192 parameters, vocabulary 400/);
    writeFileSync(join(root, 'chat.json'), JSON.stringify([{ role: 'user', content: 'Add two numbers.' }]));
    const g = mars2(['generate', '--model', dir, '--messages', join(root, 'chat.json'), '--max-new-tokens', '5', '--seed', '1', '--threads', '1', '--json'], { stack: 'user' });
    assert.equal(g.status, 0, g.stderr);
    const out = JSON.parse(g.stdout) as { tokenIds: number[]; promptTokenIds: number[] };
    assert.deepEqual(out.promptTokenIds.slice(0, 2), [1, 4], 'the chat prompt starts <|bos|><|user|>');
    assert.ok(out.tokenIds.length >= 1 && out.tokenIds.length <= 5);
    writeFileSync(join(root, 'sft.jsonl'), `${JSON.stringify({ messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'def f(): pass' }] })}\n`);
    const s = mars2(['sft', '--model', dir, '--data', join(root, 'sft.jsonl'), '--out', join(root, 'sft'), '--steps', '2', '--lr', '1e-2', '--batch-size', '1', '--threads', '1', '--json'], { stack: 'user' });
    assert.equal(s.status, 0, s.stderr);
    const summary = JSON.parse(s.stdout.trim().split('\n').at(-1)!) as { firstLoss: number; lastLoss: number };
    assert.ok(Math.abs(summary.firstLoss - Math.log(400)) < 0.1, `a fresh model's loss ≈ ln V, got ${summary.firstLoss}`);
    assert.ok(summary.lastLoss < summary.firstLoss);
  });

  test('bad flags are usage errors that name the flag', async () => {
    const base = ref.models.llama!.flags;
    const set = (flag: string, value: string | null) => {
      const f = [...base];
      const i = f.indexOf(flag);
      if (i < 0) f.push(flag, value!);
      else if (value === null) f.splice(i, 2);
      else f[i + 1] = value;
      return f;
    };
    const dir = tmp();
    const cases: [string[], RegExp][] = [
      [set('--arch', null), /--arch is required/],
      [set('--arch', 'gpt2'), /--arch expects one of llama, qwen2, qwen3, got 'gpt2'/],
      [set('--hidden', 'wide'), /--hidden expects a number, got 'wide'/],
      [set('--layers', '0'), /--layers expects a positive integer, got '0'/],
      [set('--heads', '3'), /--heads \(3\) must divide --hidden \(32\), or give --head-dim/],
      [set('--kv-heads', '3'), /--kv-heads \(3\) must divide --heads \(4\)/],
      [set('--head-dim', '7'), /head dim \(--head-dim\) must be even/],
      [set('--seed', '1.5'), /--seed expects a non-negative integer, got '1.5'/],
      [set('--max-positions', '1.5'), /--max-positions expects a positive integer/],
      [set('--rope-theta', '0'), /--rope-theta expects a positive number/],
      [[...base, '--vocab', '10'], /Unknown option '--vocab'/],
    ];
    for (const [flags, msg] of cases) {
      await assert.rejects(modelInitCommand.run([...flags, '--tokenizer', tokenizer, '--out', join(dir, 'x')]), (err: Error) => err instanceof UsageError && msg.test(err.message), String(msg));
    }
    mkdirSync(join(dir, 'exists'));
    await assert.rejects(modelInitCommand.run([...base, '--tokenizer', dir, '--out', join(dir, 'y')]), (err: Error) => err instanceof UserError && /has no tokenizer\.json/.test(err.message));
    await assert.rejects(modelInitCommand.run([...base, '--tokenizer', tokenizer, '--out', join(dir, 'exists')]), (err: Error) => err instanceof UserError && /already exists/.test(err.message));
    const r = mars2(['model', 'init', ...set('--kv-heads', '3'), '--tokenizer', tokenizer, '--out', join(dir, 'z')], { stack: 'user' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /mars2 model init: --kv-heads \(3\) must divide --heads \(4\)\n\nusage: mars2 model init /);
  });
});
