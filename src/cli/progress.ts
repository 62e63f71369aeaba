// What `mars2 train --wait` / `--follow` print per metrics line (src/report/metrics), and the live line a
// terminal redraws in place between them. Pure except LiveLine, which writes to a terminal.
//
// Numbering: text counts iterations from 1 ("iteration 1/2" is the metrics file's `iteration: 0` and the
// trees `RUN-it0-p*`); JSON keeps the file's 0-based `iteration` and adds `done` (iterations finished).
//
//   iteration 1/2  trees 2  nodes 4 (0.9/s)  gen 35 tok/s  reward 0.250  loss 0.0123 kl 0.0000 grad 0.84  time 4.4 s (generate 41%, sandbox 22%, train 30%, other activity 3%, idle 4%)  elapsed 0:04  ETA 0:04
//   evaluation after iteration 1: Pass@1 0.250 (qwen2 0.250)
import type { IterationMetrics } from '../report/metrics';
import { formatSplit, type TimeSplit } from '../report/metrics';
import { headlinePass1, type MetricsSummary } from '../rl/metrics';

/** One agent's figures of an iteration: its nodes' mean reward and its update (null: its buffer did not fill). */
export interface AgentProgress {
  meanReward: number | null;
  loss: number | null;
  kl: number | null;
  gradNorm: number | null;
}

export interface IterationLine {
  type: 'iteration';
  /** 0-based, as the metrics file. */
  iteration: number;
  /** Training iterations finished, this one included. */
  done: number;
  iterations: number;
  trees: number;
  nodes: number;
  nodesPerS: number | null;
  generatedTokensPerS: number | null;
  meanReward: number | null;
  agents: Record<string, AgentProgress>;
  wallMs: number;
  split: TimeSplit | null;
  /**
   * Σ wallMs of the training iterations so far (the first one's includes the evaluation before training):
   * the run's working time, the same whether read live or later.
   */
  elapsedMs: number;
  /** Mean iteration wall time × iterations left; null before the first iteration. */
  etaMs: number | null;
}

export interface EvalLine {
  type: 'eval';
  /** The iteration (0-based) after which it ran; −1: before training. */
  after: number;
  /** The run's headline figure (src/rl/metrics headlinePass1: Pass@1(MCTS), of the joint tree in system mode). */
  pass1: number | null;
  /** Each figure set's Pass@1: 'agent/NAME', 'system', 'system/NAME'. */
  sets: Record<string, number>;
}

export type ProgressLine = IterationLine | EvalLine;

const perS = (n: number, ms: number) => (ms > 0 ? n / (ms / 1000) : null);

/** The lines of metrics records `records[from…]`, given all records before them (for elapsed and ETA). */
export function progressLines(records: readonly IterationMetrics[], from: number, iterations: number): ProgressLine[] {
  const out: ProgressLine[] = [];
  const before = records.slice(0, from).filter((r) => r.iteration >= 0);
  let done = before.length;
  let elapsedMs = before.reduce((s, r) => s + r.timing.wallMs, 0);
  for (const r of records.slice(from)) {
    if (r.iteration >= 0) {
      done++;
      elapsedMs += r.timing.wallMs;
      const agents: Record<string, AgentProgress> = {};
      for (const [name, a] of Object.entries(r.agents)) {
        agents[name] = { meanReward: a.meanScore, loss: a.update?.loss ?? null, kl: a.update?.kl ?? null, gradNorm: a.update?.gradNorm ?? null };
      }
      out.push({
        type: 'iteration',
        iteration: r.iteration,
        done,
        iterations,
        trees: r.problems,
        nodes: r.nodes,
        nodesPerS: perS(r.nodes, r.timing.wallMs),
        generatedTokensPerS: perS(r.timing.generatedTokens, r.timing.wallMs),
        meanReward: r.reward.meanScore,
        agents,
        wallMs: r.timing.wallMs,
        split: r.timing.split ?? null,
        elapsedMs,
        etaMs: Math.max(0, iterations - done) * (elapsedMs / done),
      });
    }
    if (r.eval) out.push({ type: 'eval', after: r.iteration, pass1: headlinePass1(r.eval), sets: evalSets(r.eval) });
  }
  return out;
}

