// Config errors that name the field (STYLE 13, 14): zod issues turned into `path: message` lines, with
// the path written as a reader writes it (`agents[1].model`) and the message saying what was expected
// and what was found. Pure (no I/O): the loader in config.ts and the metrics parser both use it.
//
// Every message is built from the issue and the schema itself: a missing field says `required (expected
// a string)`, an unknown key lists the keys that object accepts (read from the schema by walking the
// path), a union reports the branch that came closest.
import type { z } from 'zod';

export interface ConfigIssue {
  /** `agents[1].model`; '' for the document itself. */
  path: string;
  message: string;
}

/** A config (or other input document) that did not validate. `source` is the file, or a label. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    readonly source: string,
    readonly issues: readonly ConfigIssue[],
  ) {
    super(issues.map((i) => `${source}: ${i.path === '' ? '' : `${i.path}: `}${i.message}`).join('\n'));
  }
}

/** `['agents', 1, 'model']` → `agents[1].model`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

/** A short description of a found value: `"abc"`, `3`, `null`, `an array`, `an object`. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  return String(value);
}

const ARTICLE: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  object: 'an object',
  array: 'an array',
  null: 'null',
};

/**
 * One issue per line, in zod's order. Parse with `{ reportInput: true }` so messages can show what was
 * found. `schema` (the one that was parsed) lets an unknown key list the keys that are accepted there.
 */
export function configIssues(error: z.ZodError, schema?: z.ZodType, prefix: readonly PropertyKey[] = []): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const issue of error.issues) out.push(...issueLines(issue as Issue, schema, prefix));
  return out;
}

interface Issue {
  code: string;
  path: PropertyKey[];
  message: string;
  input?: unknown;
  expected?: string;
  keys?: string[];
  values?: unknown[];
  minimum?: number | bigint;
  maximum?: number | bigint;
  inclusive?: boolean;
  origin?: string;
  errors?: Issue[][];
}

function issueLines(issue: Issue, schema: z.ZodType | undefined, prefix: readonly PropertyKey[]): ConfigIssue[] {
  const path = [...prefix, ...issue.path];
  const found = 'input' in issue ? `, found ${describeValue(issue.input)}` : '';
  switch (issue.code) {
    case 'invalid_type': {
      const expected = ARTICLE[issue.expected ?? ''] ?? issue.expected;
      if (issue.input === undefined) return [{ path: formatPath(path), message: `required (expected ${expected})` }];
      return [{ path: formatPath(path), message: `expected ${expected}${found}` }];
    }
    case 'unrecognized_keys': {
      const allowed = schema ? objectKeysAt(schema, path) : undefined;
      const hint = allowed ? ` (expected one of: ${allowed.join(', ')})` : '';
      return (issue.keys ?? []).map((key) => ({ path: formatPath([...path, key]), message: `unknown key${hint}` }));
    }
    case 'invalid_value': {
      const values = (issue.values ?? []).map((v) => JSON.stringify(v)).join(' | ');
      return [{ path: formatPath(path), message: `expected one of ${values}${found}` }];
    }
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
      const op = issue.code === 'too_small' ? (issue.inclusive ? '>=' : '>') : issue.inclusive ? '<=' : '<';
      const what =
        issue.origin === 'array' ? 'length' : issue.origin === 'string' ? 'length' : issue.origin === 'number' ? 'a number' : 'a value';
      const shown = issue.origin === 'array' || issue.origin === 'string' ? '' : found;
      return [{ path: formatPath(path), message: `expected ${what} ${op} ${String(bound)}${shown}` }];
    }
    case 'invalid_union': {
      // The branch with the fewest issues is the one the author most likely meant.
      const branches = issue.errors ?? [];
      if (branches.length === 0) return [{ path: formatPath(path), message: issue.message }];
      const closest = branches.reduce((a, b) => (b.length < a.length ? b : a));
      return closest.flatMap((sub) => issueLines(sub, schema, path));
    }
    default:
      return [{ path: formatPath(path), message: `${issue.message}${issue.code === 'custom' ? '' : found}` }];
  }
}

type Def = {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  in?: z.ZodType;
  element?: z.ZodType;
  options?: z.ZodType[];
  valueType?: z.ZodType;
};
const defOf = (s: z.ZodType) => (s as unknown as { def: Def }).def;

/** The keys the object schema at `path` accepts (every branch of a union), or undefined. */
export function objectKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] | undefined {
  let candidates: z.ZodType[] = [schema];
  for (const key of [...path, null]) {
    candidates = candidates.flatMap(unwrap);
    if (key === null) break;
    candidates = candidates.flatMap((s) => {
      const def = defOf(s);
      if (def.type === 'object' && typeof key === 'string' && def.shape && key in def.shape) return [def.shape[key]];
      if (def.type === 'array' && typeof key === 'number' && def.element) return [def.element];
      if (def.type === 'record' && def.valueType) return [def.valueType];
      return [];
    });
  }
  const keys = candidates.filter((s) => defOf(s).type === 'object').flatMap((s) => Object.keys(defOf(s).shape ?? {}));
  return keys.length > 0 ? [...new Set(keys)] : undefined;
}

/** Strips optional/nullable/default/pipe wrappers and spreads unions into their branches. */
function unwrap(schema: z.ZodType): z.ZodType[] {
  const def = defOf(schema);
  if (['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional'].includes(def.type) && def.innerType) {
    return unwrap(def.innerType);
  }
  if (def.type === 'pipe' && def.in) return unwrap(def.in);
  if (def.type === 'union' && def.options) return def.options.flatMap(unwrap);
  return [schema];
}
