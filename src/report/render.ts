// `mars2 report RUN`: one self-contained HTML page (inline CSS and SVG, no scripts, no external assets)
// from the run's metrics records: headline figures, the latest evaluation table, plots over
// iterations (training reward, per-agent Pass@1, hack rate, policy loss, KL, throughput, tree depth) and the
// search trees of the first and the last iteration as glyphs. The x axis of every plot counts
// iterations completed (an evaluation before training is at 0). Pure: the caller writes the file.
import { headlineHack, headlinePass1, type MetricsSummary } from '../rl/metrics';
import { formatHack, type IterationMetrics, type TreeShape } from './metrics';
import { escapeXml as esc, INK, linePlot, MUTED, PALETTE, type Series } from './svg';
import { layoutTree, treeGlyph } from './treeGlyph';
import type { EvaluationRecord } from './evaluations';

export interface ReportData {
  runId: string;
  records: readonly IterationMetrics[];
  /** Agent order (colours follow it); default: order of first appearance in the records. */
  agents?: readonly string[];
  /** One line under the title, e.g. the set-up and the models. */
  subtitle?: string;
  /** Trees drawn per iteration shown (default 24). */
  maxGlyphs?: number;
  /** Evaluations run beside the training (`mars2 eval --run`, `mars2 schedule eval`): evaluations.jsonl. */
  standalone?: readonly EvaluationRecord[];
}

type Point = [number, number | null];
const done = (r: IterationMetrics) => r.iteration + 1;
const mean = (xs: number[]) => (xs.length === 0 ? null : xs.reduce((s, x) => s + x, 0) / xs.length);

