// scripts/ladder.ts, the steps of scripts/ladder that need code (docs/results.md):
//   - config writes one seed's run config: runId <id>-s<seed>, the seed, every path absolute;
//   - summarize gives per set-up and agent the mean over seeds of Pass@1 before/after and of the change,
//     with the 95% t-interval, each seed's figures, each run's compute, and the two plots.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { formatMetricsLine } from '../../src/report';
import { beforeAfter } from '../../src/report/beforeAfter';
import { sampleMetrics } from '../../src/report/sample';

const ROOT = join(__dirname, '..', '..');
const run = (args: string[]) => promisify(execFile)(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'ladder.ts'), ...args], { cwd: ROOT });

test('ladder config: the seed, the seeded run id and absolute paths', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'mars2-ladder-'));
  try {
    await run(['config', join(ROOT, 'experiments', 'ladder', 'heterogeneous.json'), '2', join(tmp, 'c.json')]);
    const c = JSON.parse(readFileSync(join(tmp, 'c.json'), 'utf8'));
    assert.equal(c.runId, 'ladder-het-s2');
    assert.equal(c.seed, 2);
    assert.equal(c.datasets.train.path, join(ROOT, '.mars2', 'domain', 'train.jsonl'));
    assert.deepEqual(c.agents.map((a: { model: string }) => a.model), [join(ROOT, 'models', 'llama'), join(ROOT, 'models', 'qwen3')]);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('ladder summarize: mean over seeds with the t-interval, per-seed figures, compute and the plots', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'mars2-ladder-'));
  try {
    const runs = [1, 2, 3].map((seed) => {
      const records = sampleMetrics({ iterations: 4, problemsPerIteration: 3, budget: 4, evalEvery: 2, agents: ['a', 'b'], seed });
      mkdirSync(join(tmp, `r${seed}`));
      writeFileSync(join(tmp, `r${seed}`, 'metrics.jsonl'), records.map(formatMetricsLine).join(''));
      return beforeAfter(records)!;
    });
    const { stdout } = await run(['summarize', tmp, 'het=r1,r2,r3', 'one=r1', '--svg', tmp]);
    const changes = runs.map((t) => t.rows.find((r) => r.who === 'agent a')!.change);
    const mean = changes.reduce((x, y) => x + y, 0) / 3;
    const sd = Math.sqrt(changes.reduce((x, c) => x + (c - mean) ** 2, 0) / 2);
    const row = stdout.split('\n').find((l) => l.startsWith('| het | a |'))!;
    assert.ok(row, stdout);
    const cells = row.split('|').map((c) => c.trim());
    assert.equal(cells[3], '3');
    assert.equal(cells[7], `${mean >= 0 ? '+' : ''}${mean.toFixed(3)} ± ${(4.303 * sd / Math.sqrt(3)).toFixed(3)}`);
    assert.equal(cells[8], runs.map((t) => { const r = t.rows.find((x) => x.who === 'agent a')!; return `${r.before.toFixed(3)} → ${r.after.toFixed(3)}`; }).join('; '));
    assert.match(stdout, /^\| one \| a \| 1 \| .*\]ᵃ \|/m, 'one seed: the run\'s own interval, marked');
    assert.match(stdout, /^\| r2 \| 4 \| [\d,]+ \| [\d,]+ \| [\d.]+ \|$/m);
    for (const f of ['ladder-reward.svg', 'ladder-pass1.svg']) assert.match(readFileSync(join(tmp, f), 'utf8'), /^<svg[\s\S]*r3[\s\S]*<\/svg>\s*$/);
    await assert.rejects(run(['summarize', tmp, 'x=missing']), /missing\/metrics\.jsonl/);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
