// The embedded stack: `up` starts the Temporal dev server (SQLite) and the worker in the background and
// records their pids; `down` stops exactly what `up` started. `up` is idempotent: what runs is kept, a
// worker whose code changed since it started is restarted, what died is started again.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Connection } from '@temporalio/client';
import { address, REPO_ROOT, uiUrl, type StackConfig } from './config';
import { livePid, startDetached, stopRecorded, tail, type PidRecord } from './processes';
import { ensureNamespace, serverCommand, tryConnect, waitForServer } from './temporal';

export * from './config';

const pidFile = (cfg: StackConfig, name: 'server' | 'worker') => join(cfg.home, 'run', `${name}.pid`);
const logFile = (cfg: StackConfig, name: 'server' | 'worker') => join(cfg.home, 'logs', `${name}.log`);

export interface StackStatus {
  server?: PidRecord;
  worker?: PidRecord;
  address: string;
  ui: string;
}

export function status(cfg: StackConfig): StackStatus {
  return { server: livePid(pidFile(cfg, 'server')), worker: livePid(pidFile(cfg, 'worker')), address: address(cfg), ui: uiUrl(cfg) };
}

/** A hash of the code the worker runs, so `up` can tell a stale worker from a current one. */
export function workerCodeHash(): string {
  const hash = createHash('sha256');
  const files: string[] = [join(REPO_ROOT, 'worker.ts'), join(REPO_ROOT, 'package-lock.json')];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.(ts|py|json)$/.test(name)) files.push(path);
    }
  };
  walk(join(REPO_ROOT, 'src'));
  for (const f of files) hash.update(relative(REPO_ROOT, f)).update('\0').update(readFileSync(f)).update('\0');
  return hash.digest('hex').slice(0, 16);
}

type Log = (line: string) => void;

