// Exact replay of TreeQuest 0.3.3 traces: fixtures/treequest-traces.json (a copy of
// ../shared/research/treequest-traces.json, written by the research twin that was asserted
// bit-identical to TreeQuest; thompson, default priors) and fixtures/treequest-traces-extra.json
// (recorded from TreeQuest itself by scripts/golden/treequest_trace.py: ucb, stack, reward-average
// and non-default priors). Each recorded draw names its role, node, child or action, posterior
// parameters and value; the replay sampler checks the first four and returns the value, and every
// expansion (parent, agent) and the final tree must match.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AbMctsA } from '../../src/search/abmcts';
import type { SearchConfig } from '../../src/search/config';
import { simSearchConfig, type SimConfig } from '../../src/search/sim';
import type { Draw, Sampler } from '../../src/search/posterior';
import { Rng } from '../../src/search/rng';
import type { SearchState } from '../../src/search/tree';

export interface TraceDraw {
  role: 'GEN' | 'CONT' | 'CHILD' | 'ACTION' | 'NODE_ACTION';
  node?: number;
  child?: number;
  action?: string;
  dist: 'gaussian' | 'beta';
  params: { m: number; kappa: number; nu: number; tau_square: number } | { a: number; b: number };
  n_obs?: number;
  value: number;
}

export interface TraceStep {
  step: number;
  draws: TraceDraw[];
  expand_parent: number;
  action: string;
  score: number;
}

export interface TraceTrial {
  trial: number;
  steps: TraceStep[];
  tree: { parent: number[]; agent: number[]; score: number[] };
}

export interface TraceConfig {
  /** A search-sim config (seed, steps and trials may be missing). */
  config: SimConfig;
  trials: TraceTrial[];
}

export function loadTraces(file = 'treequest-traces.json'): Record<string, TraceConfig> {
  return JSON.parse(readFileSync(path.join(__dirname, 'fixtures', file), 'utf8')).configs;
}

/** The search config TreeQuest ran for a trace config. */
export function traceSearchConfig(tc: TraceConfig): SearchConfig {
  return simSearchConfig(tc.config);
}

function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-12 + 1e-9 * Math.abs(b);
}

function describeDraw(d: Draw, agents: readonly string[]): string {
  const who = d.agent === undefined ? '' : ` agent ${agents[d.agent]}`;
  return `${d.role} node ${d.node} child ${d.child}${who} ${JSON.stringify(d.params)} n=${d.nObs}`;
}

/** Checks one draw against its record; returns what differs, or null. */
function mismatch(d: Draw, r: TraceDraw, agents: readonly string[]): string | null {
  if (d.role !== r.role) return 'role';
  if (r.action !== undefined && (d.agent === undefined || agents[d.agent] !== r.action)) return 'action';
  if (r.role !== 'ACTION' && d.node !== r.node) return 'node';
  if (r.role === 'CHILD' && d.child !== r.child) return 'child';
  if (d.params.dist !== r.dist) return 'dist';
  if (d.params.dist === 'gaussian' && 'm' in r.params) {
    const p = r.params;
    const ok =
      close(d.params.m, p.m) &&
      close(d.params.kappa, p.kappa) &&
      close(d.params.nu, p.nu) &&
      close(d.params.tauSquare, p.tau_square);
    if (!ok) return 'params';
    if (r.n_obs !== undefined && d.nObs !== r.n_obs) return 'n_obs';
  } else if (d.params.dist === 'beta' && 'a' in r.params) {
    if (!close(d.params.a, r.params.a) || !close(d.params.b, r.params.b)) return 'params';
  } else return 'params';
  return null;
}

export interface ReplayOptions {
  /** Mutates the state before each select (to show that a broken search fails the replay). */
  corruptState?: (state: SearchState) => SearchState;
  /** Wraps the replay sampler (to show that a broken decision fails the replay). */
  wrapSampler?: (replay: Sampler, step: TraceStep) => Sampler;
  /** Overrides fields of the search config. */
  configOverride?: Partial<SearchConfig>;
}

/** Replays one recorded tree; throws an Error naming the first divergence. */
export function replayTrial(name: string, tc: TraceConfig, trial: TraceTrial, opts: ReplayOptions = {}): void {
  const search = new AbMctsA({ ...traceSearchConfig(tc), ...opts.configOverride });
  const agents = search.config.agents;
  const rng = Rng.seeded('unused: every draw is replayed');
  let state = search.init();
  for (const step of trial.steps) {
    const where = `${name} trial ${trial.trial} step ${step.step}`;
    let next = 0;
    const replay: Sampler = (d) => {
      const r = step.draws[next];
      if (r === undefined) throw new Error(`${where}: extra draw ${describeDraw(d, agents)} (all ${next} recorded used)`);
      const why = mismatch(d, r, agents);
      if (why) {
        throw new Error(
          `${where}, draw ${next}: ${why} differs\n  got      ${describeDraw(d, agents)}\n  recorded ${JSON.stringify(r)}`,
        );
      }
      next++;
      return r.value;
    };
    const sampler = opts.wrapSampler ? opts.wrapSampler(replay, step) : replay;
    const selected = search.select(opts.corruptState ? opts.corruptState(state) : state, rng, sampler);
    if (next !== step.draws.length) {
      throw new Error(`${where}: made ${next} draws, TreeQuest made ${step.draws.length}`);
    }
    if (selected.parent !== step.expand_parent || agents[selected.agent] !== step.action) {
      throw new Error(
        `${where}: expanded (${selected.parent}, ${agents[selected.agent]}), TreeQuest (${step.expand_parent}, ${step.action})`,
      );
    }
    state = search.register(state, selected.parent, selected.agent, step.score);
  }
  const tree = search.tree(state);
  if (JSON.stringify(tree) !== JSON.stringify(trial.tree)) {
    throw new Error(
      `${name} trial ${trial.trial}: final tree differs\n  got  ${JSON.stringify(tree)}\n  want ${JSON.stringify(trial.tree)}`,
    );
  }
}
