// Sandbox throughput on this machine (goal on 2 cores: ≥ 60 executions/s in process mode, ≥ 300/s in fork
// mode; sandbox.md §9.2), against docker-exec-per-test and container-per-test, and MBPP's 974 reference
// solutions end to end. Run: node --import tsx bench/sandbox.ts [--executions N] [--no-mbpp]
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { cpus } from 'node:os';
import { runSandboxBench } from '../src/sandbox/bench';
import { loadDataset } from '../src/data/load';

const MBPP = join(process.env.MARS2_DATA ?? join(__dirname, '..', '..', 'shared', 'data'), 'mbpp', 'mbpp.jsonl');

async function main() {
  const { values } = parseArgs({ options: { executions: { type: 'string' }, 'no-mbpp': { type: 'boolean' }, mbpp: { type: 'string' } } });
  const mbppPath = values.mbpp ?? MBPP;
  const references =
    values['no-mbpp'] || !existsSync(mbppPath)
      ? []
      : (await loadDataset(mbppPath)).filter((e) => e.reference).map((e) => ({ problem: e.problem, code: e.reference!.code }));
  console.log(`sandbox bench: ${cpus().length} cores, trivial program 'print(1)'${references.length ? `, ${references.length} MBPP references` : ''}`);
  await runSandboxBench({
    executions: values.executions ? Number(values.executions) : 300,
    references,
    referencesLabel: 'MBPP',
    log: (line) => console.log(line),
  });
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
