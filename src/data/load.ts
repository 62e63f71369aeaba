// Dataset loading: detects a file's format from its first record, converts every record into the native
// problem form (validated against problemSchema, defaults filled in) and streams the results. Formats:
// humaneval, mbpp (mbpp.jsonl and sanitized-mbpp.json), leetcode (LeetCodeDataset), lcb (LiveCodeBench),
// contest (stdin/stdout JSONL such as the CodeContests subset) and native.
import { DatasetError, describeLocation, type DatasetLocation } from './errors';
import type { Fields } from './fields';
import { contestFormat } from './formats/contest';
import { humanEvalFormat } from './formats/humaneval';
import { lcbFormat } from './formats/lcb';
import { leetCodeFormat } from './formats/leetcode';
import { mbppFormat } from './formats/mbpp';
import { nativeFormat } from './formats/native';
import { DATASET_FORMATS, type DatasetFormat, type FormatSpec } from './formats/types';
import { problemSchema, type Problem } from './problem';
import { readRecords } from './read';

export { DATASET_FORMATS, type DatasetFormat };

/** Detection order matters: LeetCode records also carry HumanEval's prompt/test/entry_point fields. */
const FORMATS: FormatSpec[] = [leetCodeFormat, lcbFormat, contestFormat, nativeFormat, humanEvalFormat, mbppFormat];

export interface LoadOptions {
  /** 'auto' (default) detects the format from the first record. */
  format?: DatasetFormat | 'auto';
}

export interface DatasetEntry {
  problem: Problem;
  /** The id the source dataset uses (task_id, problem_id, question_id); samples may name a problem by it. */
  sourceId: string;
  /** The dataset's reference solution as a whole program (the problem's prelude not included). */
  reference?: { code: string; expectedToPass: boolean };
  where: DatasetLocation;
  format: DatasetFormat;
}

export interface ReferenceSolution {
  problemId: string;
  code: string;
  /** False where the dataset itself records that the reference fails (CodeContests ref_check.all_pass). */
  expectedToPass: boolean;
}

/** The format a record looks like, or undefined. */
export function detectRecordFormat(f: Fields): DatasetFormat | undefined {
  return FORMATS.find((spec) => spec.detect(f))?.name;
}

/** Streams the dataset's problems, converted and validated. Throws DatasetError on the first bad record. */
export async function* readDataset(path: string, options: LoadOptions = {}): AsyncGenerator<DatasetEntry> {
  const wanted = options.format ?? 'auto';
  let spec: FormatSpec | undefined = wanted === 'auto' ? undefined : specFor(wanted);
  const seen = new Map<string, DatasetLocation>();
  for await (const f of readRecords(path)) {
    if (!spec) {
      const name = detectRecordFormat(f);
      if (!name)
        throw new DatasetError(
          f.where,
          `cannot tell the dataset format from the first record's fields (${Object.keys(f.record).slice(0, 12).join(', ')}); ` +
            `expected one of ${DATASET_FORMATS.join(', ')} — pass the format explicitly if it is one of them`,
        );
      spec = specFor(name);
    }
    const converted = spec.convert(f);
    const parsed = problemSchema.safeParse(converted.problem);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue.path.map(String).join('.');
      if (spec.name === 'native') throw new DatasetError({ ...f.where, field }, `${issue.message} (native problem form, DESIGN §6.1)`);
      throw new DatasetError(f.where, `the converted problem is invalid at '${field}': ${issue.message}`);
    }
    const problem = parsed.data;
    const first = seen.get(problem.id);
    if (first) throw new DatasetError(f.where, `duplicate problem id '${problem.id}' (first at ${describeLocation(first)})`);
    seen.set(problem.id, f.where);
    yield { problem, sourceId: converted.sourceId, reference: converted.reference, where: f.where, format: spec.name };
  }
}

/** The detected format of a dataset file (from its first record). */
export async function detectFormat(path: string): Promise<DatasetFormat> {
  for await (const entry of readDataset(path)) return entry.format;
  throw new DatasetError({ file: path }, 'the file has no records; expected a JSONL file or a JSON array of problems');
}

export async function loadDataset(path: string, options: LoadOptions = {}): Promise<DatasetEntry[]> {
  const out: DatasetEntry[] = [];
  for await (const entry of readDataset(path, options)) out.push(entry);
  return out;
}

export async function loadProblems(path: string, options: LoadOptions = {}): Promise<Problem[]> {
  return (await loadDataset(path, options)).map((e) => e.problem);
}

/** Every reference solution the dataset carries (none for LiveCodeBench; native files where a record has `reference`). */
export async function loadReferenceSolutions(path: string, options: LoadOptions = {}): Promise<ReferenceSolution[]> {
  const out: ReferenceSolution[] = [];
  for await (const { problem, reference } of readDataset(path, options))
    if (reference) out.push({ problemId: problem.id, code: reference.code, expectedToPass: reference.expectedToPass });
  return out;
}

function specFor(name: DatasetFormat): FormatSpec {
  const spec = FORMATS.find((s) => s.name === name);
  if (!spec) throw new Error(`unknown dataset format '${name}'`);
  return spec;
}
