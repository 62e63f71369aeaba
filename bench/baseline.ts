// `--baseline REF` for the benchmarks: a detached git worktree of REF under .mars2/ (reused and moved to
// REF when it exists) that shares this checkout's node_modules and any other folders named, so a
// benchmark can run mars2 at REF beside the working tree.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..');

/** Sets up the worktree `dir` at `ref`; `shared` are paths relative to the root linked into it. Returns `dir`. */
export function setUpBaseline(dir: string, ref: string, shared: string[] = []): string {
  if (existsSync(join(dir, '.git'))) execFileSync('git', ['-C', dir, 'checkout', '--quiet', '--detach', ref]);
  else execFileSync('git', ['worktree', 'add', '--quiet', '--detach', dir, ref], { cwd: ROOT });
  for (const rel of ['node_modules', ...shared]) {
    const path = join(dir, rel);
    if (existsSync(path) || !existsSync(join(ROOT, rel))) continue;
    mkdirSync(join(path, '..'), { recursive: true });
    symlinkSync(join(ROOT, rel), path);
  }
  console.error(`baseline: ${ref} = ${execFileSync('git', ['-C', dir, 'log', '-1', '--format=%h %s']).toString().trim()}`);
  return dir;
}
