// An evaluation (DESIGN §4 step 5, §6.3) of held-out problems, every node also run on the private tests:
//   agent mode:  one child searchTree per (problem, agent), that agent alone;
//   system mode: one child searchTree per problem with all agents (the team's figures, and each agent's
//                over its own nodes);
// then src/rl/metrics `evaluationSummary` (Pass@1, Pass@1(MCTS), Pass@N, avg_pass1, the hack rate). Trees
// score on the public tests, figures on the private ones. The result has the shape of the metrics line's
// `eval`. Search attributes: Mars2Kind='eval', Mars2RunId, Mars2Pass1 (system Pass@1(MCTS), MARTI's
// "pass1"). Every tree of problem p searches with Rng.seeded(seed, 'eval', p.id); child ids are
// `<id>-sys-p<k>` and `<id>-agent-<name>-p<k>`.
import { executeChild, proxyActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { Activities } from '../activities';
import type { AgentSpec, EvaluatedTree, EvaluationInput, EvaluationResult, ProblemRef, SearchTreeInput } from '../contracts';
import type { EvalMetrics } from '../report/metrics';
import { evaluationSummary, treeMetrics, type MetricsSummary } from '../rl/metrics';
import { toEvalNodes } from '../rl/nodes';
import { Rng } from '../search/rng';
import { agentSpec } from '../config/components';
import { allStopped, SMALL } from './options';
import { KIND, PASS_AT_1, RUN_ID } from '../contracts/searchAttributes';
import { searchTree } from './searchTree';

const record = (m: Map<string, MetricsSummary>): Record<string, MetricsSummary> => Object.fromEntries(m);

export async function evaluation(input: EvaluationInput): Promise<EvaluationResult> {
  if (input.agents.length === 0) throw new Error('evaluation: expected at least one agent, found none');
  const attributes: SearchAttributeUpdatePair[] = [{ key: KIND, value: 'eval' }];
  if (input.runId) attributes.push({ key: RUN_ID, value: input.runId });
  upsertSearchAttributes(attributes);

  let problems: ProblemRef[];
  if (Array.isArray(input.problems)) problems = input.problems;
  else {
    const { problemBatch } = proxyActivities<Activities>(SMALL);
    problems = await problemBatch({ index: input.problems.index, positions: Array.from({ length: input.problems.count }, (_, i) => i) });
  }

  const base = workflowInfo().workflowId;
  const specs = input.agents.map(agentSpec);
  const tree = (workflowId: string, problem: ProblemRef, agents: AgentSpec[]) =>
    executeChild(searchTree, {
      workflowId,
      args: [
        {
          problem,
          agents,
          budget: input.budget,
          seed: Rng.seeded(input.seed, 'eval', problem.id).uint32(),
          mode: input.treeMode ?? 'training',
          privateTests: true,
          ...(input.search && { search: input.search }),
          ...(input.includeProblem !== undefined && { includeProblem: input.includeProblem }),
          ...(input.expandAs && { expandAs: input.expandAs }),
          ...(input.parallel !== undefined && { parallel: input.parallel }),
          ...(input.sampling && { sampling: input.sampling }),
          ...(input.maxNewTokens !== undefined && { maxNewTokens: input.maxNewTokens }),
          ...(input.runId && { runId: input.runId }),
          ...(input.timeouts && { timeouts: input.timeouts }),
        } satisfies SearchTreeInput,
      ],
    });

  const jobs: { treeId: string; problemId: string; mode: 'agent' | 'system'; agent?: string; agents: AgentSpec[]; problem: ProblemRef }[] = [];
  problems.forEach((problem, k) => {
    if (input.mode !== 'system') {
      for (const spec of specs) jobs.push({ treeId: `${base}-agent-${spec.name}-p${k}`, problemId: problem.id, mode: 'agent', agent: spec.name, agents: [spec], problem });
    }
    if (input.mode !== 'agent') jobs.push({ treeId: `${base}-sys-p${k}`, problemId: problem.id, mode: 'system', agents: specs, problem });
  });
  const results = await allStopped(jobs.map((j) => tree(j.treeId, j.problem, j.agents)));
  const evalTrees = results.map((nodes) => toEvalNodes(nodes));

  const trees: EvaluatedTree[] = jobs.map((j, n) => ({
    treeId: j.treeId,
    problemId: j.problemId,
    mode: j.mode,
    ...(j.agent !== undefined && { agent: j.agent }),
    nodes: evalTrees[n].length,
    metrics: treeMetrics(evalTrees[n]),
  }));
  const of = (mode: 'agent' | 'system') => evalTrees.filter((_, n) => jobs[n].mode === mode);
  const summary: EvalMetrics = {};
  if (input.mode !== 'system') summary.agent = record(evaluationSummary(of('agent')).agents);
  if (input.mode !== 'agent') {
    const s = evaluationSummary(of('system'));
    summary.system = { system: s.system, agents: record(s.agents) };
    upsertSearchAttributes([{ key: PASS_AT_1, value: s.system.pass1Mcts }]);
  }
  return { problems: problems.length, eval: summary, trees };
}
