// SFT data and `mars2 sft` (src/models/train/sft.ts, src/cli/sft.ts) on the tiny fixtures:
//   - loss masks cover exactly the assistant turns (chat template) or the completion + EOS;
//   - bad data lines name the file, line and field;
//   - a short run lowers the loss on its data, and the checkpoint it writes loads in the engine
//     (createEngine) with per-token log-probs equal to the trainer's forward at the same weights.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sftCommand } from '../../src/cli/sft';
import { UserError } from '../../src/cli/command';
import { createEngine } from '../../src/models/engine';
import { readModelConfig } from '../../src/models/hf/config';
import { ModelTokenizer } from '../../src/models/tokenizer';
import { sftLoss } from '../../src/models/train/loss';
import { batchOrder, readSftData, sftRow } from '../../src/models/train/sft';
import { Trainer, type TokenRow } from '../../src/models/train/trainer';

const FIXTURES = join(__dirname, '..', 'fixtures', 'models');
const CHAT = [
  { messages: [{ role: 'user', content: 'hello there' }, { role: 'assistant', content: 'hi, how are you' }] },
  { messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'add 2 and 3' }, { role: 'assistant', content: '5' }, { role: 'user', content: 'and 4?' }, { role: 'assistant', content: '9' }] },
  { prompt: 'The sky is', completion: ' blue and wide' },
];

const masked = (tok: ModelTokenizer, r: TokenRow) => tok.decode(r.ids.filter((_, i) => r.lossMask[i] === 1), false);

describe('SFT data', () => {
  test('chat rows train on the assistant turns with their end marker; prompt/completion on the completion and EOS', () => {
    const tok = ModelTokenizer.load(join(FIXTURES, 'qwen2'));
    const eos = tok.eosTokenId!;
    assert.equal(masked(tok, sftRow(tok, eos, 'd.jsonl', 1, JSON.stringify(CHAT[0]))), 'hi, how are you<|im_end|>\n');
    const two = sftRow(tok, eos, 'd.jsonl', 2, JSON.stringify(CHAT[1]));
    assert.equal(masked(tok, two), '5<|im_end|>\n9<|im_end|>\n');
    assert.deepEqual(two.ids, tok.encodeChat(CHAT[1]!.messages!, { addGenerationPrompt: false }), 'segment-wise tokens equal the whole conversation\'s');
    const pc = sftRow(tok, eos, 'd.jsonl', 3, JSON.stringify(CHAT[2]));
    assert.equal(masked(tok, pc), ' blue and wide<|im_end|>');
    assert.equal(tok.decode(pc.ids.filter((_, i) => pc.lossMask[i] === 0), false), 'The sky is');
  });

  test('bad lines name the file, the line and the field', () => {
    const tok = ModelTokenizer.load(join(FIXTURES, 'qwen2'));
    const bad = (line: string) => () => sftRow(tok, 0, 'f.jsonl', 7, line);
    assert.throws(bad('{"messages": [{"role": "user", "content": 42}]}'), /f\.jsonl:7: field 'messages\[0\]\.content' must be a string, found 42/);
    assert.throws(bad('{"messages": [{"role": "user", "content": "x"}]}'), /f\.jsonl:7: field 'messages' has no assistant turn/);
    assert.throws(bad('{"prompt": "x"}'), /f\.jsonl:7: field 'completion' must be a string/);
    assert.throws(bad('{"text": "x"}'), /f\.jsonl:7: expected field 'messages' or fields 'prompt' and 'completion', found keys \[text\]/);
    assert.throws(bad('{"messages": '), /f\.jsonl:7: not valid JSON/);
  });

  test('batches are seeded shuffles without replacement within an epoch', () => {
    const order = batchOrder(5, 2, 5, 3);
    assert.deepEqual(order, batchOrder(5, 2, 5, 3));
    assert.notDeepEqual(order, batchOrder(5, 2, 5, 4));
    assert.deepEqual(order.flat().slice(0, 5).sort(), [0, 1, 2, 3, 4]);
    assert.deepEqual(batchOrder(1, 4, 2, 0), [[0], [0]]);
  });
});

