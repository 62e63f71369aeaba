// scripts/base-models.ts, the steps of scripts/base-models the CLI has no command for (docs/base-models.md):
//   - sft-data writes one root row per train problem (mars2's root prompt → the reference, fenced) and
//     repair rows whose prompt is the T+ refinement prompt of a near-miss that really fails its public
//     test in the sandbox, with that failure's feedback, and whose answer is the reference;
//   - it refuses a train file that the given seed does not synthesize, naming the line;
//   - eval writes Pass@1 per split for a model (here a fixture model, whose answers are noise: 0).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { synthesize } from '../../src/data/synthetic';
import { rootPrompt } from '../../src/search/prompts';

const ROOT = join(__dirname, '..', '..');
const run = (args: string[]) => promisify(execFile)(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'base-models.ts'), ...args], { cwd: ROOT });

test('base-models sft-data: root rows for every problem, repair rows from real failing runs; eval writes Pass@1 per split', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'mars2-bm-'));
  try {
    const synth = synthesize({ seed: 3, count: 12, split: 'train' });
    const train = join(tmp, 'train.jsonl');
    writeFileSync(train, synth.map((p) => JSON.stringify({ ...p.problem, reference: p.reference })).join('\n') + '\n');
    const { stdout } = await run(['sft-data', '--train', train, '--seed', '3', '--out', join(tmp, 'sft.jsonl'), '--repair', '0.5']);
    assert.match(stdout, /12 root rows, \d+ repair rows/);
    const rows = readFileSync(join(tmp, 'sft.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { messages: { role: string; content: string }[] });
    const roots = rows.slice(0, 12);
    roots.forEach((r, i) => {
      assert.equal(r.messages[0]!.content, rootPrompt(synth[i]!.problem.prompt));
      assert.equal(r.messages[1]!.content, `\`\`\`python\n${synth[i]!.reference.trimEnd()}\n\`\`\``);
    });
    const repairs = rows.slice(12);
    assert.ok(repairs.length >= 6, `about half the problems get a repair row; got ${repairs.length} of 12`);
    for (const r of repairs) {
      const user = r.messages[0]!.content;
      const p = synth.find((s) => user.startsWith(rootPrompt(s.problem.prompt)));
      assert.ok(p, 'a repair prompt starts with its problem');
      assert.match(user, /## Your previous attempt\n\n```python\n[\s\S]+\n```\n\n## Test results\n\nYour program passed \d+ of \d+ public tests\.\n\n### Failing test 1: [A-Z]+ /);
      const attempt = /## Your previous attempt\n\n```python\n([\s\S]+?)\n```/.exec(user)![1];
      assert.notEqual(attempt, p.reference.trimEnd(), 'the near-miss is not the reference');
      assert.equal(r.messages[1]!.content, `\`\`\`python\n${p.reference.trimEnd()}\n\`\`\``);
    }
    await assert.rejects(run(['sft-data', '--train', train, '--seed', '4', '--out', join(tmp, 'x.jsonl')]), /train\.jsonl:1: id synth\/train\/.* but seed 4 synthesizes/);

    await run(['eval', '--model', join(ROOT, 'test', 'fixtures', 'models', 'llama'), '--out', join(tmp, 'eval.json'), '--problems', '3', '--threads', '1', '--max-new-tokens', '8', `a=${train}`]);
    const res = JSON.parse(readFileSync(join(tmp, 'eval.json'), 'utf8')) as { tests: string; splits: Record<string, { problems: number; greedy: number; t1: number }> };
    assert.equal(res.tests, 'private');
    assert.deepEqual(Object.keys(res.splits), ['a']);
    assert.equal(res.splits.a!.problems, 3);
    assert.ok(res.splits.a!.greedy >= 0 && res.splits.a!.greedy <= 1 && res.splits.a!.t1 >= 0 && res.splits.a!.t1 <= 1);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
