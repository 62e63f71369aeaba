// `mars2 eval`: an evaluation now (DESIGN §2) — a training run's newest weights (`--run`) or a run
// config's own models (`--config`) on the held-out problems of its datasets.eval, with private tests, in
// agent and/or system mode; prints Pass@1, Pass@1(MCTS), Pass@N and avg_pass1 per agent and for the
// team. Runs as a runEvaluation workflow on the stack (durable; `--detach` returns at once). Also the
// shared pieces of `mars2 schedule eval`: the flags that shape an evaluation and the figures table.
import { join } from 'node:path';
import { ConfigError, loadRunConfig } from '../config/load';
import { EVAL_MODES, type EvalMode } from '../config/schema';
import type { EvaluationPlanInput, EvaluationResult, RunEvaluationInput, RunEvaluationResult } from '../contracts';
import { formatHack } from '../report/metrics';
import type { MetricsSummary } from '../rl/metrics';
import { Store } from '../store';
import { runEvaluation } from '../workflows';
import { numberFlag, parseFlags, UsageError, UserError, type Command } from './command';
import { withClient } from './withClient';

export const EVAL_FLAGS = {
  problems: { type: 'string' },
  budget: { type: 'string' },
  modes: { type: 'string' },
  int8: { type: 'boolean' },
} as const;

const FLAG_HELP = `  --problems N          held-out problems (default: the config's evaluation.problems, else all of datasets.eval)
  --budget N            nodes per tree (default: the config's evaluation.budget, 1 = plain Pass@1)
  --modes M[,M]         agent (one tree per agent), system (one joint tree) or agent,system
  --int8                the agents run int8 projection weights (faster on CPU; the figures are the quantized policy's)`;

/** The evaluation-shaping flags as runEvaluation overrides. */
export function evalOverrides(values: { problems?: string; budget?: string; modes?: string; int8?: boolean }): Pick<EvaluationPlanInput, 'problems' | 'budget' | 'modes' | 'weights'> {
  const positive = (v: string | undefined, flag: string) => {
    if (v === undefined) return undefined;
    const n = numberFlag(v, flag, 0);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${flag} expects a positive integer, got '${v}'`);
    return n;
  };
  let modes: EvalMode[] | undefined;
  if (values.modes !== undefined) {
    const list = values.modes.split(',').filter((m) => m !== '');
    const bad = list.filter((m) => !(EVAL_MODES as readonly string[]).includes(m));
    if (list.length === 0 || bad.length > 0 || new Set(list).size !== list.length) {
      throw new UsageError(`--modes expects agent, system or agent,system, got '${values.modes}'`);
    }
    modes = list as EvalMode[];
  }
  const problems = positive(values.problems, 'problems');
  const budget = positive(values.budget, 'budget');
  return { ...(problems !== undefined && { problems }), ...(budget !== undefined && { budget }), ...(modes && { modes }), ...(values.int8 && { weights: 'int8' as const }) };
}

/** One row per figure set: agent trees, the joint tree, each agent's nodes in it; the hack rate with its counts. */
export function formatEvaluation(e: EvaluationResult['eval']): string[] {
  const rows: [string, MetricsSummary][] = [];
  for (const [a, s] of Object.entries(e.agent ?? {})) rows.push([`${a} (own tree)`, s]);
  if (e.system) {
    rows.push(['system (joint tree)', e.system.system]);
    for (const [a, s] of Object.entries(e.system.agents)) rows.push([`${a} (in the joint tree)`, s]);
  }
  const width = Math.max(20, ...rows.map(([n]) => n.length));
  const f = (x: number) => x.toFixed(3).padStart(8);
  return [
    `${''.padEnd(width)}  trees    Pass@1  P@1(MCTS)  Pass@N  avg_pass1  hack rate`,
    ...rows.map(([n, s]) => `${n.padEnd(width)}  ${String(s.trees).padStart(5)}  ${f(s.pass1)}  ${f(s.pass1Mcts)}   ${f(s.passN)}   ${f(s.avgPass1)}  ${formatHack(s.hack)}`),
  ];
}

const usage = `usage: mars2 eval (--run RUN | --config FILE) [options]
  --run RUN             a training run: its newest checkpoints, its config's datasets.eval and evaluation settings
  --config FILE         a run config: its agents' own model directories (nothing trained)
${FLAG_HELP}
  --detach              start the evaluation and print its workflow id without waiting
  --json                print the result (or, with --detach, the workflow id) as JSON`;

export const evalCommand: Command = {
  name: 'eval',
  summary: "evaluate a run's newest weights (or a config's models) on held-out problems now",
  usage,
  async run(argv) {
    const { values } = parseFlags(argv, { run: { type: 'string' }, config: { type: 'string' }, ...EVAL_FLAGS, detach: { type: 'boolean' }, json: { type: 'boolean' } });
    if ((values.run === undefined) === (values.config === undefined)) throw new UsageError('expected exactly one of --run RUN and --config FILE');
    const overrides = evalOverrides(values);
    return withClient(async (client, cfg) => {
      let input: RunEvaluationInput;
      let label: string;
      const store = new Store(join(cfg.home, 'store'));
      if (values.run !== undefined) {
        if (!(await store.getName(`runs/${values.run}/config`))) {
          throw new UserError(`no run '${values.run}' in the store ${store.root}; list runs with: mars2 runs`);
        }
        input = { runId: values.run, ...overrides };
        label = values.run;
      } else {
        let config;
        try {
          config = loadRunConfig(values.config!);
        } catch (err) {
          if (err instanceof ConfigError) throw new UserError(err.message);
          throw err;
        }
        if (!config.datasets.eval) throw new UserError(`${values.config}: datasets.eval: an evaluation needs held-out problems; set datasets.eval`);
        input = { config: await store.putJson(config), ...overrides };
        label = `${config.runId}-base`;
      }
      const workflowId = `${label}-eval-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}`;
      const handle = await client.workflow.start(runEvaluation, { taskQueue: cfg.taskQueue, workflowId, args: [input] });
      if (values.detach) {
        if (values.json) console.log(JSON.stringify({ workflowId }));
        else console.log(`started evaluation ${workflowId}; its trees: mars2 tree ${workflowId}-sys-p0 (and -agent-<name>-p<k>)`);
        return 0;
      }
      const result: RunEvaluationResult = await handle.result();
      if (values.json) {
        console.log(JSON.stringify({ workflowId, ...result }));
        return 0;
      }
      const versions = Object.entries(result.versions).map(([o, v]) => `${o}=v${v}`).join(' ');
      console.log(`evaluation ${workflowId}: ${result.problems} held-out problem${result.problems === 1 ? '' : 's'}, weights ${versions}${overrides.weights ? ' (int8)' : ''}`);
      for (const line of formatEvaluation(result.eval)) console.log(`  ${line}`);
      return 0;
    }, { worker: true });
  },
};