test('mars2 sft lowers the loss on its data, and its checkpoint loads in the engine with the trainer\'s log-probs', async () => {
  const model = join(FIXTURES, 'qwen2');
  const tmp = mkdtempSync(join(tmpdir(), 'mars2-sft-'));
  try {
    const data = join(tmp, 'd.jsonl');
    writeFileSync(data, `${CHAT.map((c) => JSON.stringify(c)).join('\n')}\n`);
    const out = join(tmp, 'out');
    const lines: string[] = [];
    const log = console.log;
    console.log = (s: string) => lines.push(s);
    let code: number;
    try {
      code = await sftCommand.run(['--model', model, '--data', data, '--out', out, '--steps', '6', '--lr', '1e-2', '--batch-size', '2', '--micro-batch', '1', '--threads', '1', '--json']);
    } finally {
      console.log = log;
    }
    assert.equal(code, 0);
    const steps = lines.slice(0, -1).map((l) => JSON.parse(l) as { step: number; loss: number });
    assert.deepEqual(steps.map((s) => s.step), [1, 2, 3, 4, 5, 6]);
    const tok = ModelTokenizer.load(model);
    const { rows } = readSftData(data, tok, readModelConfig(model), 1024);
    const lossOf = async (t: Trainer) => sftLoss((await t.logProbs(rows)).flatMap((r) => Array.from(r)), rows.flatMap((r) => r.lossMask.slice(1))).loss;
    const [before, after] = [await Trainer.load(model, { threads: 1 }), await Trainer.load(out, { threads: 1 })];
    const [l0, l1] = [await lossOf(before), await lossOf(after)];
    assert.ok(l1 < 0.5 * l0, `loss on the data ${l0} → ${l1}: expected at least halved`);
    const engine = createEngine({ threads: 1 });
    try {
      const r = await engine.generate({ model: out, messages: [{ role: 'user', content: 'hello there' }], sampling: { greedy: true }, maxNewTokens: 8 });
      assert.ok(r.tokenIds.length > 0);
      const ids = [...r.promptTokenIds, ...r.tokenIds];
      const lp = (await after.logProbs([{ ids, lossMask: ids.map(() => 0) }]))[0]!.subarray(r.promptTokenIds.length - 1);
      r.rawLogprobs.forEach((x, i) => assert.ok(Math.abs(x - lp[i]!) <= 1e-5, `token ${i}: engine log-prob ${x} vs trainer ${lp[i]}`));
    } finally {
      await engine.close();
    }
    await Promise.all([before.release(), after.release()]);
    await assert.rejects(sftCommand.run(['--model', model, '--data', data, '--out', out]), (e: Error) => e instanceof UserError && /already exists/.test(e.message));
    writeFileSync(data, '{"prompt": "x", "completion": 3}\n');
    await assert.rejects(sftCommand.run(['--model', model, '--data', data, '--out', join(tmp, 'o2')]), (e: Error) => e instanceof UserError && /d\.jsonl:1: field 'completion' must be a string/.test(e.message));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('mars2 sft --save-at writes the checkpoint of that step; --warmup-steps and --min-lr shape the rate; bad values are usage errors', async () => {
  const model = join(FIXTURES, 'qwen2');
  const tmp = mkdtempSync(join(tmpdir(), 'mars2-sft-'));
  const quiet = async (args: string[]) => {
    const lines: string[] = [];
    const log = console.log;
    console.log = (s: string) => lines.push(s);
    try {
      assert.equal(await sftCommand.run([...args, '--model', model, '--lr', '1e-2', '--batch-size', '2', '--threads', '1', '--json']), 0);
    } finally {
      console.log = log;
    }
    return lines.filter((l) => l.startsWith('{"loss"')).map((l) => JSON.parse(l) as { step: number; lr: number });
  };
  try {
    const data = join(tmp, 'd.jsonl');
    writeFileSync(data, `${CHAT.map((c) => JSON.stringify(c)).join('\n')}\n`);
    const long = await quiet(['--data', data, '--out', join(tmp, 'a'), '--steps', '4', '--min-lr', '1e-2', '--warmup-steps', '2', '--save-at', '3']);
    assert.deepEqual(long.map((s) => s.lr), [0, 5e-3, 1e-2, 1e-2], 'linear warm-up over 2 steps, then constant (--min-lr = --lr)');
    await quiet(['--data', data, '--out', join(tmp, 'b'), '--steps', '3', '--min-lr', '1e-2', '--warmup-steps', '2']);
    // The step-3 checkpoint of the 4-step run is the 3-step run: same batches, same rates.
    const tok = ModelTokenizer.load(model);
    const { rows } = readSftData(data, tok, readModelConfig(model), 1024);
    const [mid, short] = [await Trainer.load(join(tmp, 'a-step3'), { threads: 1 }), await Trainer.load(join(tmp, 'b'), { threads: 1 })];
    const [lm, ls] = [await mid.logProbs(rows), await short.logProbs(rows)];
    lm.forEach((r, i) => r.forEach((x, t) => assert.ok(Math.abs(x - ls[i]![t]!) <= 1e-5, `row ${i} token ${t}: ${x} vs ${ls[i]![t]}`)));
    await Promise.all([mid.release(), short.release()]);
    for (const [flag, value, msg] of [['--save-at', '4', /--save-at expects steps from 1 to/], ['--warmup-steps', '4', /--warmup-steps expects/], ['--min-lr', '1', /--min-lr expects/]] as const) {
      await assert.rejects(sftCommand.run(['--model', model, '--data', data, '--out', join(tmp, 'c'), '--steps', '4', '--lr', '1e-2', flag, value]), (e: Error) => msg.test(e.message));
    }
    mkdirSync(join(tmp, 'z-step3'));
    await assert.rejects(sftCommand.run(['--model', model, '--data', data, '--out', join(tmp, 'z'), '--steps', '4', '--save-at', '3']), /z-step3 already exists/);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
