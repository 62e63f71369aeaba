// `mars2 report`: a run's metrics file becomes a self-contained HTML page and a first-vs-last evaluation
// table in the terminal; a missing run is a clear error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatMetricsLine } from '../../src/report/metrics';
import { sampleMetrics } from '../../src/report/sample';
import { beforeAfter } from '../../src/report/beforeAfter';
import { mars2 as cli } from '../helpers/cli';

const root = join(__dirname, '..', '..');
const mars2 = (args: string[]) => cli(args, { stack: 'user' });

test('mars2 report writes an HTML page with plots from a metrics file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mars2-report-'));
  const metrics = join(dir, 'metrics.jsonl');
  const records = sampleMetrics();
  writeFileSync(metrics, records.map((r) => formatMetricsLine(r)).join(''));
  const out = join(dir, 'page.html');
  const stdout = execFileSync(process.execPath, ['--import', 'tsx', join(root, 'client.ts'), 'report', 'demo-run', '--metrics', metrics, '--out', out, '--json'], {
    encoding: 'utf8',
  });
  assert.deepEqual(JSON.parse(stdout), { path: out, iterations: records.length, beforeAfter: JSON.parse(JSON.stringify(beforeAfter(records))) });
  const text = execFileSync(process.execPath, ['--import', 'tsx', join(root, 'client.ts'), 'report', 'demo-run', '--metrics', metrics, '--out', out], { encoding: 'utf8' });
  assert.match(text, /held-out evaluation, first against last:\n +figure +problems +before training +after iteration 24 +change\n/);
  assert.match(text, /^agent qwen3-8b +Pass@1 +\d+ +0\.\d{3} \[0\.\d{3}, 0\.\d{3}\]/m);
  const html = readFileSync(out, 'utf8');
  assert.match(html, /^<!doctype html>/i);
  assert.match(html, /demo-run/);
  assert.ok((html.match(/<svg/g) ?? []).length >= 6, 'one plot per figure');
  assert.doesNotMatch(html, /<script|(src|href)=["']?https?:/, 'self-contained: no scripts, no external assets');
});

test('mars2 report names what is missing and what to do', () => {
  const res = mars2(['report', 'no-such-run', '--metrics', join(tmpdir(), 'no-such-file.jsonl')]);
  assert.equal(res.status, 1);
  assert.match(res.stderr, /no metrics for run 'no-such-run'.*mars2 runs/);
  const usage = mars2(['report']);
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /expected exactly one run id/);
});