export function renderReport(data: ReportData): string {
  const records = data.records;
  const training = records.filter((r) => r.iteration >= 0);
  const agents = data.agents ?? [...new Set(records.flatMap((r) => [...Object.keys(r.agents), ...Object.keys(r.eval?.agent ?? {})]))];
  const colorOf = (agent: string) => PALETTE[Math.max(0, agents.indexOf(agent)) % PALETTE.length];
  const perAgent = (f: (r: IterationMetrics, agent: string) => number | null | undefined, rows = training): Series[] =>
    agents.map((a) => ({ name: a, color: colorOf(a), points: rows.map((r): Point => [done(r), f(r, a) ?? null]) }));

  const evals = records.filter((r) => r.eval);
  // Every plot spans the whole run, so that their x axes line up.
  const xInclude = records.length > 0 ? [0, Math.max(...records.map(done))] : [];
  const evalPass1 = (r: IterationMetrics, a: string) => r.eval?.agent?.[a]?.pass1 ?? r.eval?.system?.agents[a]?.pass1;
  const plots = [
    linePlot({
      title: 'Training reward',
      yLabel: 'node score (rewards.tests)',
      xLabel: 'iterations',
      xInclude,
      yInclude: [0, 1],
      series: [
        { name: 'mean score', color: INK, points: training.map((r): Point => [done(r), r.reward.meanScore]) },
        { name: 'trees solved', color: MUTED, dashed: true, points: training.map((r): Point => [done(r), r.reward.solvedFraction]) },
        ...perAgent((r, a) => r.agents[a]?.meanScore).map((s) => ({ ...s, name: `${s.name} mean` })),
      ],
    }),
    linePlot({
      title: 'Evaluation: Pass@1 per agent',
      yLabel: 'Pass@1 (held-out)',
      xLabel: 'iterations',
      xInclude,
      yInclude: [0, 1],
      series: [
        ...perAgent(evalPass1, evals),
        ...(evals.some((r) => r.eval?.system)
          ? [
              { name: 'system Pass@1(MCTS)', color: INK, points: evals.map((r): Point => [done(r), r.eval?.system?.system.pass1Mcts ?? null]) },
              { name: 'system Pass@N', color: MUTED, dashed: true, points: evals.map((r): Point => [done(r), r.eval?.system?.system.passN ?? null]) },
            ]
          : []),
      ],
    }),
    linePlot({
      title: 'Hack rate',
      yLabel: 'passed public, failed private',
      xLabel: 'iterations',
      xInclude,
      yInclude: [0, 1],
      series: [
        { name: 'training nodes', color: INK, points: training.map((r): Point => [done(r), r.reward.hack.rate]) },
        { name: 'evaluation nodes', color: MUTED, dashed: true, points: evals.map((r): Point => [done(r), headlineHack(r.eval!)?.rate ?? null]) },
      ],
    }),
    linePlot({ title: 'Policy loss', xLabel: 'iterations',
      xInclude, yLabel: 'loss', series: perAgent((r, a) => r.agents[a]?.update?.loss) }),
    linePlot({ title: 'KL to the reference (k3)', xLabel: 'iterations',
      xInclude, yLabel: 'KL', series: perAgent((r, a) => r.agents[a]?.update?.kl) }),
    linePlot({
      title: 'Throughput',
      xLabel: 'iterations',
      xInclude,
      yLabel: 'tokens / s',
      yInclude: [0],
      series: [
        { name: 'generated (wall clock)', color: INK, points: training.map((r): Point => [done(r), rate(r.timing.generatedTokens, r.timing.wallMs)]) },
        { name: 'trained (in trainStep)', color: MUTED, dashed: true, points: training.map((r): Point => [done(r), rate(r.timing.trainedTokens, r.timing.trainMs)]) },
      ],
    }),
    linePlot({
      title: 'Search-tree depth',
      xLabel: 'iterations',
      xInclude,
      yLabel: 'depth',
      yInclude: [0],
      series: [
        { name: 'deepest node (mean over trees)', color: INK, points: training.map((r): Point => [done(r), mean(r.trees.map((t) => layoutTree(t.parents).maxDepth))]) },
        { name: 'node depth (mean)', color: MUTED, dashed: true, points: training.map((r): Point => [done(r), mean(r.trees.flatMap((t) => layoutTree(t.parents).depth))]) },
      ],
    }),
  ];

  const first = training[0];
  const last = training[training.length - 1];
  const treeSections = [first, last]
    .filter((r, i, all) => r && all.indexOf(r) === i)
    .map((r) => glyphSection(r, colorOf, data.maxGlyphs ?? 24));

  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8" />',
    '<meta name="viewport" content="width=device-width, initial-scale=1" />',
    `<title>mars2 run ${esc(data.runId)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    '<header>',
    `<h1>mars2 run <span class="id">${esc(data.runId)}</span></h1>`,
    data.subtitle ? `<p class="sub">${esc(data.subtitle)}</p>` : '',
    headline(records, agents, colorOf),
    '</header>',
    '<main>',
    evalTable(evals[evals.length - 1], agents, colorOf),
    standaloneTable(data.standalone ?? []),
    `<section class="plots">${plots.map((p) => `<figure>${p}</figure>`).join('\n')}</section>`,
    ...treeSections,
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function rate(tokens: number, ms: number): number | null {
  return ms > 0 ? (tokens / ms) * 1000 : null;
}

function headline(records: readonly IterationMetrics[], agents: readonly string[], colorOf: (a: string) => string): string {
  const training = records.filter((r) => r.iteration >= 0);
  const nodes = training.reduce((s, r) => s + r.nodes, 0);
  const steps = agents.map((a) => {
    const last = [...training].reverse().find((r) => r.agents[a]?.update);
    return `<span class="agent"><i style="background:${colorOf(a)}"></i>${esc(a)}: ${last?.agents[a].update?.step ?? 0}</span>`;
  });
  const last = training.at(-1);
  const cards = [
    ['iterations', String(training.length)],
    ['nodes generated', nodes.toLocaleString('en-US')],
    ['evaluations', String(records.filter((r) => r.eval).length)],
    ['hack rate, last iteration', last ? formatHack(last.reward.hack) : '–'],
  ];
  return [
    '<div class="cards">',
    ...cards.map(([k, v]) => `<div class="card"><div class="v">${v}</div><div class="k">${k}</div></div>`),
    `<div class="card wide"><div class="v small">${steps.join(' ')}</div><div class="k">optimizer steps per agent</div></div>`,
    '</div>',
  ].join('\n');
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** One row per evaluation run beside the training: when, which weights, the headline Pass@1. */
function standaloneTable(records: readonly EvaluationRecord[]): string {
  if (records.length === 0) return '';
  const versions = (v: Record<string, number>) => Object.entries(v).map(([o, n]) => `${esc(o)} v${n}`).join(', ');
  const headline = (r: EvaluationRecord) => {
    const h = headlinePass1(r.eval);
    return h === null ? '–' : pct(h);
  };
  const hack = (r: EvaluationRecord) => {
    const h = headlineHack(r.eval);
    return h === null ? '–' : formatHack(h);
  };
  return [
    '<section class="table">',
    `<h2>Evaluations beside the run <span class="muted">mars2 eval / mars2 schedule eval</span></h2>`,
    '<table>',
    '<thead><tr><th>started</th><th>weights</th><th>problems</th><th>Pass@1</th><th>hack rate</th></tr></thead>',
    '<tbody>',
    ...records.map(
      (r) => `<tr><td>${esc(r.startedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z'))}</td><td>${versions(r.versions)}${r.weights ? ' (int8)' : ''}</td><td class="n">${r.problems}</td><td class="n">${headline(r)}</td><td class="n">${hack(r)}</td></tr>`,
    ),
    '</tbody>',
    '</table>',
    '</section>',
  ].join('\n');
}

