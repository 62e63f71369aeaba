// The synthetic domain's expected values (TypeScript semantics, src/data/synthetic) agree with Python:
// every reference of 200 generated problems — 50 per split, every family — plus, for each primitive the
// families have, a problem that uses it, passes all its tests in the real sandbox, read back through the
// native loader from the file `mars2 data synth` writes. And a program that is not the reference fails.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadProblems, loadReferenceSolutions, type Problem } from '../../src/data';
import { SPLITS, synthesize, type SynthProblem } from '../../src/data/synthetic';
import { Sandbox } from '../../src/sandbox';

/** 50 problems per split, then problems that bring in the primitives those lack (by family and part). */
function sample(): SynthProblem[] {
  const chosen = SPLITS.flatMap((split) => synthesize({ seed: 7, count: 50, split }));
  const covered = new Set(chosen.flatMap((p) => p.parts.map((id) => `${p.family}:${id}`)));
  for (const split of SPLITS)
    for (const p of synthesize({ seed: 8, count: 2000, split })) {
      const fresh = p.parts.map((id) => `${p.family}:${id}`).filter((k) => !covered.has(k));
      if (fresh.length === 0) continue;
      fresh.forEach((k) => covered.add(k));
      chosen.push(p);
    }
  return chosen;
}

describe('synthetic references in the sandbox', () => {
  let sandbox: Sandbox;
  const width = Math.max(2, cpus().length);
  before(async () => {
    sandbox = await Sandbox.start({ size: width });
  });
  after(async () => {
    await sandbox.close();
  });

  test('every reference passes all its tests (public and private); another problem’s reference does not', async () => {
    const chosen = sample();
    assert.ok(chosen.length >= 200, `${chosen.length} problems`);
    assert.deepEqual(new Set(chosen.map((p) => p.family)), new Set(['list', 'str', 'loop', 'fold']));
    const file = join(mkdtempSync(join(tmpdir(), 'mars2-synth-')), 'synth.jsonl');
    writeFileSync(file, chosen.map((p) => JSON.stringify({ ...p.problem, reference: p.reference })).join('\n') + '\n');
    const problems = new Map<string, Problem>((await loadProblems(file)).map((p) => [p.id, p]));
    const refs = await loadReferenceSolutions(file);
    assert.equal(refs.length, chosen.length);

    let next = 0;
    const failed: string[] = [];
    await Promise.all(
      Array.from({ length: width }, async () => {
        while (next < refs.length) {
          const r = refs[next++];
          const problem = problems.get(r.problemId)!;
          const rep = await sandbox.runTests(problem, r.code, { tests: 'all' });
          if (rep.verdict !== 'AC') {
            const t = rep.tests.find((x) => x.verdict !== 'AC');
            failed.push(`${r.problemId}: ${rep.verdict} ${t?.detail} input ${t?.input} expected ${t?.expected} actual ${t?.actual}\n${r.code}`);
          }
        }
      }),
    );
    assert.deepEqual(failed, [], `${failed.length} of ${refs.length} references failed`);

    // Broken on purpose: the next problem's reference (a different spec) on a problem's tests.
    const [a, b] = [refs[0], refs.find((r) => r.code !== refs[0].code && problems.get(r.problemId)!.id.split('/')[2] === problems.get(refs[0].problemId)!.id.split('/')[2])!];
    const other = await sandbox.runTests(problems.get(a.problemId)!, b.code, { tests: 'all' });
    assert.notEqual(other.verdict, 'AC', `${b.problemId}'s reference must not pass ${a.problemId}`);
  });
});
