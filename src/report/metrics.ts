// The run's metrics file: JSON lines, one IterationMetrics record per training iteration, appended by
// the training workflow (through an activity) to the run's folder in the store, read by `mars2 report`
// and `mars2 status`. Pure: the schema, a serializer and a parser that names the bad line and field.
//
// Everything in a record follows from the run's seed except `timing`, so two runs with the same seed
// (interrupted or not) write the same file once `withoutTiming` is applied (DESIGN §5).
//
//   {"v":1,"iteration":0,"problems":4,"nodes":32,
//    "reward":{"tests":"all","meanScore":0.25,"solvedFraction":0.5,"hack":{"hacked":2,"checked":32,"rate":0.0625}},
//    "agents":{"qwen":{"nodes":17,"meanScore":0.29,"responseTokens":5120,"policyVersion":0,
//                      "update":{"step":1,"samples":16,"dropped":1,"loss":0.12,"kl":0.003,
//                                "clipFraction":0.02,"gradNorm":0.8,"lr":1e-6}}, …},
//    "trees":[{"problemId":"cc/1520_A","parents":[-1,0,0,1],"agents":["qwen",…],"scores":[0,0,1,1]}, …],
//    "eval":null,
//    "timing":{"wallMs":81234,"generatedTokens":40960,"trainMs":20400,"trainedTokens":30000}}
import { z } from 'zod';
import type { HackFigures, MetricsSummary } from '../rl/metrics';
import { configIssues } from '../config/issues';
import { REWARD_TESTS } from '../rl/nodes';

const count = z.number().int().min(0);
const finite = z.number().finite();
const unit = z.number().min(0).max(1);

/**
 * src/rl/metrics HackFigures: nodes that passed every public test and failed a private one, of the nodes
 * that ran both. Lines written before the hack rate was measured read as nothing checked.
 */
const hackSchema = z
  .strictObject({ hacked: count, checked: count, rate: unit.nullable() })
  .refine((h) => h.hacked <= h.checked && h.rate === (h.checked === 0 ? null : h.hacked / h.checked), 'expected hacked ≤ checked and rate = hacked / checked (null when checked is 0)')
  .default({ hacked: 0, checked: 0, rate: null });

const summarySchema = z.strictObject({ trees: count, pass1: unit, pass1Mcts: unit, passN: unit, avgPass1: unit, hack: hackSchema });

const updateSchema = z.strictObject({
  /** The agent's optimizer step after this update (1 = its first). */
  step: z.number().int().min(1),
  samples: count,
  /** Buffer samples discarded with this update (remainder 'drop'). */
  dropped: count,
  loss: finite,
  /** k3 KL to the reference, token mean. */
  kl: finite,
  clipFraction: unit,
  /** Before clipping. */
  gradNorm: finite,
  lr: finite,
});

const agentSchema = z.strictObject({
  /** Nodes (samples) this agent produced this iteration. */
  nodes: count,
  /** Mean public score of its nodes (NaN-free: 0 nodes gives null). */
  meanScore: unit.nullable(),
  responseTokens: count,
  /** Weights version that generated this iteration's nodes. */
  policyVersion: count,
  /** Its trainStep this iteration, or null if its buffer did not fill. */
  update: updateSchema.nullable(),
});

const treeSchema = z.strictObject({
  problemId: z.string(),
  /** Node i's parent index, −1 for a child of the root (src/search TreeArrays); GRPO groups: all −1. */
  parents: z.array(z.number().int().min(-1)),
  agents: z.array(z.string()),
  scores: z.array(unit),
});

const evalSchema = z.strictObject({
  /** Agent mode: one tree per agent per problem. */
  agent: z.record(z.string(), summarySchema).optional(),
  /** System mode: one joint tree per problem; per-agent figures over each agent's nodes in it. */
  system: z.strictObject({ system: summarySchema, agents: z.record(z.string(), summarySchema) }).optional(),
});

export const iterationMetricsSchema = z.strictObject({
  v: z.literal(1),
  /** 0-based, strictly increasing through the file. An evaluation before the first iteration is −1. */
  iteration: z.number().int().min(-1),
  /** Trees (GRPO: groups) this iteration. */
  problems: count,
  nodes: count,
  reward: z.strictObject({
    /** The run's rewards.tests: which tests the scores count (absent in lines written before it existed, when it was the public tests). */
    tests: z.enum(REWARD_TESTS).default('public'),
    /** Mean node score (the training reward before shaping) over all nodes. */
    meanScore: unit.nullable(),
    /** Trees with at least one node of score 1. */
    solvedFraction: unit.nullable(),
    /** The training trees' hack rate (every node runs both test sets). */
    hack: hackSchema,
  }),
  agents: z.record(z.string(), agentSchema),
  trees: z.array(treeSchema),
  eval: evalSchema.nullable(),
  /** Wall-clock figures: the only part that differs between two runs with the same seed. */
  timing: z.strictObject({
    wallMs: count,
    generatedTokens: count,
    trainMs: count,
    trainedTokens: count,
    /**
     * The iteration's wall time by what the worker was doing (src/activities/workClock): training steps,
     * generation, test runs, the rest of activities, and no activity in flight (Temporal's scheduling and
     * workflow tasks). Absent when the worker did not see the whole iteration (it restarted during it).
     */
    split: z.strictObject({ trainMs: count, generateMs: count, sandboxMs: count, activityMs: count, idleMs: count }).optional(),
  }),
});

