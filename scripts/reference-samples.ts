// Writes a dataset's reference solutions as an evaluate-samples file ({task_id, code} per line), so
// that `mars2 evaluate-samples` can check a dataset's own references in the sandbox.
//   node --import tsx scripts/reference-samples.ts DATASET OUT.jsonl [--limit N]
import { writeFileSync } from 'node:fs';
import { loadReferenceSolutions } from '../src/data';

async function main(argv: string[]): Promise<void> {
  const [dataset, out] = argv;
  const limitAt = argv.indexOf('--limit');
  const limit = limitAt >= 0 ? Number(argv[limitAt + 1]) : Infinity;
  if (!dataset || !out || Number.isNaN(limit)) {
    console.error('usage: node --import tsx scripts/reference-samples.ts DATASET OUT.jsonl [--limit N]');
    process.exit(2);
  }
  const refs = (await loadReferenceSolutions(dataset)).filter((r) => r.expectedToPass).slice(0, limit);
  writeFileSync(out, refs.map((r) => JSON.stringify({ task_id: r.problemId, code: r.code })).join('\n') + '\n');
  console.log(`${refs.length} reference solutions of ${dataset} → ${out}`);
}

main(process.argv.slice(2)).catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
