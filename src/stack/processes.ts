// Background processes that outlive the command that started them, tracked by pid files. A pid file
// records the process start time too, so a recycled pid is never mistaken for ours and `down` stops
// exactly what `up` started.
import { spawn } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, closeSync } from 'node:fs';
import { dirname } from 'node:path';

export interface PidRecord {
  pid: number;
  /** Field 22 of /proc/PID/stat: clock ticks since boot when the process started. */
  startTicks: string;
  command: string[];
  startedAt: string;
  /** Free-form facts about the process (e.g. the worker's code hash). */
  meta?: Record<string, string>;
}

function startTicks(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

export function readPid(file: string): PidRecord | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as PidRecord;
  } catch {
    return undefined;
  }
}

/** The recorded process if it is still the same, live process; else undefined. */
export function livePid(file: string): PidRecord | undefined {
  const rec = readPid(file);
  if (!rec) return undefined;
  const ticks = startTicks(rec.pid);
  if (ticks === undefined || ticks !== rec.startTicks) return undefined;
  const state = readFileSync(`/proc/${rec.pid}/stat`, 'utf8');
  if (/\) Z /.test(state)) return undefined; // a zombie is dead
  return rec;
}

/** Starts `command` detached (own session, output to `logFile`) and records it in `pidFile`. */
export function startDetached(
  command: string[],
  opts: { pidFile: string; logFile: string; cwd: string; env?: NodeJS.ProcessEnv; meta?: Record<string, string> },
): PidRecord {
  mkdirSync(dirname(opts.logFile), { recursive: true });
  mkdirSync(dirname(opts.pidFile), { recursive: true });
  const log = openSync(opts.logFile, 'a');
  const child = spawn(command[0], command.slice(1), {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    detached: true,
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  if (child.pid === undefined) throw new Error(`could not start ${command[0]}`);
  child.unref();
  const rec: PidRecord = {
    pid: child.pid,
    startTicks: startTicks(child.pid) ?? '',
    command,
    startedAt: new Date().toISOString(),
    meta: opts.meta,
  };
  writeFileSync(`${opts.pidFile}.tmp`, JSON.stringify(rec, null, 2));
  renameSync(`${opts.pidFile}.tmp`, opts.pidFile);
  return rec;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Stops the process recorded in `pidFile`: SIGTERM, then SIGKILL after `graceMs`. Returns what it
 * stopped, or undefined when nothing of ours was running. The pid file is removed either way.
 */
export async function stopRecorded(pidFile: string, graceMs: number): Promise<PidRecord | undefined> {
  const rec = livePid(pidFile);
  if (rec) {
    process.kill(rec.pid, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while (livePid(pidFile) && Date.now() < deadline) await sleep(100);
    if (livePid(pidFile)) {
      process.kill(rec.pid, 'SIGKILL');
      while (livePid(pidFile)) await sleep(50);
    }
  }
  rmSync(pidFile, { force: true });
  return rec;
}

/** The last `lines` lines of a log file, for error messages. */
export function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
