// The shape every `mars2` sub-command has. Commands live one per file in src/cli and are listed in
// src/cli/commands.ts; client.ts only dispatches.
import { parseArgs, type ParseArgsConfig } from 'node:util';

export interface Command {
  /** e.g. 'up', 'search-sim', 'sandbox run' (a space makes a two-word command). */
  name: string;
  /** One line for `mars2 --help`. */
  summary: string;
  /** Usage text printed on `--help` and after a usage error. */
  usage: string;
  /** Returns the process exit code. Throw UsageError for bad arguments. */
  run(argv: string[]): Promise<number>;
}

/** Bad command-line input: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A failure the user can act on: printed without a stack trace, exit code 1. */
export class UserError extends Error {
  override name = 'UserError';
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** `util.parseArgs` with strict checking, turning its errors into UsageError. */
export function parseFlags<O extends Options>(argv: string[], options: O, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** Parses a numeric flag, naming the flag in the error. */
export function numberFlag(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new UsageError(`--${flag} expects a number, got '${value}'`);
  return n;
}
