// The synthetic code domain (src/data/synthetic): determinism, size, the problem form, splits disjoint from
// train by construction (parts, pairs, depths, paraphrase templates), every part of a program mattering,
// Python's value semantics, and `mars2 data synth`. test/sandbox/synthetic.test.ts runs the references.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadDataset, problemSchema } from '../../src/data';
import { FAMILIES, PRIVATE_TESTS, RULES, SPLITS, distinctKey, heldOutPairs, synthesize, type SynthProblem } from '../../src/data/synthetic';
import { div, mod, repr, sorted } from '../../src/data/synthetic/python';
import { mars2 } from '../helpers/cli';

const dir = mkdtempSync(join(tmpdir(), 'mars2-synth-'));
const family = (name: string) => FAMILIES.find((f) => f.name === name)!;
const pairsOf = (p: SynthProblem) => {
  const out: string[] = [];
  for (let i = 0; i < p.parts.length; i++) for (let j = i + 1; j < p.parts.length; j++) out.push(`${p.family}:${[p.parts[i], p.parts[j]].sort().join('+')}`);
  return out;
};

const train = synthesize({ seed: 0, count: 10_000, split: 'train' });
const held = Object.fromEntries(SPLITS.filter((s) => s !== 'train').map((s) => [s, synthesize({ seed: 1, count: 1000, split: s })])) as Record<string, SynthProblem[]>;

describe('synthetic domain: size, form and determinism', () => {
  test('10,000 train problems, distinct by (statement, tests), with distinct ids, every family and train depth', () => {
    assert.equal(train.length, 10_000);
    assert.equal(new Set(train.map((p) => distinctKey(p.problem))).size, 10_000);
    assert.equal(new Set(train.map((p) => p.problem.id)).size, 10_000);
    for (const f of FAMILIES) for (const d of [1, 2, 3]) assert.ok(train.some((p) => p.family === f.name && p.parts.length === d), `${f.name} at depth ${d}`);
  });

  test('each problem is a valid native call-style problem: f, 1–2 public tests shown as examples, 8 private', () => {
    for (const p of [...train.slice(0, 500), ...Object.values(held).flat()]) {
      const parsed = problemSchema.parse(p.problem);
      assert.equal(parsed.style, 'call');
      assert.equal(parsed.fn_name, 'f');
      assert.ok(parsed.public_tests.length === 1 || parsed.public_tests.length === 2, p.problem.id);
      assert.equal(parsed.private_tests.length, PRIVATE_TESTS);
      const inputs = [...parsed.public_tests, ...parsed.private_tests].map((t) => t.input);
      assert.equal(new Set(inputs).size, inputs.length, `${p.problem.id}: distinct inputs`);
      for (const t of parsed.public_tests) assert.ok(parsed.prompt.includes(`f(${repr(JSON.parse(t.input))}) == ${repr(JSON.parse(t.output))}`), `${p.problem.id} shows its example`);
      for (const t of parsed.private_tests) assert.ok(!parsed.prompt.includes(`f(${repr(JSON.parse(t.input))})`), `${p.problem.id} hides its private tests`);
      assert.match(p.reference, /^def f\((xs|s|n)\):\n/);
    }
  });

  test('the same seed gives the same problems; another seed others; a smaller count a prefix', () => {
    const a = synthesize({ seed: 5, count: 300, split: 'heldout-depth' });
    assert.deepEqual(synthesize({ seed: 5, count: 300, split: 'heldout-depth' }), a);
    assert.deepEqual(synthesize({ seed: 5, count: 40, split: 'heldout-depth' }), a.slice(0, 40));
    const b = new Set(synthesize({ seed: 6, count: 300, split: 'heldout-depth' }).map((p) => distinctKey(p.problem)));
    assert.ok(a.filter((p) => b.has(distinctKey(p.problem))).length < 10);
  });

  test('every part of a program matters: removing any one changes the answer to some test', () => {
    for (const p of [...train.slice(0, 2000), ...held['heldout-depth']]) {
      const f = family(p.family);
      const tests = [...p.problem.public_tests, ...p.problem.private_tests];
      // One ablation per part, but for a fold's condition while an `else` needs it.
      const elseNeedsCond = p.parts.some((id) => id.startsWith('else.'));
      assert.equal(f.ablations(p.spec).length, p.parts.length - (elseNeedsCond ? 1 : 0), p.problem.id);
      for (const other of f.ablations(p.spec)) {
        const differs = tests.some((t) => {
          try {
            return JSON.stringify(f.run(other, JSON.parse(t.input))) !== t.output;
          } catch {
            return true;
          }
        });
        assert.ok(differs, `${p.problem.id}: a part of\n${p.reference}does not change any answer`);
      }
    }
  });
});

