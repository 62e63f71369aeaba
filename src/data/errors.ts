// DatasetError: a dataset record that cannot be read or converted, located by file, line (or array item) and
// field, so the message says exactly where to look and what was expected there.

export interface DatasetLocation {
  file: string;
  /** 1-based line of a JSONL file. */
  line?: number;
  /** 0-based index in a top-level JSON array (sanitized-mbpp.json). */
  item?: number;
  /** Dotted path of the field inside the record, e.g. 'test_list[2]' or 'private_test_cases'. */
  field?: string;
}

export class DatasetError extends Error {
  override name = 'DatasetError';
  readonly file: string;
  readonly line?: number;
  readonly item?: number;
  readonly field?: string;

  constructor(where: DatasetLocation, problem: string) {
    super(`${describeLocation(where)}: ${problem}`);
    this.file = where.file;
    this.line = where.line;
    this.item = where.item;
    this.field = where.field;
  }
}

export function describeLocation(where: DatasetLocation): string {
  let s = where.file;
  if (where.line !== undefined) s += `:${where.line}`;
  if (where.item !== undefined) s += ` item ${where.item}`;
  if (where.field !== undefined) s += ` field '${where.field}'`;
  return s;
}
