// Loads a run config file at the edge (STYLE 13): read, parse JSON (syntax errors with line and
// column), validate with configSchema.ts, make every path absolute relative to the config file's
// folder (so the resolved config, which is copied into the run, works from any directory), and check
// that model directories and dataset files exist. Every failure is a ConfigError naming the file and
// the field.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseRunConfig, type RunConfig } from './schema';
import { ConfigError, type ConfigIssue } from './issues';
import { findJsonSyntaxError } from './jsonSyntax';

export { ConfigError } from './issues';

export interface LoadOptions {
  /** Check that model directories (with config.json) and dataset files exist (default true). */
  checkPaths?: boolean;
}

/** Reads, validates and resolves the run config at `file`. Throws ConfigError. */
export function loadRunConfig(file: string, options: LoadOptions = {}): RunConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [
      { path: '', message: `cannot read the config (${(err as Error).message}); pass a JSON run config such as examples/single-tree-rl.json` },
    ]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    const at = findJsonSyntaxError(text);
    const where = at ? `line ${at.line}, column ${at.column}: ` : '';
    throw new ConfigError(file, [{ path: '', message: `not valid JSON: ${where}${at?.message ?? (err as Error).message}` }]);
  }
  const config = resolvePaths(parseRunConfig(raw, file), path.dirname(path.resolve(file)));
  if (options.checkPaths ?? true) {
    const issues = missingPaths(config);
    if (issues.length > 0) throw new ConfigError(file, issues);
  }
  return config;
}

/** The config with every model and dataset path made absolute against `baseDir`. */
export function resolvePaths(config: RunConfig, baseDir: string): RunConfig {
  const abs = (p: string) => path.resolve(baseDir, p);
  return {
    ...config,
    datasets: {
      train: { ...config.datasets.train, path: abs(config.datasets.train.path) },
      eval: config.datasets.eval && { ...config.datasets.eval, path: abs(config.datasets.eval.path) },
    },
    agents: config.agents.map((a) => ({ ...a, model: abs(a.model) })),
  };
}

/** One issue per model directory without config.json and per dataset that is not a file. */
export function missingPaths(config: RunConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  config.agents.forEach((a, i) => {
    if (config.sharedWeights && i > 0) return; // same directory as agents[0]
    const at = `agents[${i}].model`;
    if (!isDir(a.model)) issues.push({ path: at, message: `model directory '${a.model}' does not exist (paths are relative to the config file)` });
    else if (!existsSync(path.join(a.model, 'config.json'))) {
      issues.push({ path: at, message: `'${a.model}' has no config.json; expected an HF model directory (config.json, *.safetensors, tokenizer.json)` });
    }
  });
  for (const key of ['train', 'eval'] as const) {
    const d = config.datasets[key];
    if (d && !isFile(d.path)) {
      issues.push({ path: `datasets.${key}.path`, message: `dataset file '${d.path}' does not exist (paths are relative to the config file)` });
    }
  }
  return issues;
}

const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();
const isFile = (p: string) => existsSync(p) && statSync(p).isFile();
