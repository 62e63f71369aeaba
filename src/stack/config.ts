// Where the embedded stack lives and how it is reached. The user's stack (`mars2 up`) and the test
// suite's (`.mars2/test-stack`, other ports) never share processes, so running the tests does not
// disturb a run in progress.
import { resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '..', '..');

export interface StackConfig {
  /** Folder for the SQLite database, pid files and logs. */
  home: string;
  ip: string;
  /** Temporal frontend gRPC port. */
  port: number;
  uiPort: number;
  namespace: string;
  taskQueue: string;
  /** Days a closed workflow's history is kept (the dev server's default is 1). */
  retentionDays: number;
  /**
   * The worker's engine in deterministic mode (one request at a time, so a seed's output never depends
   * on what else is queued): runs with the same seed give the same trees and weights. Default false.
   */
  deterministic?: boolean;
}

export function address(cfg: Pick<StackConfig, 'ip' | 'port'>): string {
  return `${cfg.ip}:${cfg.port}`;
}

export function uiUrl(cfg: StackConfig): string {
  return `http://${cfg.ip}:${cfg.uiPort}/namespaces/${cfg.namespace}/workflows`;
}

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got '${raw}'`);
  return n;
}

/** The user's stack: `.mars2/`, port 7233, UI 8233, namespace mars2 (env MARS2_* overrides). */
export function userStack(): StackConfig {
  return {
    home: resolve(process.env.MARS2_HOME ?? resolve(REPO_ROOT, '.mars2')),
    ip: process.env.MARS2_IP ?? '127.0.0.1',
    port: envNumber('MARS2_PORT', 7233),
    uiPort: envNumber('MARS2_UI_PORT', 8233),
    namespace: process.env.MARS2_NAMESPACE ?? 'mars2',
    taskQueue: process.env.MARS2_TASK_QUEUE ?? 'mars2',
    retentionDays: 30,
    deterministic: process.env.MARS2_DETERMINISTIC === '1',
  };
}

/**
 * The test suite's own stack. Its ports (in 20000–29999, below Linux's ephemeral range) derive from the
 * checkout's path, so two checkouts on one machine can run their suites at once.
 */
export function testStack(): StackConfig {
  let h = 2166136261;
  for (const ch of REPO_ROOT) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  const port = 20000 + (h % 5000) * 2;
  return {
    home: resolve(REPO_ROOT, '.mars2', 'test-stack'),
    ip: '127.0.0.1',
    port,
    uiPort: port + 1,
    namespace: 'mars2',
    taskQueue: 'mars2',
    retentionDays: 30,
  };
}

/** The stack a client process talks to: the one whose settings the worker was started with. */
export function currentStack(): StackConfig {
  return process.env.MARS2_STACK === 'test' ? testStack() : userStack();
}
