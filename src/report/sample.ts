// Synthetic metrics records, shaped like a two-agent MARS² run that slowly improves, for looking at
// the report before a real run exists (scripts/sample-report.ts) and for the report tests. Seeded.
import { hackFigures } from '../rl/metrics';
import { Rng } from '../search/rng';
import type { IterationMetrics, TreeShape } from './metrics';

export interface SampleOptions {
  iterations?: number;
  agents?: readonly string[];
  problemsPerIteration?: number;
  budget?: number;
  evalEvery?: number;
  seed?: number;
}

export function sampleMetrics(options: SampleOptions = {}): IterationMetrics[] {
  const { iterations = 24, agents = ['qwen3-8b', 'areal-8b'], problemsPerIteration = 12, budget = 8, evalEvery = 4, seed = 1 } = options;
  const rng = Rng.seeded('sample-report', seed);
  const skill = agents.map((_, a) => 0.18 + 0.05 * a);
  const steps = agents.map(() => 0);
  const buffered = agents.map(() => 0);
  const threshold = Math.max(problemsPerIteration, 16);
  const records: IterationMetrics[] = [evalRecord(-1, agents, skill, rng)];
  for (let it = 0; it < iterations; it++) {
    const trees: TreeShape[] = [];
    for (let p = 0; p < problemsPerIteration; p++) trees.push(sampleTree(`cc/${1500 + it * problemsPerIteration + p}_${'ABCD'[p % 4]}`, agents, skill, budget, rng));
    const all = trees.flatMap((t) => t.scores);
    const record: IterationMetrics = {
      v: 1,
      iteration: it,
      problems: trees.length,
      nodes: all.length,
      reward: {
        tests: 'all',
        meanScore: avg(all),
        solvedFraction: trees.filter((t) => t.scores.some((s) => s >= 1)).length / trees.length,
        hack: sampleHack(all.length, avg(all) ?? 0),
      },
      agents: {},
      trees,
      eval: null,
      timing: { wallMs: 0, generatedTokens: 0, trainMs: 0, trainedTokens: 0 },
    };
    let tokens = 0;
    let trainedTokens = 0;
    agents.forEach((name, a) => {
      const scores = trees.flatMap((t) => t.scores.filter((_, i) => t.agents[i] === name));
      const responseTokens = scores.reduce((s) => s + 300 + Math.floor(rng.uniform() * 900), 0);
      tokens += responseTokens;
      buffered[a] += scores.length;
      let update: IterationMetrics['agents'][string]['update'] = null;
      if (buffered[a] >= threshold) {
        const samples = Math.floor(buffered[a] / threshold) * threshold;
        steps[a] += 1;
        buffered[a] = 0;
        trainedTokens += samples * 700;
        skill[a] = Math.min(0.75, skill[a] + 0.012 + 0.01 * rng.uniform());
        update = {
          step: steps[a],
          samples,
          dropped: Math.floor(rng.uniform() * 3),
          loss: 0.08 * Math.exp(-steps[a] / 10) + 0.03 * (rng.uniform() - 0.5),
          kl: 0.0004 * steps[a] * (0.8 + 0.4 * rng.uniform()),
          clipFraction: 0.02 + 0.04 * rng.uniform(),
          gradNorm: 0.6 + 0.5 * rng.uniform(),
          lr: 1e-6 * Math.min(1, steps[a] / 2),
        };
      }
      record.agents[name] = { nodes: scores.length, meanScore: avg(scores), responseTokens, policyVersion: steps[a] - (update ? 1 : 0), update };
    });
    const wallMs = 40_000 + Math.floor(rng.uniform() * 15_000);
    record.timing = { wallMs, generatedTokens: tokens, trainMs: trainedTokens > 0 ? Math.floor(trainedTokens / 2.4) : 0, trainedTokens };
    if ((it + 1) % evalEvery === 0) record.eval = evalRecord(it, agents, skill, rng).eval;
    records.push(record);
  }
  return records;
}

/** Hack figures that fall as the skill rises (no draws, so the other figures stay as they were). */
function sampleHack(checked: number, skill: number) {
  return hackFigures([{ checked, hacked: Math.round(checked * 0.25 * (1 - skill)) }]);
}

function avg(xs: number[]): number | null {
  return xs.length === 0 ? null : xs.reduce((s, x) => s + x, 0) / xs.length;
}

/** A tree grown like AB-MCTS: widen at the root early, refine (deeper) more often later. */
function sampleTree(problemId: string, agents: readonly string[], skill: number[], budget: number, rng: Rng): TreeShape {
  const tree: TreeShape = { problemId, parents: [], agents: [], scores: [] };
  for (let i = 0; i < budget; i++) {
    const deeper = i > 0 && rng.uniform() < 0.55;
    const parent = deeper ? Math.floor(rng.uniform() * i) : -1;
    const a = Math.floor(rng.uniform() * agents.length);
    const bonus = parent >= 0 && tree.scores[parent] < 1 ? 0.08 : 0;
    tree.parents.push(parent);
    tree.agents.push(agents[a]);
    tree.scores.push(rng.uniform() < skill[a] + bonus ? 1 : 0);
  }
  return tree;
}

function evalRecord(iteration: number, agents: readonly string[], skill: number[], rng: Rng): IterationMetrics {
  const summary = (p: number) => {
    const pass1 = Math.min(1, Math.max(0, p + 0.04 * (rng.uniform() - 0.5)));
    return { trees: 64, pass1, pass1Mcts: Math.min(1, pass1 + 0.04), passN: Math.min(1, pass1 + 0.15), avgPass1: Math.min(1, pass1 + 0.02), hack: sampleHack(64, pass1) };
  };
  const best = Math.max(...skill);
  return {
    v: 1,
    iteration,
    problems: 0,
    nodes: 0,
    reward: { tests: 'all', meanScore: null, solvedFraction: null, hack: hackFigures([]) },
    agents: {},
    trees: [],
    eval: {
      agent: Object.fromEntries(agents.map((a, i) => [a, summary(skill[i] + 0.1)])),
      system: { system: summary(best + 0.14), agents: Object.fromEntries(agents.map((a, i) => [a, summary(skill[i] + 0.12)])) },
    },
    timing: { wallMs: 0, generatedTokens: 0, trainMs: 0, trainedTokens: 0 },
  };
}