function evalTable(r: IterationMetrics | undefined, agents: readonly string[], colorOf: (a: string) => string): string {
  if (!r?.eval) return '<section class="table"><h2>Latest evaluation</h2><p class="muted">No evaluation yet.</p></section>';
  const rows: Array<[string, string, MetricsSummary]> = [];
  for (const a of agents) if (r.eval.agent?.[a]) rows.push([a, 'agent tree', r.eval.agent[a]]);
  if (r.eval.system) {
    rows.push(['system', 'joint tree', r.eval.system.system]);
    for (const a of agents) if (r.eval.system.agents[a]) rows.push([a, 'its nodes in the joint tree', r.eval.system.agents[a]]);
  }
  const cell = (name: string) =>
    name === 'system' ? '<b>system</b>' : `<span class="agent"><i style="background:${colorOf(name)}"></i>${esc(name)}</span>`;
  return [
    '<section class="table">',
    `<h2>Latest evaluation <span class="muted">after ${done(r)} iteration${done(r) === 1 ? '' : 's'}</span></h2>`,
    '<table>',
    '<thead><tr><th>who</th><th>mode</th><th>problems</th><th>Pass@1</th><th>Pass@1(MCTS)</th><th>Pass@N</th><th>avg_pass1</th><th>hack rate</th></tr></thead>',
    '<tbody>',
    ...rows.map(
      ([who, mode, m]) =>
        `<tr><td>${cell(who)}</td><td>${mode}</td><td class="n">${m.trees}</td><td class="n">${pct(m.pass1)}</td>` +
        `<td class="n">${pct(m.pass1Mcts)}</td><td class="n">${pct(m.passN)}</td><td class="n">${pct(m.avgPass1)}</td><td class="n">${formatHack(m.hack)}</td></tr>`,
    ),
    '</tbody>',
    '</table>',
    '</section>',
  ].join('\n');
}

function glyphSection(r: IterationMetrics, colorOf: (a: string) => string, max: number): string {
  const trees: TreeShape[] = r.trees.slice(0, max);
  const more = r.trees.length - trees.length;
  return [
    '<section class="trees">',
    `<h2>Search trees of iteration ${done(r)} <span class="muted">(${r.trees.length} problems; filled = score 1 on the ${r.reward.tests === 'all' ? 'public and private' : r.reward.tests} tests, half = partial, hollow = 0; colour = agent)</span></h2>`,
    `<div class="glyphs">${trees.map((t) => treeGlyph(t, colorOf)).join('\n')}</div>`,
    more > 0 ? `<p class="muted">… and ${more} more.</p>` : '',
    '</section>',
  ].join('\n');
}

const CSS = `
body { margin: 0; background: #fafafa; color: #222; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; }
header, main { max-width: 1180px; margin: 0 auto; padding: 0 20px; }
header { padding-top: 20px; }
h1 { font-size: 22px; margin: 0 0 2px; font-weight: 600; }
h1 .id { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
h2 { font-size: 16px; font-weight: 600; margin: 22px 0 8px; }
.sub, .muted { color: #666; font-weight: 400; }
.sub { margin: 0 0 12px; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 10px 0 4px; }
.card { background: #fff; border: 1px solid #e3e3e3; border-radius: 6px; padding: 8px 14px; min-width: 110px; }
.card .v { font-size: 20px; font-weight: 600; font-variant-numeric: tabular-nums; }
.card .v.small { font-size: 14px; line-height: 28px; }
.card .k { color: #666; font-size: 12px; }
.agent { white-space: nowrap; margin-right: 10px; }
.agent i { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 5px; vertical-align: -1px; }
table { border-collapse: collapse; background: #fff; border: 1px solid #e3e3e3; }
th, td { padding: 5px 12px; border-bottom: 1px solid #eee; text-align: left; }
th { font-weight: 600; font-size: 12px; color: #555; background: #f4f4f4; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.plots { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 14px; margin-top: 18px; }
figure { margin: 0; background: #fff; border: 1px solid #e3e3e3; border-radius: 6px; padding: 6px; }
figure svg { width: 100%; height: auto; display: block; }
.glyphs { display: flex; flex-wrap: wrap; gap: 6px; }
.glyphs svg { background: #fff; border: 1px solid #e3e3e3; border-radius: 4px; }
main { padding-bottom: 30px; }
`;
