// Times `mars2 search-sim`'s work on bench/search-sim-2agents.json (10,000 trials × 16 steps, 2
// agents): the pure simulation, then the JSON document, best of 3 runs.
//   node --import tsx bench/search-sim.ts [config.json]
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { simConfigSchema, simulate } from '../src/search/sim';

const file = process.argv[2] ?? path.join(__dirname, 'search-sim-2agents.json');
const config = simConfigSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
const steps = config.trials * config.steps;

let bestSim = Infinity;
let bestJson = Infinity;
let bytes = 0;
for (let run = 0; run < 3; run++) {
  const t0 = performance.now();
  const trees = [...simulate(config)];
  const t1 = performance.now();
  bytes = trees.map((t) => JSON.stringify(t)).join(',\n').length;
  const t2 = performance.now();
  bestSim = Math.min(bestSim, t1 - t0);
  bestJson = Math.min(bestJson, t2 - t1);
}
console.log(`${path.basename(file)}: ${config.trials} trials × ${config.steps} steps, ${config.agents.length} agents, ${config.dist_type}`);
console.log(`  simulate   ${(bestSim / 1000).toFixed(2)} s  (${((bestSim * 1000) / steps).toFixed(1)} µs per step, best of 3)`);
console.log(`  serialize  ${(bestJson / 1000).toFixed(2)} s  (${(bytes / 1e6).toFixed(1)} MB of trees)`);
