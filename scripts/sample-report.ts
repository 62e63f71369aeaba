// Writes .mars2/sample-report.html from synthetic metrics (src/report/sample.ts), to look at the report
// before a real run exists. Run: node --import tsx scripts/sample-report.ts [out.html]
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { formatMetricsLine, parseMetrics, renderReport } from '../src/report';
import { sampleMetrics } from '../src/report/sample';

const out = path.resolve(process.argv[2] ?? path.join(__dirname, '..', '.mars2', 'sample-report.html'));
// Round-trip through the file format, as `mars2 report` will read it.
const text = sampleMetrics().map(formatMetricsLine).join('');
const records = parseMetrics(text, 'sample metrics');
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(
  out,
  renderReport({ runId: 'sample-heterogeneous', subtitle: 'synthetic metrics · heterogeneous · qwen3-8b + areal-8b · 8 nodes per tree', records }),
);
console.log(`${records.length} records → ${out}`);
