// `mars2 report RUN`: an HTML page with SVG plots of a training run's metrics file (src/report).
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseMetrics } from '../report/metrics';
import { renderReport } from '../report/render';
import { currentStack } from '../stack';
import { Store, writeFileAtomic } from '../store';
import { parseFlags, UsageError, UserError, type Command } from './command';
import { runLayout } from '../store/layout';
import { readEvaluations } from '../report/evaluations';
import { beforeAfter, formatBeforeAfter } from '../report/beforeAfter';

export const reportCommand: Command = {
  name: 'report',
  summary: "write an HTML report (reward, pass@1, loss, KL, tokens/s, tree shapes) of a run's metrics",
  usage: [
    'usage: mars2 report RUN [--out FILE] [--json]',
    '',
    '  RUN          the run id (its metrics are in the stack\'s store: runs/RUN/metrics.jsonl)',
    '  --metrics F  read this metrics file instead of the run\'s',
    '  --out FILE   where to write the page (default: next to the metrics, report.html)',
    '  --json       print {"path", "iterations", "beforeAfter"} instead of a sentence and the table',
    '',
    "With two or more of the run's own evaluations, also prints its first and last side by side (Pass@1 per",
    'agent, the system\'s Pass@1(MCTS)) with 95% intervals and the change.',
  ].join('\n'),
  async run(argv) {
    const { values, positionals } = parseFlags(
      argv,
      { out: { type: 'string' }, metrics: { type: 'string' }, json: { type: 'boolean' } },
      true,
    );
    const runId = positionals[0];
    if (!runId || positionals.length > 1) throw new UsageError('expected exactly one run id');
    const store = new Store(join(currentStack().home, 'store'));
    const source = values.metrics ? resolve(values.metrics) : runLayout(store.root, runId).metrics;
    if (!existsSync(source)) {
      throw new UserError(`no metrics for run '${runId}' at ${source}: check the id with 'mars2 runs', or pass --metrics FILE`);
    }
    const records = parseMetrics(readFileSync(source, 'utf8'), source);
    const out = resolve(values.out ?? join(source, '..', 'report.html'));
    const standalone = values.metrics ? [] : readEvaluations(runLayout(store.root, runId).evaluations);
    await writeFileAtomic(out, renderReport({ runId, records, standalone }));
    const compared = beforeAfter(records);
    if (values.json) console.log(JSON.stringify({ path: out, iterations: records.length, beforeAfter: compared }));
    else {
      console.log(`report of ${runId} (${records.length} metrics records): ${out}`);
      if (compared) console.log(`\nheld-out evaluation, first against last:\n${formatBeforeAfter(compared)}`);
    }
    return 0;
  },
};