describe('synthetic domain: held-out splits are disjoint from train by construction', () => {
  const trainPairs = new Set(train.flatMap(pairsOf));
  const trainParts = new Set(train.flatMap((p) => p.parts.map((id) => `${p.family}:${id}`)));

  test('depths: train 1–3; heldout-depth 4–5 only, combo and phrase within train depths', () => {
    assert.deepEqual(new Set(train.map((p) => p.parts.length)), new Set([1, 2, 3]));
    assert.deepEqual(new Set(held['heldout-depth'].map((p) => p.parts.length)), new Set([4, 5]));
    for (const s of ['heldout-combo', 'heldout-phrase']) for (const p of held[s]) assert.ok(p.parts.length <= 3);
    assert.ok(Math.min(...RULES['heldout-depth'].depths) > Math.max(...RULES.train.depths));
  });

  test('combo: each problem has a pair of parts that no train problem has together; train has none', () => {
    for (const p of train) assert.deepEqual(heldOutPairs(p.family, p.parts), [], p.problem.id);
    for (const p of held['heldout-combo']) {
      const unseen = heldOutPairs(p.family, p.parts);
      assert.ok(unseen.length > 0, p.problem.id);
      for (const pair of unseen) assert.ok(!trainPairs.has(`${p.family}:${pair}`), `${p.problem.id}: ${pair} appears in train`);
      for (const id of p.parts) assert.ok(trainParts.has(`${p.family}:${id}`), `${p.problem.id}: part ${id} alone is seen in train`);
    }
  });

  test('depth and phrase: no held-out pair, every part seen in train', () => {
    for (const s of ['heldout-depth', 'heldout-phrase'])
      for (const p of held[s]) {
        assert.deepEqual(heldOutPairs(p.family, p.parts), [], p.problem.id);
        for (const id of p.parts) assert.ok(trainParts.has(`${p.family}:${id}`), `${p.problem.id}: ${id}`);
      }
  });

  test('phrase: held-out templates appear in every heldout-phrase statement and in no other split', () => {
    const regex = (template: string) => new RegExp(template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{\w+\}/g, '.*?'));
    const statement = (p: SynthProblem) => p.problem.prompt.split('\n')[0];
    for (const f of FAMILIES) {
      const heldOut = f.templates.map((say) => say.at(-1)!).filter((t) => t !== '').map(regex);
      const heldFrame = regex(f.templates[0].at(-1)!);
      const others = [...train, ...held['heldout-combo'], ...held['heldout-depth']].filter((p) => p.family === f.name);
      for (const p of others) for (const r of heldOut) assert.doesNotMatch(statement(p), r, p.problem.id);
      const phrase = held['heldout-phrase'].filter((p) => p.family === f.name);
      assert.ok(phrase.length > 0);
      for (const p of phrase) assert.match(statement(p), heldFrame, p.problem.id);
    }
  });

  test('no statement of a held-out split is a train statement', () => {
    const seen = new Set(train.map((p) => p.problem.prompt.split('\n')[0]));
    for (const s of ['heldout-depth', 'heldout-phrase', 'heldout-combo']) for (const p of held[s]) assert.ok(!seen.has(p.problem.prompt.split('\n')[0]), p.problem.id);
  });
});

describe("synthetic domain: Python's value semantics", () => {
  test('% and // floor, as Python does on negatives', () => {
    assert.deepEqual([mod(-7, 3), mod(7, 3), mod(-6, 3), mod(-1, 2), mod(7, -3)], [2, 1, 0, 1, -2]);
    assert.deepEqual([div(-7, 2), div(7, 2), div(-6, 3), div(-1, 3)], [-4, 3, -2, -1]);
  });

  test('sorted() is stable in both directions: reverse=True keeps equal keys in their original order', () => {
    assert.deepEqual(sorted([3, -1, 1, -3, 2], Math.abs), [-1, 1, 2, 3, -3]);
    assert.deepEqual(sorted([3, -1, 1, -3, 2], Math.abs, true), [3, -3, 2, -1, 1]);
  });

  test('repr of lists, strings and booleans', () => {
    assert.equal(repr([1, -2]), '[1, -2]');
    assert.equal(repr('a b'), "'a b'");
    assert.equal(repr(true), 'True');
  });
});

describe('mars2 data synth', () => {
  test('writes a native file the loader reads, with references; byte-identical for the same seed', async () => {
    const [a, b, c] = ['a', 'b', 'c'].map((n) => join(dir, `${n}.jsonl`));
    for (const [out, seed] of [[a, '3'], [b, '3'], [c, '4']]) {
      const r = mars2(['data', 'synth', '--seed', seed, '--count', '30', '--split', 'all', '--out', out], { stack: 'user' });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /wrote 120 problems/);
    }
    assert.equal(readFileSync(a, 'utf8'), readFileSync(b, 'utf8'));
    assert.notEqual(readFileSync(a, 'utf8'), readFileSync(c, 'utf8'));
    const entries = await loadDataset(a);
    assert.equal(entries.length, 120);
    assert.deepEqual(new Set(entries.map((e) => e.problem.id.split('/')[1])), new Set(SPLITS));
    for (const e of entries) {
      assert.equal(e.format, 'native');
      assert.match(e.reference!.code, /^def f/);
      assert.equal((e.problem as Record<string, unknown>).reference, undefined);
    }
  });

  test('bad flags are usage errors (exit 2) that name the flag', () => {
    const out = join(dir, 'x.jsonl');
    for (const [args, message] of [
      [['--out', out], /--seed is required/],
      [['--seed', '1'], /--out F.jsonl is required/],
      [['--seed', 'one', '--out', out], /--seed expects an integer, got 'one'/],
      [['--seed', '1', '--out', out, '--count', '0'], /--count expects a positive integer, got '0'/],
      [['--seed', '1', '--out', out, '--split', 'test'], /--split expects one of train, heldout-combo, heldout-depth, heldout-phrase or all, got 'test'/],
      [['--seed', '1', '--out', out, '--depth', '3'], /Unknown option '--depth'/],
    ] as const) {
      const r = mars2(['data', 'synth', ...args], { stack: 'user' });
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.match(r.stderr, /usage: mars2 data synth/);
    }
  });
});