async function ensureServer(cfg: StackConfig, log: Log): Promise<Connection> {
  const file = pidFile(cfg, 'server');
  const running = livePid(file);
  if (running) {
    const connection = await waitForServer(cfg, 30_000, () => livePid(file) !== undefined);
    log(`server   running (pid ${running.pid}) on ${address(cfg)}`);
    return connection;
  }
  const foreign = await tryConnect(cfg);
  if (foreign) {
    await foreign.close();
    throw new Error(
      `something that mars2 did not start already answers on ${address(cfg)}; stop it, or pick other ports with MARS2_PORT and MARS2_UI_PORT`,
    );
  }
  const started = startDetached(serverCommand(cfg), { pidFile: file, logFile: logFile(cfg, 'server'), cwd: cfg.home });
  const t0 = Date.now();
  try {
    const connection = await waitForServer(cfg, 60_000, () => livePid(file) !== undefined);
    log(`server   started (pid ${started.pid}) on ${address(cfg)} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return connection;
  } catch (err) {
    await stopRecorded(file, 2000);
    throw new Error(`${(err as Error).message}\n--- ${logFile(cfg, 'server')} ---\n${tail(logFile(cfg, 'server'))}`);
  }
}

/** True when a worker with this pid polls the stack's workflow task queue. */
async function workerPolling(connection: Connection, cfg: StackConfig, pid: number): Promise<boolean> {
  const res = await connection.workflowService.describeTaskQueue({
    namespace: cfg.namespace,
    taskQueue: { name: cfg.taskQueue },
    taskQueueType: 1, // TASK_QUEUE_TYPE_WORKFLOW
  });
  return (res.pollers ?? []).some((p) => (p.identity ?? '').startsWith(`${pid}@`));
}

async function ensureWorker(connection: Connection, cfg: StackConfig, log: Log): Promise<PidRecord> {
  const file = pidFile(cfg, 'worker');
  const codeHash = workerCodeHash();
  const deterministic = cfg.deterministic ? '1' : '0';
  const running = livePid(file);
  const sameMode = (running?.meta?.deterministic ?? '0') === deterministic;
  if (running && running.meta?.codeHash === codeHash && sameMode) {
    log(`worker   running (pid ${running.pid}) on task queue '${cfg.taskQueue}'`);
    return running;
  }
  if (running) {
    log(`worker   ${sameMode ? 'code changed' : 'deterministic mode changed'} since pid ${running.pid} started: restarting it`);
    await stopRecorded(file, 15_000);
  }
  const started = startDetached([process.execPath, '--import', 'tsx', join(REPO_ROOT, 'worker.ts')], {
    pidFile: file,
    logFile: logFile(cfg, 'worker'),
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      MARS2_ADDRESS: address(cfg),
      MARS2_NAMESPACE: cfg.namespace,
      MARS2_TASK_QUEUE: cfg.taskQueue,
      MARS2_HOME: cfg.home,
      MARS2_DETERMINISTIC: deterministic,
    },
    meta: { codeHash, deterministic },
  });
  const t0 = Date.now();
  while (!(await workerPolling(connection, cfg, started.pid))) {
    if (!livePid(file)) throw new Error(`the worker exited while starting\n--- ${logFile(cfg, 'worker')} ---\n${tail(logFile(cfg, 'worker'))}`);
    if (Date.now() - t0 > 120_000) {
      await stopRecorded(file, 5000);
      throw new Error(`the worker did not start polling within 120 s\n--- ${logFile(cfg, 'worker')} ---\n${tail(logFile(cfg, 'worker'))}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  log(`worker   started (pid ${started.pid}) on task queue '${cfg.taskQueue}' in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return started;
}

/** True when a Docker engine answers on the default socket. */
export function dockerAnswers(socketPath = '/var/run/docker.sock'): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/_ping', timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}

/** The Docker engine the sandbox needs: started by set-up's docker step when it does not answer. */
async function ensureDocker(log: Log): Promise<void> {
  if (await dockerAnswers()) return;
  log('docker   not answering: running set-up\'s docker step');
  const res = spawnSync('bash', [join(REPO_ROOT, 'scripts', 'setup'), 'docker'], { encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`no Docker engine, and set-up could not start one:\n${res.stderr}`);
  log(res.stdout.trim());
}

/** Starts what is not running; returns the live status. */
export async function up(cfg: StackConfig, log: Log = () => {}): Promise<StackStatus> {
  await ensureDocker(log);
  const connection = await ensureServer(cfg, log);
  try {
    await ensureNamespace(connection, cfg);
    await ensureWorker(connection, cfg, log);
  } finally {
    await connection.close();
  }
  return status(cfg);
}

/** Stops the worker (gracefully: running activities get its shutdown grace time), then the server. */
export async function down(cfg: StackConfig, log: Log = () => {}): Promise<void> {
  const worker = await stopRecorded(pidFile(cfg, 'worker'), 15_000);
  log(worker ? `worker   stopped (pid ${worker.pid})` : 'worker   was not running');
  const server = await stopRecorded(pidFile(cfg, 'server'), 10_000);
  log(server ? `server   stopped (pid ${server.pid})` : 'server   was not running');
}

/** Kills the server with SIGKILL, as a crash would (for durability tests). */
export async function crashServer(cfg: StackConfig): Promise<PidRecord | undefined> {
  const rec = livePid(pidFile(cfg, 'server'));
  if (!rec) return undefined;
  process.kill(rec.pid, 'SIGKILL');
  while (livePid(pidFile(cfg, 'server'))) await new Promise((r) => setTimeout(r, 50));
  return rec;
}

/** Kills the worker with SIGKILL, as a crash would (for durability tests). */
export async function crashWorker(cfg: StackConfig): Promise<PidRecord | undefined> {
  const rec = livePid(pidFile(cfg, 'worker'));
  if (!rec) return undefined;
  process.kill(rec.pid, 'SIGKILL');
  while (livePid(pidFile(cfg, 'worker'))) await new Promise((r) => setTimeout(r, 50));
  return rec;
}
