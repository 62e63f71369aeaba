// Statistical agreement with TreeQuest 0.3.3 for the variants the exact traces do not cover (ucb,
// stack, reward-average priors, non-default priors, fractional scores, 3 agents): per-tree
// statistics of mars2's trees against those of TreeQuest's own trees on the same synthetic
// environment (fixtures/treequest-sim-stats.json, from scripts/golden/treequest_sim.py). Each mean
// must agree within 5 combined standard errors.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { passThreshold, simulate, type SimConfig } from '../../src/search/sim';
import type { TreeArrays } from '../../src/search/tree';

interface Fixture {
  steps: number;
  configs: Record<string, { config: Omit<SimConfig, 'seed' | 'steps' | 'trials'>; trials: number; stats: Record<string, { mean: number; sd: number }> }>;
}

const fixture: Fixture = JSON.parse(readFileSync(path.join(__dirname, 'fixtures', 'treequest-sim-stats.json'), 'utf8'));
const TRIALS = 2000;

/** The per-tree quantities treequest_sim.py computes. */
function metrics(c: SimConfig, t: TreeArrays): Record<string, number> {
  const n = t.parent.length;
  const depth: number[] = [];
  t.parent.forEach((p, i) => (depth[i] = p === -1 ? 1 : depth[p] + 1));
  const best = Math.max(...t.score);
  const out: Record<string, number> = {
    solved: best >= passThreshold(c) ? 1 : 0,
    best,
    mean_score: t.score.reduce((s, x) => s + x, 0) / n,
    refinements: t.parent.filter((p) => p !== -1).length / n,
    max_depth: Math.max(...depth),
    root_children: t.parent.filter((p) => p === -1).length,
  };
  c.agents.forEach((a, i) => (out[`share_${a.name}`] = t.agent.filter((x) => x === i).length / n));
  return out;
}

describe('tree statistics agree with TreeQuest 0.3.3', () => {
  for (const [name, entry] of Object.entries(fixture.configs)) {
    test(name, () => {
      const c = { ...entry.config, seed: 77, steps: fixture.steps, trials: TRIALS } as SimConfig;
      const rows = [...simulate(c)].map((t) => metrics(c, t));
      const failures: string[] = [];
      for (const [key, ref] of Object.entries(entry.stats)) {
        const xs = rows.map((r) => r[key]);
        const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
        const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1));
        const se = Math.sqrt(ref.sd ** 2 / entry.trials + sd ** 2 / xs.length);
        const z = se === 0 ? (mean === ref.mean ? 0 : Infinity) : (mean - ref.mean) / se;
        if (Math.abs(z) > 5) failures.push(`${key}: mars2 ${mean.toFixed(4)}, TreeQuest ${ref.mean.toFixed(4)} (z = ${z.toFixed(1)})`);
      }
      assert.deepEqual(failures, [], 'regenerate the fixture with scripts/golden/treequest_sim.py if TreeQuest changed');
    });
  }
});
