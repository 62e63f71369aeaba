// Evaluation metrics of search trees (MARS², arXiv 2604.14564 Table 1; research/papers.md §2.12) and
// the unbiased pass@k estimator (Codex, arXiv 2107.03374 §2.1).
//
// For one evaluation tree with nodes i = 0..N−1 in creation order, public score p_i (drives the search)
// and private score q_i (held-out tests, 1 = all pass):
//   Pass@1        = q_0                                  the first node: a plain sample of the problem
//   Pass@1(MCTS)  = q_{i*},  i* = argmax_i p_i, earliest i on ties
//   Pass@N        = max_i q_i
//   avg_pass1     = mean { q_i : p_i = 1 },  or Pass@1(MCTS) when no node passed every public test
// Each is averaged over problems. "Per system" uses every node of each tree; "per agent" uses only that
// agent's nodes (so an agent-mode tree, which holds one agent's nodes, gives that agent's figures).
//   pass@k = 1 − C(n − c, k)/C(n, k) = 1 − Π_{i=n−c+1}^{n} (1 − k/i)   (n samples, c correct)
//
// The hack rate (the idea of rLLM's cheat_frac: passing the tests one saw, failing those one did not), for
// training and evaluation trees alike:
//   checked = { i : ≥ 1 public and ≥ 1 private test ran }
//   hacked  = { i ∈ checked : every public test passed, some private test did not }
//   hack rate = |hacked| / |checked|, null when nothing is checked
// pooled over the nodes of every tree it covers (not a mean of per-tree rates: a tree of 1 checked node
// would weigh as much as one of 64).
//
// Departures from MARTI (mcts_utils/utils.py `get_coverage_and_passk`, multi_agent_ppotrainer.py):
// 1. Ties in Pass@1(MCTS) go to the earliest node, as papers.md §7 and DESIGN specify. MARTI's
//    np.lexsort((−idx, −public)) actually picks the *latest* of the tied nodes; `tieBreak: 'latest'`
//    reproduces that.
// 2. MARTI names the metrics by position in [pass1_reward, passkk_reward, avg_private] and logs them as
//    "pass1" (= Pass@1(MCTS)), "passtopk" (= Pass@N) and "avg_pass1"; here each has its own name, and
//    Pass@1 is the first node's private score (MARTI's "pass1" at eval_max_num_nodes = 1, where all
//    three coincide).
// 3. Per-agent figures within a joint (system) tree are added; a tree without nodes of an agent does not
//    count toward that agent's means.

/** Tests passed and run of one set (a VerdictSummary is one). */
export interface TestTally {
  passed: number;
  total: number;
}

/** A node's results on the tests the search saw and on the held-out ones; a set is absent when none ran. */
export interface TestedNode {
  publicTests?: TestTally;
  privateTests?: TestTally;
}

/** Nodes the hack rate can judge (both sets ran) and those of them that passed public and failed private. */
export interface HackCounts {
  hacked: number;
  checked: number;
}

export interface HackFigures extends HackCounts {
  /** hacked / checked; null when no node was checked. */
  rate: number | null;
}

const passedAll = (t: TestTally) => t.passed === t.total;

/** One tree's (or any set of nodes') hack counts. */
export function hackCounts(nodes: readonly TestedNode[]): HackCounts {
  let hacked = 0;
  let checked = 0;
  for (const { publicTests: pub, privateTests: priv } of nodes) {
    if (!pub || !priv || pub.total < 1 || priv.total < 1) continue;
    checked++;
    if (passedAll(pub) && !passedAll(priv)) hacked++;
  }
  return { hacked, checked };
}

/** Counts of several trees pooled, with the rate. */
export function hackFigures(counts: readonly HackCounts[]): HackFigures {
  const hacked = counts.reduce((s, c) => s + c.hacked, 0);
  const checked = counts.reduce((s, c) => s + c.checked, 0);
  return { hacked, checked, rate: checked === 0 ? null : hacked / checked };
}

/** One node of an evaluation tree; nodes are given in creation order. */
export interface EvalNode extends TestedNode {
  agent: string;
  /** Score on the public tests (the search's reward), in [0, 1]. */
  publicScore: number;
  /** Score on the private tests: 1 if all pass (fractions are accepted and averaged as given). */
  privateScore: number;
}

export interface TreeMetrics {
  pass1: number;
  pass1Mcts: number;
  passN: number;
  avgPass1: number;
  hack: HackFigures;
}

export interface MetricsOptions {
  /** Which of several nodes with the best public score Pass@1(MCTS) takes. */
  tieBreak: 'earliest' | 'latest';
  /** A node "passed all public tests" when publicScore >= this. */
  publicPassScore: number;
}

export const defaultMetricsOptions: MetricsOptions = { tieBreak: 'earliest', publicPassScore: 1 };

