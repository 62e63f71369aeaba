// What every dataset format module provides: how to recognise one of its records, and how to convert a
// record into the native problem form (DESIGN §6.1) plus the dataset's own id and reference solution.
import type { z } from 'zod';
import type { Fields } from '../fields';
import type { problemSchema } from '../problem';

export const DATASET_FORMATS = ['humaneval', 'mbpp', 'leetcode', 'lcb', 'contest', 'native'] as const;
export type DatasetFormat = (typeof DATASET_FORMATS)[number];

export interface Converted {
  /** Validated (and defaulted) against problemSchema by the loader. */
  problem: z.input<typeof problemSchema>;
  /** The id the source dataset itself uses (task_id, problem_id, question_id), for matching samples. */
  sourceId: string;
  /** The dataset's reference solution, as a whole program (the problem's prelude is not included). */
  reference?: { code: string; expectedToPass: boolean };
}

export interface FormatSpec {
  name: DatasetFormat;
  /** True when the record has this format's identifying fields. */
  detect(f: Fields): boolean;
  /** Throws DatasetError (through `f`) naming the field that is missing or malformed. */
  convert(f: Fields): Converted;
}
