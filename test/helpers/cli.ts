// Runs the `mars2` command line as a user does (the repo's `./mars2` script), by default against the test
// suite's stack (MARS2_STACK=test), and returns what it printed and its exit status.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');

export interface CliOptions {
  /** Milliseconds before the command is killed (default 2 minutes). */
  timeoutMs?: number;
  /** Talk to the test stack (default) or to the user's stack settings. */
  stack?: 'test' | 'user';
  env?: NodeJS.ProcessEnv;
}

/** `mars2 ARGS…`, synchronously. */
export function mars2(args: string[], opts: CliOptions = {}): SpawnSyncReturns<string> {
  const env = { ...process.env, ...opts.env, ...((opts.stack ?? 'test') === 'test' && { MARS2_STACK: 'test' }) };
  return spawnSync(join(ROOT, 'mars2'), args, { encoding: 'utf8', timeout: opts.timeoutMs ?? 120_000, env });
}
