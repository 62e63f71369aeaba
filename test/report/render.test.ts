// The report page: well-formed, self-contained (no scripts, no external assets), one SVG per plot with
// a viewBox, the latest evaluation's figures in the table, tree glyphs for the first and last
// iteration; and it still renders for a run that has no records yet or only one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { layoutTree, renderReport } from '../../src/report';
import { sampleMetrics } from '../../src/report/sample';
import { wellFormedProblems } from './wellFormed';
import { readEvaluations } from '../../src/report/evaluations';

const records = sampleMetrics({ iterations: 8, problemsPerIteration: 30, budget: 6, evalEvery: 4 });

test('the page is well-formed, self-contained, and has every plot', () => {
  const html = renderReport({ runId: 'r<1>', subtitle: 'a & b', records });
  assert.deepEqual(wellFormedProblems(html), []);
  assert.ok(html.startsWith('<!DOCTYPE html>\n<html lang="en">'));
  assert.doesNotMatch(html, /<script|<link|<img|@import|url\(|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
  const svgs = [...html.matchAll(/<svg [^>]*>/g)].map((m) => m[0]);
  assert.ok(svgs.every((s) => /viewBox="0 0 \d+ \d+"/.test(s)));
  const titles = [...html.matchAll(/<figure><svg[^>]*>\n<title>([^<]*)<\/title>/g)].map((m) => m[1]);
  assert.deepEqual(titles, ['Training reward', 'Evaluation: Pass@1 per agent', 'Hack rate', 'Policy loss', 'KL to the reference (k3)', 'Throughput', 'Search-tree depth']);
  assert.match(html, /<h1>mars2 run <span class="id">r&lt;1&gt;<\/span><\/h1>/);
});

test('the evaluation table shows the latest evaluation, and the plots one series per agent', () => {
  const html = renderReport({ runId: 'r', records });
  const last = records[records.length - 1];
  assert.ok(last.eval);
  assert.match(html, /after 8 iterations/);
  const [agent] = Object.keys(last.eval.agent!);
  const m = last.eval.agent![agent];
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  assert.ok(html.includes(`<td class="n">${pct(m.pass1)}</td><td class="n">${pct(m.pass1Mcts)}</td>`), 'agent-mode row');
  const s = last.eval.system!.system;
  assert.ok(html.includes(`<td class="n">${pct(s.pass1Mcts)}</td><td class="n">${pct(s.passN)}</td>`), 'system row');
  assert.ok(html.includes(`<td class="n">${pct(m.avgPass1)}</td><td class="n">${pct(m.hack.rate!)} (${m.hack.hacked}/${m.hack.checked})</td></tr>`), 'hack rate column');
  const lossPlot = html.split('<figure>')[4];
  assert.deepEqual([...lossPlot.matchAll(/data-series="([^"]*)"/g)].map((x) => x[1]), ['qwen3-8b', 'areal-8b']);
});

test('the hack rate: a card for the last iteration, a plot of training and evaluation nodes', () => {
  const html = renderReport({ runId: 'r', records });
  const h = records[records.length - 1].reward.hack;
  assert.ok(h.rate !== null && h.checked > 0);
  assert.ok(html.includes(`<div class="v">${(100 * h.rate).toFixed(1)}% (${h.hacked}/${h.checked})</div><div class="k">hack rate, last iteration</div>`));
  const plot = html.split('<figure>')[3];
  assert.match(plot, /<title>Hack rate<\/title>/);
  assert.deepEqual([...plot.matchAll(/data-series="([^"]*)"/g)].map((x) => x[1]), ['training nodes', 'evaluation nodes']);
});

test('tree glyphs: the first and the last iteration, at most maxGlyphs each', () => {
  const html = renderReport({ runId: 'r', records, maxGlyphs: 10 });
  assert.equal((html.match(/<svg [^>]*class="glyph"/g) ?? []).length, 20);
  assert.match(html, /Search trees of iteration 1 /);
  assert.match(html, /Search trees of iteration 8 /);
  assert.equal((html.match(/… and 20 more\./g) ?? []).length, 2);
});

test('a run without records, and a run with one record, still render', () => {
  const empty = renderReport({ runId: 'new', records: [] });
  assert.deepEqual(wellFormedProblems(empty), []);
  assert.equal((empty.match(/no data yet/g) ?? []).length, 7);
  assert.match(empty, /No evaluation yet\./);
  const one = renderReport({ runId: 'one', records: records.slice(0, 2) });
  assert.deepEqual(wellFormedProblems(one), []);
  assert.equal((one.match(/<polyline/g) ?? []).length, 0, 'single points are dots, not lines');
  assert.match(one, /after 0 iterations/);
});

test('layoutTree: leaves left to right in creation order, parents centred, depth from the root', () => {
  // root ─ 0 ─ 2, 3 ; root ─ 1 ─ 4 ─ 5
  assert.deepEqual(layoutTree([-1, -1, 0, 0, 1, 4]), { x: [1 / 6, 2 / 3, 0, 1 / 3, 2 / 3, 2 / 3].map((v) => v * 1.5), depth: [1, 1, 2, 2, 2, 3], maxDepth: 3 });
  assert.deepEqual(layoutTree([-1]), { x: [0.5], depth: [1], maxDepth: 1 });
  assert.deepEqual(layoutTree([]), { x: [], depth: [], maxDepth: 0 });
});

test('evaluations beside the run: one row each with its weights and headline Pass@1; none, no section', () => {
  const last = records[records.length - 1];
  const standalone = [
    { v: 1 as const, workflowId: 'r-scheduled-eval-1', startedAt: '2026-11-23T10:00:00.123Z', versions: { a: 3 }, problems: 8, eval: last.eval! },
  ];
  const html = renderReport({ runId: 'r', records, standalone });
  assert.deepEqual(wellFormedProblems(html), []);
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const h = last.eval!.system!.system.hack;
  assert.ok(
    html.includes(
      `<tr><td>2026-11-23 10:00:00Z</td><td>a v3</td><td class="n">8</td><td class="n">${pct(last.eval!.system!.system.pass1Mcts)}</td><td class="n">${pct(h.rate!)} (${h.hacked}/${h.checked})</td></tr>`,
    ),
  );
  assert.doesNotMatch(renderReport({ runId: 'r', records }), /Evaluations beside the run/);
});

test('an evaluations.jsonl line written before the hack rate existed reads as nothing checked and renders as –', () => {
  const summary = { trees: 2, pass1: 0.5, pass1Mcts: 0.5, passN: 1, avgPass1: 0.5 };
  const path = join(mkdtempSync(join(tmpdir(), 'mars2-evals-')), 'evaluations.jsonl');
  const old = { v: 1, workflowId: 'r-eval-1', startedAt: '2026-11-23T10:00:00.000Z', versions: { a: 1 }, problems: 2, eval: { agent: { a: summary }, system: { system: summary, agents: { a: summary } } } };
  writeFileSync(path, `${JSON.stringify(old)}\n`);
  const [record] = readEvaluations(path);
  const none = { hacked: 0, checked: 0, rate: null };
  assert.deepEqual([record.eval.agent!.a.hack, record.eval.system!.system.hack, record.eval.system!.agents.a.hack], [none, none, none]);
  const html = renderReport({ runId: 'r', records, standalone: [record] });
  assert.ok(html.includes('<td class="n">50.0%</td><td class="n">–</td></tr>'));
});
