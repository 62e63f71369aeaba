// Every reference solution that a dataset's SOURCE.md lists as passing passes in the sandbox (MBPP 974
// and sanitized 427, LeetCode 228, the 261 Codeforces problems with ref_check.all_pass) — assert-style
// ones through the trusted evaluator, all tests (public and private) — except exactly the problems
// src/data/unjudgeable.ts lists with the reason (mbpp/126), and broken
// variants of each style fail: a program that exits 0 before doing anything (the nonce and output
// checks must not be fooled), and another problem's reference.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { cpus } from 'node:os';
import { loadProblems, loadReferenceSolutions, type Problem } from '../../src/data';
import { Sandbox } from '../../src/sandbox';
import { SHARED_DATA } from '../helpers/data';
import { UNJUDGEABLE } from '../../src/data/unjudgeable';

const DATASETS = [
  { name: 'MBPP', path: 'mbpp/mbpp.jsonl', expected: 974, style: 'assert' },
  { name: 'MBPP sanitized', path: 'mbpp/sanitized-mbpp.json', expected: 427, style: 'assert' },
  { name: 'LeetCode', path: 'leetcodedataset_v0.3.1_test/LeetCodeDataset-v0.3.1-test.jsonl.gz', expected: 228, style: 'assert' },
  { name: 'Codeforces', path: 'codecontests_subset300/codecontests_subset300.jsonl', expected: 261, style: 'stdio' },
] as const;

/** Runs `jobs` at a time; returns the results in input order. */
async function pool<T, R>(items: T[], width: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]);
      }
    }),
  );
  return out;
}

describe('reference solutions in the sandbox', () => {
  let sandbox: Sandbox;
  const width = Math.max(2, cpus().length);

  before(async () => {
    sandbox = await Sandbox.start({ size: width });
  });
  after(async () => {
    await sandbox.close();
  });

  for (const ds of DATASETS) {
    test(`${ds.name}: all ${ds.expected} passing references pass, broken variants fail`, async () => {
      const file = join(SHARED_DATA, ds.path);
      const problems = new Map<string, Problem>((await loadProblems(file)).map((p) => [p.id, p]));
      const refs = (await loadReferenceSolutions(file)).filter((r) => r.expectedToPass);
      assert.equal(refs.length, ds.expected);

      const reports = await pool(refs, width, (r) =>
        sandbox.runTests(problems.get(r.problemId)!, r.code, { tests: 'all', stopOnFirstFailure: true }),
      );
      const failed = reports
        .map((rep, i) => ({ id: refs[i].problemId, verdict: rep.verdict, first: rep.tests.find((t) => t.verdict !== 'AC') }))
        .filter((r) => r.verdict !== 'AC');
      // Exactly the problems listed as unjudgeable (with their reason) fail the trusted path.
      assert.deepEqual(
        failed.filter((f) => !UNJUDGEABLE.has(f.id)).map((f) => `${f.id}: ${f.verdict} ${f.first?.detail} ${(f.first?.stderr ?? '').slice(-300)}`),
        [],
        `${failed.length} of ${refs.length} references did not pass`,
      );
      const listed = refs.filter((r) => UNJUDGEABLE.has(r.problemId)).map((r) => r.problemId);
      assert.deepEqual(failed.map((f) => f.id).filter((id) => UNJUDGEABLE.has(id)), listed, 'a problem listed as unjudgeable passes now: unlist it');
      const problem = problems.get(refs[0].problemId)!;
      assert.equal(problem.style, ds.style);

      // Broken on purpose: exits 0 at once, before any output or assert.
      const quits = await sandbox.runTests(problem, `import os\nos._exit(0)\n${refs[0].code}`, { tests: 'all' });
      assert.notEqual(quits.verdict, 'AC', `${problem.id}: a program that exits at once must not pass`);
      // Broken on purpose: another problem's reference.
      const other = await sandbox.runTests(problem, refs[1].code, { tests: 'all' });
      assert.notEqual(other.verdict, 'AC', `${problem.id}: ${refs[1].problemId}'s reference must not pass`);
    });
  }
});