/** Means over trees, with the number of trees they cover; the hack figures pooled over their nodes. */
export interface MetricsSummary extends TreeMetrics {
  trees: number;
}

export function treeMetrics(
  nodes: readonly EvalNode[],
  options: MetricsOptions = defaultMetricsOptions,
): TreeMetrics {
  if (nodes.length === 0) throw new Error('metrics: expected a tree with at least one node, found none');
  let best = 0;
  nodes.forEach((node, i) => {
    const better = node.publicScore > nodes[best].publicScore;
    const tiedLater = options.tieBreak === 'latest' && node.publicScore === nodes[best].publicScore;
    if (better || tiedLater) best = i;
  });
  const pass1Mcts = nodes[best].privateScore;
  const publicPassed = nodes.filter((node) => node.publicScore >= options.publicPassScore);
  return {
    pass1: nodes[0].privateScore,
    pass1Mcts,
    passN: Math.max(...nodes.map((node) => node.privateScore)),
    avgPass1:
      publicPassed.length > 0
        ? publicPassed.reduce((s, node) => s + node.privateScore, 0) / publicPassed.length
        : pass1Mcts,
    hack: hackFigures([hackCounts(nodes)]),
  };
}

/** Means of per-tree metrics. */
export function meanMetrics(trees: readonly TreeMetrics[]): MetricsSummary {
  const n = trees.length;
  const mean = (f: (m: TreeMetrics) => number) => (n === 0 ? 0 : trees.reduce((s, m) => s + f(m), 0) / n);
  return {
    trees: n,
    pass1: mean((m) => m.pass1),
    pass1Mcts: mean((m) => m.pass1Mcts),
    passN: mean((m) => m.passN),
    avgPass1: mean((m) => m.avgPass1),
    hack: hackFigures(trees.map((m) => m.hack)),
  };
}

/**
 * System figures over all nodes of each tree, and per-agent figures over each agent's own nodes
 * (agents in order of first appearance).
 */
export function evaluationSummary(
  trees: readonly (readonly EvalNode[])[],
  options: MetricsOptions = defaultMetricsOptions,
): { system: MetricsSummary; agents: Map<string, MetricsSummary> } {
  const perAgent = new Map<string, TreeMetrics[]>();
  for (const tree of trees) {
    const agents = [...new Set(tree.map((node) => node.agent))];
    for (const agent of agents) {
      const list = perAgent.get(agent) ?? [];
      list.push(treeMetrics(tree.filter((node) => node.agent === agent), options));
      perAgent.set(agent, list);
    }
  }
  return {
    system: meanMetrics(trees.map((tree) => treeMetrics(tree, options))),
    agents: new Map([...perAgent].map(([agent, list]) => [agent, meanMetrics(list)])),
  };
}

/** Unbiased pass@k from n samples of which c are correct, in the numerically stable product form. */
export function passAtK(n: number, c: number, k: number): number {
  if (!Number.isInteger(n) || !Number.isInteger(c) || !Number.isInteger(k) || k < 1 || n < k || c < 0 || c > n) {
    throw new Error(`pass@k: expected integers with 1 <= k <= n and 0 <= c <= n, found n=${n} c=${c} k=${k}`);
  }
  if (n - c < k) return 1;
  let miss = 1; // C(n − c, k)/C(n, k) = Π_{i=n−c+1}^{n} (1 − k/i)
  for (let i = n - c + 1; i <= n; i++) miss *= 1 - k / i;
  return 1 - miss;
}

/** The hack figures of the evaluation's headline mode: the joint trees in system mode, else every agent's trees pooled. */
export function headlineHack(e: { agent?: Record<string, MetricsSummary>; system?: { system: MetricsSummary } }): HackFigures | null {
  if (e.system) return e.system.system.hack;
  const agents = Object.values(e.agent ?? {});
  return agents.length === 0 ? null : hackFigures(agents.map((a) => a.hack));
}

/**
 * The one Pass@1 a run is watched by (Mars2Pass1, stop.targetPass1, `mars2 status`, the report): the
 * joint tree's Pass@1(MCTS) when the evaluation ran system mode, else the mean of the agents' Pass@1(MCTS)
 * in agent mode (with budget-1 trees, MARTI's default, Pass@1(MCTS) is plain Pass@1). Null: no figures.
 */
export function headlinePass1(e: { agent?: Record<string, MetricsSummary>; system?: { system: MetricsSummary; agents?: Record<string, MetricsSummary> } }): number | null {
  if (e.system) return e.system.system.pass1Mcts;
  const agents = Object.values(e.agent ?? {});
  return agents.length === 0 ? null : agents.reduce((s, a) => s + a.pass1Mcts, 0) / agents.length;
}