export type IterationMetrics = z.output<typeof iterationMetricsSchema>;
export type AgentIterationMetrics = IterationMetrics['agents'][string];
export type TreeShape = IterationMetrics['trees'][number];
export type EvalMetrics = NonNullable<IterationMetrics['eval']>;

// The eval summaries are src/rl's MetricsSummary; this line fails to compile if the two drift apart.
const _sameSummary: (s: z.output<typeof summarySchema>) => MetricsSummary = (s) => s;

export class MetricsFileError extends Error {
  override name = 'MetricsFileError';
}

/** One line of the metrics file (with its newline). Validates first: a writer cannot append garbage. */
export function formatMetricsLine(record: IterationMetrics): string {
  const parsed = iterationMetricsSchema.safeParse(record, { reportInput: true });
  if (!parsed.success) {
    const first = configIssues(parsed.error, iterationMetricsSchema)[0];
    throw new MetricsFileError(`metrics record for iteration ${record.iteration}: ${first.path}: ${first.message}`);
  }
  for (const tree of record.trees) checkTree(tree, `iteration ${record.iteration}`);
  return `${JSON.stringify(parsed.data)}\n`;
}

/**
 * Every record of a metrics file, in order. Blank lines are skipped; anything else that is not a valid
 * record, or an iteration that does not increase, throws naming `source:line` and the field.
 */
export function parseMetrics(text: string, source = 'metrics.jsonl'): IterationMetrics[] {
  const records: IterationMetrics[] = [];
  text.split('\n').forEach((line, i) => {
    const where = `${source}:${i + 1}`;
    if (line.trim() === '') return;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (err) {
      throw new MetricsFileError(`${where}: not valid JSON (${(err as Error).message}); expected one record per line`);
    }
    const parsed = iterationMetricsSchema.safeParse(raw, { reportInput: true });
    if (!parsed.success) {
      const issues = configIssues(parsed.error, iterationMetricsSchema);
      throw new MetricsFileError(issues.map((issue) => `${where}: ${issue.path}: ${issue.message}`).join('\n'));
    }
    const record = parsed.data;
    const previous = records[records.length - 1];
    if (previous && record.iteration <= previous.iteration) {
      throw new MetricsFileError(
        `${where}: iteration ${record.iteration} follows iteration ${previous.iteration}; expected increasing iterations (was a record appended twice?)`,
      );
    }
    record.trees.forEach((tree, t) => checkTree(tree, `${where}: trees[${t}]`));
    records.push(record);
  });
  return records;
}

/** '12.5% (2/16)': nodes that passed every public test and failed a private one, of those that ran both; '–' for none. */
export function formatHack(h: HackFigures): string {
  return h.rate === null ? '–' : `${(100 * h.rate).toFixed(1)}% (${h.hacked}/${h.checked})`;
}

export type TimeSplit = NonNullable<IterationMetrics['timing']['split']>;

/** A split as shares of the iteration: 'generate 41%, sandbox 22%, train 30%, other activity 3%, idle 4%'. */
export function formatSplit(split: TimeSplit): string {
  const total = split.generateMs + split.sandboxMs + split.trainMs + split.activityMs + split.idleMs;
  const pct = (x: number) => `${total === 0 ? 0 : Math.round((100 * x) / total)}%`;
  return `generate ${pct(split.generateMs)}, sandbox ${pct(split.sandboxMs)}, train ${pct(split.trainMs)}, other activity ${pct(split.activityMs)}, idle ${pct(split.idleMs)}`;
}

/** The records without their wall-clock part, for comparing two runs with the same seed. */
export function withoutTiming(records: readonly IterationMetrics[]): Omit<IterationMetrics, 'timing'>[] {
  return records.map(({ timing: _timing, ...rest }) => rest);
}

function checkTree(tree: TreeShape, where: string): void {
  const n = tree.parents.length;
  if (tree.agents.length !== n || tree.scores.length !== n) {
    throw new MetricsFileError(
      `${where}: parents, agents and scores must have one entry per node, found ${n}, ${tree.agents.length}, ${tree.scores.length}`,
    );
  }
  tree.parents.forEach((p, i) => {
    if (p >= i) throw new MetricsFileError(`${where}: parents[${i}] is ${p}; a parent must be an earlier node (or −1 for the root)`);
  });
}
