// `mars2 data synth`: writes problems of the synthetic code domain (src/data/synthetic) as native JSONL,
// each line a call-style problem with its reference solution in `reference` (which the native loader takes
// off the problem: formats/native.ts). The same flags give a byte-identical file.
import { writeFileSync } from 'node:fs';
import { FAMILIES, SPLITS, synthesize, type Split, type SynthProblem } from '../data/synthetic';
import { parseFlags, UsageError, UserError, type Command } from './command';

const usage = [
  'usage: mars2 data synth --seed S --out F.jsonl [--count N] [--split SPLIT] [--json]',
  '  --seed S       integer seed; the same seed and flags give the same file, byte for byte',
  '  --out F.jsonl  native problems (call style, function f), one per line, each with its `reference`',
  '  --count N      problems per split (default 1000); a smaller N gives a prefix of a larger one',
  `  --split SPLIT  ${SPLITS.join(' | ')} | all (default train; all: each split in turn, N each)`,
  '                 held out from train by construction: unseen pairs of primitives (combo), depth 4–5',
  '                 where train has 1–3 (depth), unseen paraphrase templates (phrase)',
  '  --json         print {out, count, splits, families} as JSON',
  '',
  `Families: ${FAMILIES.map((f) => f.name).join(', ')} (src/data/synthetic). Example: mars2 data synth --seed 0 --count 10000 --out train.jsonl`,
].join('\n');

function integerFlag(v: string | undefined, flag: string, fallback: number | undefined, positive: boolean): number {
  if (v === undefined) {
    if (fallback === undefined) throw new UsageError(`--${flag} is required`);
    return fallback;
  }
  const n = Number(v);
  if (!/^-?\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || (positive && n < 1))
    throw new UsageError(`--${flag} expects ${positive ? 'a positive integer' : 'an integer'}, got '${v}'`);
  return n;
}

export const dataSynthCommand: Command = {
  name: 'data synth',
  summary: 'write synthetic Python function problems (train or a held-out split) as native JSONL with references',
  usage,
  async run(argv) {
    const { values } = parseFlags(argv, {
      seed: { type: 'string' }, out: { type: 'string' }, count: { type: 'string' }, split: { type: 'string' }, json: { type: 'boolean' },
    });
    const seed = integerFlag(values.seed, 'seed', undefined, false);
    const count = integerFlag(values.count, 'count', 1000, true);
    if (!values.out) throw new UsageError('--out F.jsonl is required');
    const split = values.split ?? 'train';
    if (split !== 'all' && !(SPLITS as readonly string[]).includes(split))
      throw new UsageError(`--split expects one of ${SPLITS.join(', ')} or all, got '${split}'`);
    const splits: Split[] = split === 'all' ? [...SPLITS] : [split as Split];
    const problems: SynthProblem[] = splits.flatMap((s) => synthesize({ seed, count, split: s }));
    const text = problems.map((p) => JSON.stringify({ ...p.problem, reference: p.reference })).join('\n') + '\n';
    try {
      writeFileSync(values.out, text);
    } catch (err) {
      throw new UserError(`cannot write --out ${values.out}: ${(err as Error).message}`);
    }
    const tally = (key: (p: SynthProblem) => string) => Object.fromEntries([...new Set(problems.map(key))].map((k) => [k, problems.filter((p) => key(p) === k).length]));
    const summary = { out: values.out, count: problems.length, splits: tally((p) => p.split), families: tally((p) => p.family) };
    if (values.json) console.log(JSON.stringify(summary));
    else console.log(`wrote ${summary.count} problems to ${summary.out} (${Object.entries(summary.splits).map(([k, v]) => `${k} ${v}`).join(', ')}; ${Object.entries(summary.families).map(([k, v]) => `${k} ${v}`).join(', ')})`);
    return 0;
  },
};
