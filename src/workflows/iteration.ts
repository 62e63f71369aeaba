// A training iteration's metrics line (src/report/metrics IterationMetrics) from its trees and its
// weight groups' updates, and the line of the evaluation before training (iteration −1). Pure.
import type { AgentIterationMetrics, EvalMetrics, IterationMetrics, NodeSummary, RewardTests, RlStepMetrics } from '../contracts';
import type { AgentUpdate } from '../rl/buffers';
import { hackCounts, hackFigures } from '../rl/metrics';

/** One weight group's trainStep of the iteration: the buffer's update and what the trainer measured. */
export interface GroupUpdate {
  update: AgentUpdate;
  metrics: RlStepMetrics;
}

export interface IterationFacts {
  iteration: number;
  rewardTests: RewardTests;
  problemIds: string[];
  trees: NodeSummary[][];
  /** Every agent of the run: its weight group (owner) and the policy version that generated its nodes. */
  agents: { name: string; owner: string; policyVersion: number }[];
  /** This iteration's updates by weight group (owner). */
  updates: ReadonlyMap<string, GroupUpdate>;
  eval: EvalMetrics | null;
  wallMs: number;
  trainMs: number;
}

const mean = (xs: number[]) => (xs.length === 0 ? null : xs.reduce((s, x) => s + x, 0) / xs.length);
const ms = (x: number) => Math.max(0, Math.round(x));

export function iterationRecord(f: IterationFacts): IterationMetrics {
  const nodes = f.trees.flat();
  const agents: Record<string, AgentIterationMetrics> = {};
  for (const a of f.agents) {
    const own = nodes.filter((n) => n.agent === a.name);
    const u = f.updates.get(a.owner);
    agents[a.name] = {
      nodes: own.length,
      meanScore: mean(own.map((n) => n.score)),
      responseTokens: own.reduce((s, n) => s + n.responseTokens, 0),
      policyVersion: a.policyVersion,
      update: u
        ? {
            step: u.update.step,
            samples: u.update.samples.length,
            dropped: u.update.dropped,
            loss: u.metrics.loss,
            kl: u.metrics.klLoss,
            clipFraction: u.metrics.clipFraction,
            gradNorm: u.metrics.gradNorm,
            lr: u.metrics.lr,
          }
        : null,
    };
  }
  return {
    v: 1,
    iteration: f.iteration,
    problems: f.trees.length,
    nodes: nodes.length,
    reward: {
      tests: f.rewardTests,
      meanScore: mean(nodes.map((n) => n.score)),
      solvedFraction: mean(f.trees.map((t) => (t.some((n) => n.score === 1) ? 1 : 0))),
      hack: hackFigures(f.trees.map(hackCounts)),
    },
    agents,
    trees: f.trees.map((t, k) => ({
      problemId: f.problemIds[k],
      parents: t.map((n) => n.parentId ?? -1),
      agents: t.map((n) => n.agent),
      scores: t.map((n) => n.score),
    })),
    eval: f.eval,
    timing: {
      wallMs: ms(f.wallMs),
      generatedTokens: nodes.reduce((s, n) => s + n.responseTokens, 0),
      trainMs: ms(f.trainMs),
      trainedTokens: Math.round([...f.updates.values()].reduce((s, u) => s + u.metrics.tokens, 0)),
    },
  };
}

/** The base models' point on the curves, before the first iteration (a line of iteration −1). */
export function baselineRecord(rewardTests: RewardTests, evalMetrics: EvalMetrics, wallMs: number): IterationMetrics {
  return {
    v: 1,
    iteration: -1,
    problems: 0,
    nodes: 0,
    reward: { tests: rewardTests, meanScore: null, solvedFraction: null, hack: hackFigures([]) },
    agents: {},
    trees: [],
    eval: evalMetrics,
    timing: { wallMs: ms(wallMs), generatedTokens: 0, trainMs: 0, trainedTokens: 0 },
  };
}
