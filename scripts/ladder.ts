// The two steps of scripts/ladder that need code (docs/results.md):
//   config     one seed's run config of an experiments/ladder/*.json: runId <name>-s<seed>, the seed, and
//              every path made absolute (the file is written elsewhere than the experiment).
//   summarize  the runs' metrics → markdown tables: per set-up and agent, held-out Pass@1 before and after
//              training as the mean over seeds with a 95% t-interval (and each seed's figures), the change
//              likewise, and each run's compute (iterations, generated tokens, trained tokens, wall time).
//   node --import tsx scripts/ladder.ts config EXPERIMENT.json SEED OUT.json
//   node --import tsx scripts/ladder.ts summarize STORE_RUNS_DIR SETUP=RUN,RUN… … [--svg DIR]
//              --svg: also DIR/ladder-reward.svg (each run's mean node score, 10-iteration running mean) and
//              DIR/ladder-pass1.svg (each run's agents, held-out Pass@1 at the first and last evaluation)
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { beforeAfter } from '../src/report/beforeAfter';
import { parseMetrics, type IterationMetrics } from '../src/report/metrics';
import { linePlot, PALETTE, type Series } from '../src/report/svg';

function config([experiment, seed, out]: string[]): void {
  if (!experiment || !seed || !out) throw new Error('config needs EXPERIMENT.json SEED OUT.json');
  const c = JSON.parse(readFileSync(experiment, 'utf8'));
  const base = dirname(resolve(experiment));
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
  c.runId = `${c.runId}-s${seed}`;
  c.seed = Number(seed);
  for (const d of Object.values(c.datasets ?? {}) as ({ path: string } | null)[]) if (d) d.path = abs(d.path);
  for (const a of c.agents) if (a.model) a.model = abs(a.model);
  writeFileSync(out, JSON.stringify(c, null, 2) + '\n');
}

// Two-sided 95% Student t quantiles for n − 1 degrees of freedom.
const T975: Record<number, number> = { 1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262 };

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Mean ± half-width of the 95% t-interval over seeds ('' half-width for one seed). */
function meanCi(xs: number[]): { mean: number; half: number | null } {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, half: null };
  const sd = Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1));
  return { mean, half: (T975[n - 1] ?? 1.96) * (sd / Math.sqrt(n)) };
}

const f3 = (x: number) => x.toFixed(3);
const pm = ({ mean, half }: { mean: number; half: number | null }, sign = false) =>
  `${sign && mean >= 0 ? '+' : ''}${f3(mean)}${half === null ? '' : ` ± ${f3(half)}`}`;

function summarize(argv: string[]): void {
  const svgAt = argv.indexOf('--svg');
  const svgDir = svgAt >= 0 ? argv[svgAt + 1] : undefined;
  const [runsDir, ...specs] = svgAt >= 0 ? [...argv.slice(0, svgAt), ...argv.slice(svgAt + 2)] : argv;
  if (!runsDir || specs.length === 0) throw new Error('summarize needs STORE_RUNS_DIR and SETUP=RUN,RUN…');
  const reward: Series[] = [];
  const pass1: Series[] = [];
  const pass: string[] = [
    '| set-up | agent | seeds | problems | before | after | change | per seed (before → after) |',
    '|---|---|---|---|---|---|---|---|',
  ];
  const compute: string[] = ['| run | iterations | generated tokens | trained tokens | wall (min) |', '|---|---|---|---|---|'];
  for (const spec of specs) {
    const [setup, list] = spec.split('=');
    const runs = list!.split(',');
    const tables = runs.map((run) => {
      const file = `${runsDir}/${run}/metrics.jsonl`;
      const records: IterationMetrics[] = parseMetrics(readFileSync(file, 'utf8'), file);
      const trained = records.filter((r) => r.iteration >= 0);
      const sum = (f: (r: IterationMetrics) => number) => records.reduce((a, r) => a + f(r), 0);
      compute.push(`| ${run} | ${trained.length} | ${sum((r) => r.timing.generatedTokens).toLocaleString('en-US')} | ${sum((r) => r.timing.trainedTokens).toLocaleString('en-US')} | ${(sum((r) => r.timing.wallMs) / 60000).toFixed(1)} |`);
      const t = beforeAfter(records);
      if (!t) throw new Error(`${file}: fewer than two evaluations`);
      const scores = trained.map((r) => r.reward.meanScore ?? 0);
      const color = PALETTE[reward.length % PALETTE.length]!;
      reward.push({ name: run, color, points: scores.map((_, i) => [i + 1, mean(scores.slice(Math.max(0, i - 9), i + 1))] as const) });
      t.rows.forEach((r, k) => pass1.push({ name: `${run} ${r.who.replace(/^agent /, '')}`, color, dashed: k > 0, points: [[t.first + 1, r.before], [t.last + 1, r.after]] }));
      return t;
    });
    for (const who of tables[0]!.rows.map((r) => r.who)) {
      const rows = tables.map((t) => t.rows.find((r) => r.who === who)!);
      pass.push(`| ${setup} | ${who.replace(/^agent /, '')} | ${rows.length} | ${rows[0]!.n} | ${pm(meanCi(rows.map((r) => r.before)))} | ${pm(meanCi(rows.map((r) => r.after)))} | ${rows.length === 1 ? `${pm(meanCi([rows[0]!.change]), true)} [${f3(rows[0]!.changeCi.lo)}, ${f3(rows[0]!.changeCi.hi)}]ᵃ` : pm(meanCi(rows.map((r) => r.change)), true)} | ${rows.map((r) => `${f3(r.before)} → ${f3(r.after)}`).join('; ')} |`);
    }
  }
  if (svgDir) {
    writeFileSync(`${svgDir}/ladder-reward.svg`, linePlot({ title: 'Mean node score (training reward), 10-iteration running mean', series: reward, xLabel: 'iteration', yInclude: [0] }));
    writeFileSync(`${svgDir}/ladder-pass1.svg`, linePlot({ title: 'Held-out Pass@1 (T=1): first and last evaluation', series: pass1, xLabel: 'iteration (0 = before training)', yInclude: [0] }));
  }
  const note = 'ᵃ one seed: the run\'s own 95% interval of the change (normal, unpaired), not an interval over seeds.';
  console.log(['### Held-out Pass@1 (T=1, private tests), mean ± 95% t-interval over seeds', '', ...pass, '', note, '', '### Compute per run', '', ...compute].join('\n'));
}

const [cmd, ...rest] = process.argv.slice(2);
try {
  if (cmd === 'config') config(rest);
  else if (cmd === 'summarize') summarize(rest);
  else throw new Error(`usage: ladder.ts config|summarize …, got '${cmd}'`);
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
}