function evalSets(e: NonNullable<IterationMetrics['eval']>): Record<string, number> {
  const sets: Record<string, number> = {};
  const add = (name: string, s: MetricsSummary) => (sets[name] = s.pass1);
  for (const [a, s] of Object.entries(e.agent ?? {})) add(`agent/${a}`, s);
  if (e.system) {
    add('system', e.system.system);
    for (const [a, s] of Object.entries(e.system.agents)) add(`system/${a}`, s);
  }
  return sets;
}

/** '1:05', '1:02:03'. */
export function clock(ms: number): string {
  const s = Math.round(ms / 1000);
  const [h, m, sec] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  const two = (x: number) => String(x).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(sec)}` : `${m}:${two(sec)}`;
}

const fixed = (x: number | null, digits: number) => (x === null ? '-' : x.toFixed(digits));
const short = (x: number | null) => (x === null ? '-' : Math.abs(x) >= 0.01 || x === 0 ? x.toFixed(4) : x.toExponential(2));

/** A progress line as text (one line, no newline). */
export function formatLine(line: ProgressLine): string {
  if (line.type === 'eval') {
    const when = line.after < 0 ? 'before training' : `after iteration ${line.after + 1}`;
    const sets = Object.entries(line.sets).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(', ');
    return `evaluation ${when}: Pass@1 ${fixed(line.pass1, 3)}${sets ? ` (${sets})` : ''}`;
  }
  const update = (a: AgentProgress) => (a.loss === null ? 'no update' : `loss ${short(a.loss)} kl ${short(a.kl)} grad ${fixed(a.gradNorm, 3)}`);
  const agents = Object.entries(line.agents);
  const perAgent =
    agents.length === 1
      ? `reward ${fixed(line.meanReward, 3)}  ${update(agents[0][1])}`
      : `reward ${fixed(line.meanReward, 3)}  ${agents.map(([name, a]) => `${name}: reward ${fixed(a.meanReward, 3)} ${update(a)}`).join('; ')}`;
  return [
    `iteration ${line.iteration + 1}/${line.iterations}`,
    `trees ${line.trees}`,
    `nodes ${line.nodes} (${fixed(line.nodesPerS, 1)}/s)`,
    `gen ${fixed(line.generatedTokensPerS, 0)} tok/s`,
    perAgent,
    `time ${(line.wallMs / 1000).toFixed(1)} s${line.split ? ` (${formatSplit(line.split)})` : ''}`,
    `elapsed ${clock(line.elapsedMs)}`,
    `ETA ${line.etaMs === null ? '-' : clock(line.etaMs)}`,
  ].join('  ');
}

/** The live line: '[#####·····] 1/2 done · iteration 2: search · elapsed 0:12 · ETA 0:12'. */
export function formatBar(p: { done: number; iterations: number; iteration: number; phase: string; elapsedMs: number; etaMs: number | null }): string {
  const width = 20;
  const filled = p.iterations === 0 ? width : Math.min(width, Math.round((width * p.done) / p.iterations));
  const now = p.phase === 'done' ? 'done' : `iteration ${p.iteration + 1}: ${p.phase}`;
  return `[${'#'.repeat(filled)}${'·'.repeat(width - filled)}] ${p.done}/${p.iterations} done · ${now} · elapsed ${clock(p.elapsedMs)} · ETA ${p.etaMs === null ? '-' : clock(p.etaMs)}`;
}

/** A line redrawn in place on a terminal, with whole lines printed above it. */
export class LiveLine {
  private shown = false;

  constructor(private readonly out: NodeJS.WriteStream) {}

  set(text: string): void {
    const cols = this.out.columns || 120;
    this.out.write(`\r\x1b[2K${text.length > cols - 1 ? `${text.slice(0, cols - 2)}…` : text}`);
    this.shown = true;
  }

  /** Prints `text` as a line of its own; the live line is cleared and redrawn by the next set(). */
  print(text: string): void {
    this.clear();
    this.out.write(`${text}\n`);
  }

  clear(): void {
    if (this.shown) this.out.write('\r\x1b[2K');
    this.shown = false;
  }
}
