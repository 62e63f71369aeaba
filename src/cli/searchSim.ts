// `mars2 search-sim --config F [--out trees.json] [--json]`: runs the search on the synthetic
// environment of src/search/sim.ts and writes every tree, to compare the search with TreeQuest's on
// the same config. The I/O lives here; the simulation is pure.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ZodError } from 'zod';
import { passThreshold, simConfigSchema, simSearchConfig, simulate, summarize, type SimConfig } from '../search/sim';
import { AbMctsA } from '../search/abmcts';
import type { TreeArrays } from '../search/tree';
import { parseFlags, UsageError, UserError, type Command } from './command';

const usage = `usage: mars2 search-sim --config F [--out trees.json] [--json]

Runs AB-MCTS-A on a synthetic environment and writes every tree:
  {"implementation": "mars2 <version>", "config": {...}, "trees": [{"parent": [...], "agent": [...], "score": [...]}]}
node i in creation order, parent −1 = a child of the root, agent = index into "agents".
Without --out the trees go to stdout and the summary to stderr.

Config (JSON; bench/search-sim-2agents.json is an example):
  seed, steps, trials                  integers
  dist_type                            "gaussian" | "beta"
  model_selection_strategy             "multiarm_bandit_thompson" (default) | "multiarm_bandit_ucb" | "stack"
                                       | "thompson" | "ucb" | "agent-first"
  prior                                {"m", "kappa", "nu", "tau_square"} or {"a", "b"} (partial is fine)
  reward_average_priors, depth_gamma   optional (number or {agent: number}; [γ(0), γ(1), …])
  mode                                 "bernoulli" | "fractional"
  pass_threshold                       default 1.0 (bernoulli), 0.5 (fractional)
  agents                               [{"name", "p_root", "p_refine_given_parent_pass", "p_refine_given_parent_fail"}]`;

function version(): string {
  const pkg = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

function formatIssues(err: ZodError): string {
  return err.issues.map((i) => `  ${i.path.length ? i.path.join('.') : '(top level)'}: ${i.message}`).join('\n');
}

function loadConfig(file: string): SimConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UserError(`cannot read the config '${file}' (${(err as Error).message}); pass a JSON file such as bench/search-sim-2agents.json`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new UserError(`the config '${file}' is not valid JSON: ${(err as Error).message}`);
  }
  try {
    const config = simConfigSchema.parse(raw);
    new AbMctsA(simSearchConfig(config)); // the search's own checks (prior fields, γ range, …)
    return config;
  } catch (err) {
    if (err instanceof ZodError) {
      throw new UserError(`the config '${file}' is not a valid search-sim config:\n${formatIssues(err)}\nSee 'mars2 search-sim --help' for the format.`);
    }
    throw err;
  }
}

/** The output document, one tree per line. */
function document(config: SimConfig, trees: readonly TreeArrays[]): string {
  const head = `{"implementation": ${JSON.stringify(`mars2 ${version()}`)}, "config": ${JSON.stringify(config)}, "trees": [\n`;
  return `${head}${trees.map((t) => JSON.stringify(t)).join(',\n')}\n]}\n`;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

export const searchSimCommand: Command = {
  name: 'search-sim',
  summary: 'run the tree search on a synthetic scoring environment and write every tree',
  usage,
  async run(argv) {
    const { values } = parseFlags(argv, {
      config: { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (!values.config) throw new UsageError('--config F is required (a JSON search-sim config)');
    const config = loadConfig(values.config);

    const t0 = performance.now();
    const trees = [...simulate(config)];
    const seconds = (performance.now() - t0) / 1000;
    const text = document(config, trees);
    if (values.out) {
      try {
        writeFileSync(values.out, text);
      } catch (err) {
        throw new UserError(`cannot write '${values.out}' (${(err as Error).message}); pass a writable --out path`);
      }
    } else {
      process.stdout.write(text);
    }

    const s = summarize(config, trees);
    const report = values.out ? console.log : console.error;
    if (values.json) {
      report(JSON.stringify({ out: values.out ?? null, trials: config.trials, steps: config.steps, seconds, ...s }));
      return 0;
    }
    const strategy = simSearchConfig(config).agentSelection;
    report(
      `search-sim: ${config.trials} trees × ${config.steps} steps (${config.dist_type}, ${strategy}, ` +
        `${config.agents.length} agent${config.agents.length === 1 ? '' : 's'}) in ${seconds.toFixed(2)} s ` +
        `(${((seconds * 1e6) / (config.trials * config.steps)).toFixed(1)} µs per step)`,
    );
    report(`  solved (a score ≥ ${passThreshold(config)}): ${pct(s.solved)} of trees; mean best score ${s.meanBest.toFixed(3)}`);
    report(
      `  nodes by agent: ${config.agents.map((a, i) => `${a.name} ${pct(s.agentShare[i])}`).join(', ')}; ` +
        `refinements ${pct(s.refinements)}; mean max depth ${s.meanMaxDepth.toFixed(2)}`,
    );
    if (values.out) report(`  trees written to ${values.out}`);
    return 0;
  },
};
