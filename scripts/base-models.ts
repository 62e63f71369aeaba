// The two steps of scripts/base-models that the CLI has no command for (docs/base-models.md):
//   sft-data  the SFT rows of the base agents from a train-split file: every problem as mars2's root
//             prompt → "```python\n<reference>\n```", plus repair rows (about `--repair` of all rows):
//             tplusRefinementPrompt(statement, a near-miss program, the T+ feedback of its real public-test
//             run in the sandbox, fork mode as the worker runs it) → the reference.
//   eval      Pass@1 of a model on problem files, private tests: greedy and temperature 1 (top-k 0,
//             top-p 1), one sample each per problem, in process (ModelHost, batched; Sandbox, fork mode).
//   node --import tsx scripts/base-models.ts sft-data --train F.jsonl --seed S --out sft.jsonl [--repair 0.2]
//   node --import tsx scripts/base-models.ts eval --model DIR --out F.json NAME=F.jsonl… [--problems N] [--threads T]
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { feedbackOf } from '../src/activities/search';
import { problemSchema, type Problem } from '../src/data/problem';
import { nearMisses, synthesize, type SynthProblem } from '../src/data/synthetic';
import { ModelHost } from '../src/models/host';
import { Sandbox, type RunReport } from '../src/sandbox';
import { extractProgram } from '../src/search/extract';
import { rootPrompt, tplusRefinementPrompt } from '../src/search/prompts';

const fence = (code: string) => `\`\`\`python\n${code.trimEnd()}\n\`\`\``;
const row = (user: string, code: string) => JSON.stringify({ messages: [{ role: 'user', content: user }, { role: 'assistant', content: fence(code) }] });

function readJsonl<T>(file: string): T[] {
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as T);
}

async function sftData(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { train: { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' }, repair: { type: 'string', default: '0.2' } } });
  if (!values.train || values.seed === undefined || !values.out) throw new Error('sft-data needs --train F.jsonl --seed S --out F.jsonl');
  const file = readJsonl<{ id: string }>(values.train);
  // The specs are not written out: re-synthesize with the file's seed and check it is the same file.
  const synth = synthesize({ seed: Number(values.seed), count: file.length, split: 'train' });
  synth.forEach((p, i) => {
    if (p.problem.id !== file[i].id) throw new Error(`${values.train}:${i + 1}: id ${file[i].id}, but seed ${values.seed} synthesizes ${p.problem.id}; pass the seed the file was written with`);
  });
  // Repair rows: share r of all rows, so one per (1-r)/r problems, taken at a fixed stride.
  const share = Number(values.repair);
  const stride = share > 0 ? (1 - share) / share : Infinity;
  const chosen = synth.filter((_, i) => share > 0 && Math.floor(i / stride) !== Math.floor((i + 1) / stride));
  const sandbox = await Sandbox.start({ size: 2, mode: 'fork' });
  let repairs: string[];
  let missing = 0;
  try {
    repairs = await Promise.all(chosen.map(async (p) => {
      const at = synth.indexOf(p);
      const neighbours = [...synth.slice(at + 1, at + 9), ...synth.slice(Math.max(0, at - 8), at)];
      const problem = problemSchema.parse(p.problem);
      for (const code of nearMisses(p, neighbours).slice(0, 4)) {
        const report = await sandbox.runTests(problem, code, { tests: 'public' });
        if (report.verdict !== 'AC' && report.verdict !== 'IE') return repairRow(p, problem, code, report);
      }
      missing++;
      return '';
    }));
  } finally {
    await sandbox.close();
  }
  // Row order does not matter: mars2 sft draws batches from a seeded shuffle.
  const rows = [...synth.map((p) => row(rootPrompt(p.problem.prompt), p.reference)), ...repairs.filter(Boolean)];
  writeFileSync(values.out, rows.join('\n') + '\n');
  console.log(`sft-data: ${synth.length} root rows, ${repairs.length - missing} repair rows (${missing} problems with no failing near-miss) → ${values.out}`);
}

function repairRow(p: SynthProblem, problem: Problem, code: string, report: RunReport): string {
  const user = tplusRefinementPrompt({
    problem: rootPrompt(problem.prompt),
    parentCode: extractProgram(fence(code)),
    failures: report.tests.filter((t) => t.verdict !== 'AC').map(feedbackOf),
    passed: report.passed,
    total: report.total,
  });
  return row(user, p.reference);
}

interface SplitResult {
  problems: number;
  greedy: number;
  t1: number;
  /** Samples whose answer held no ```python block of 20+ characters. */
  noProgram: number;
}

async function evaluate(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true,
    options: { model: { type: 'string' }, out: { type: 'string' }, problems: { type: 'string', default: '200' }, threads: { type: 'string', default: '2' }, 'max-new-tokens': { type: 'string', default: '160' } },
  });
  if (!values.model || !values.out || positionals.length === 0) throw new Error('eval needs --model DIR --out F.json and NAME=F.jsonl …');
  const n = Number(values.problems);
  const host = new ModelHost({ threads: Number(values.threads), maxBatch: 64 });
  const sandbox = await Sandbox.start({ size: 2, mode: 'fork' });
  const out: Record<string, SplitResult> = {};
  const t0 = Date.now();
  try {
    for (const spec of positionals) {
      const [name, file] = spec.split('=');
      const problems = readJsonl<{ reference?: string }>(file).slice(0, n).map(({ reference: _, ...p }) => problemSchema.parse(p));
      const res: SplitResult = { problems: problems.length, greedy: 0, t1: 0, noProgram: 0 };
      await Promise.all(problems.flatMap((problem, i) => (['greedy', 't1'] as const).map(async (mode) => {
        const gen = await host.generate({
          model: values.model!, messages: [{ role: 'user', content: rootPrompt(problem.prompt) }], seed: i,
          sampling: mode === 'greedy' ? { greedy: true } : { temperature: 1, topK: 0, topP: 1 }, maxNewTokens: Number(values['max-new-tokens']),
        });
        const code = extractProgram(gen.text);
        if (code === null) return void res.noProgram++;
        const report = await sandbox.runTests(problem, code, { tests: 'private', stopOnFirstFailure: true });
        if (report.verdict === 'AC') res[mode]++;
      })));
      res.greedy /= problems.length;
      res.t1 /= problems.length;
      out[name] = res;
      console.log(`eval ${values.model} ${name}: ${problems.length} problems, greedy ${res.greedy.toFixed(3)}, T=1 ${res.t1.toFixed(3)} (${res.noProgram} samples without a program), ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
  } finally {
    await Promise.all([host.close(), sandbox.close()]);
  }
  writeFileSync(values.out, JSON.stringify({ model: values.model, samplesPerMode: 1, tests: 'private', splits: out, seconds: (Date.now() - t0) / 1000 }, null, 2) + '\n');
}

const [cmd, ...rest] = process.argv.slice(2);
(cmd === 'sft-data' ? sftData(rest) : cmd === 'eval' ? evaluate(rest) : Promise.reject(new Error(`usage: base-models.ts sft-data|eval …, got '${cmd}'`))).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
