// Typed access to the fields of one raw dataset record. Every accessor names the record's file, line and
// field in the DatasetError it throws, so a loader never reports "undefined is not a string".
import { DatasetError, type DatasetLocation } from './errors';

export type RawRecord = Record<string, unknown>;

export class Fields {
  constructor(
    readonly record: RawRecord,
    readonly where: DatasetLocation,
  ) {}

  has(field: string): boolean {
    return this.record[field] !== undefined && this.record[field] !== null;
  }

  /** Throws a DatasetError located at `field`. */
  fail(field: string, problem: string): never {
    throw new DatasetError({ ...this.where, field }, problem);
  }

  str(field: string): string {
    const v = this.record[field];
    if (typeof v !== 'string') this.fail(field, `expected a string, found ${describe(v)}`);
    return v;
  }

  optStr(field: string): string | undefined {
    return this.has(field) ? this.str(field) : undefined;
  }

  /** An id that datasets write either as a number (MBPP task_id 11) or a string; returned as a string. */
  id(field: string): string {
    const v = this.record[field];
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
    if (typeof v === 'string' && v.length > 0) return v;
    this.fail(field, `expected a non-empty string or a number, found ${describe(v)}`);
  }

  optNumber(field: string): number | undefined {
    if (!this.has(field)) return undefined;
    const v = this.record[field];
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(field, `expected a number, found ${describe(v)}`);
    return v;
  }

  array(field: string): unknown[] {
    const v = this.record[field];
    if (!Array.isArray(v)) this.fail(field, `expected an array, found ${describe(v)}`);
    return v;
  }

  strArray(field: string): string[] {
    return this.array(field).map((v, i) => {
      if (typeof v !== 'string') this.fail(`${field}[${i}]`, `expected a string, found ${describe(v)}`);
      return v;
    });
  }

  /** An array of {input, output} string pairs, e.g. a contest set's `tests`. */
  testCases(field: string): { input: string; output: string }[] {
    return this.array(field).map((v, i) => testCaseAt(this, `${field}[${i}]`, v));
  }
}

export function testCaseAt(f: Fields, field: string, v: unknown): { input: string; output: string } {
  if (!isRecord(v)) f.fail(field, `expected an object {input, output}, found ${describe(v)}`);
  if (typeof v.input !== 'string') f.fail(`${field}.input`, `expected a string, found ${describe(v.input)}`);
  if (typeof v.output !== 'string') f.fail(`${field}.output`, `expected a string, found ${describe(v.output)}`);
  return { input: v.input, output: v.output };
}

export function isRecord(v: unknown): v is RawRecord {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A short description of a value's type (and for short scalars the value), for error messages. */
export function describe(v: unknown): string {
  if (v === undefined) return 'nothing (field missing)';
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return v.length <= 40 ? `the string ${JSON.stringify(v)}` : `a string of ${v.length} chars`;
  return `${typeof v} ${String(v)}`;
}
