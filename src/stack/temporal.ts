// The Temporal dev server of the embedded stack: finding the binary set-up built, starting it on a SQLite
// file, waiting until it answers, and making sure the namespace has the project's search attributes and
// a useful retention (temporal.md §6).
import { Connection } from '@temporalio/client';
import { existsSync } from 'node:fs';
import { join, delimiter } from 'node:path';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { msToTs } from '@temporalio/common/lib/time';
import { ALL_SEARCH_ATTRIBUTES } from '../contracts/searchAttributes';
import { address, REPO_ROOT, type StackConfig } from './config';

/** `temporal` from MARS2_TEMPORAL, PATH, or what scripts/setup built into .mars2/bin. */
export function temporalBinary(): string {
  if (process.env.MARS2_TEMPORAL) return process.env.MARS2_TEMPORAL;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, 'temporal'))) return join(dir, 'temporal');
  }
  const built = join(REPO_ROOT, '.mars2', 'bin', 'temporal');
  if (existsSync(built)) return built;
  throw new Error("the Temporal CLI was not found on PATH nor in .mars2/bin: run 'bash scripts/setup' to build it");
}

/** The command line of the dev server. */
export function serverCommand(cfg: StackConfig): string[] {
  const cmd = [
    temporalBinary(),
    'server',
    'start-dev',
    '--db-filename',
    join(cfg.home, 'temporal.db'),
    '--namespace',
    cfg.namespace,
    '--ip',
    cfg.ip,
    '--port',
    String(cfg.port),
    '--ui-port',
    String(cfg.uiPort),
    '--log-level',
    'warn',
    // Cuts a sequential activity's latency by half or more (temporal.md appendix).
    '--dynamic-config-value',
    'system.enableActivityEagerExecution=true',
    // SQLite's rollback journal with synchronous=FULL (the default) syncs the disk several times per
    // commit; WAL with synchronous=NORMAL appends and syncs only at checkpoints. A killed server loses
    // nothing (commits are in the WAL file); an OS crash or power loss may lose the last commits. Took
    // the server from 19.5 to 14.8 ms of CPU per tree node and the workflow task's dispatch from ~5 to
    // ~3 ms (bench/README.md, "searchTree").
    '--sqlite-pragma',
    'journal_mode=WAL',
    '--sqlite-pragma',
    'synchronous=NORMAL',
  ];
  for (const key of ALL_SEARCH_ATTRIBUTES) cmd.push('--search-attribute', `${key.name}=${searchAttributeTypeName(key.type)}`);
  return cmd;
}

function searchAttributeTypeName(type: string): string {
  const names: Record<string, string> = {
    TEXT: 'Text',
    KEYWORD: 'Keyword',
    INT: 'Int',
    DOUBLE: 'Double',
    BOOL: 'Bool',
    DATETIME: 'Datetime',
    KEYWORD_LIST: 'KeywordList',
  };
  return names[type] ?? type;
}

/** Connects to the server, or returns undefined if it does not answer. */
export async function tryConnect(cfg: StackConfig, timeoutMs = 1000): Promise<Connection | undefined> {
  try {
    const connection = await Connection.connect({ address: address(cfg), connectTimeout: timeoutMs });
    await connection.workflowService.getSystemInfo({});
    return connection;
  } catch {
    return undefined;
  }
}

/** Waits until the namespace answers (the dev server creates it just after the frontend is up). */
export async function waitForServer(cfg: StackConfig, timeoutMs: number, alive: () => boolean): Promise<Connection> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const connection = await tryConnect(cfg);
    if (connection) {
      try {
        await connection.workflowService.describeNamespace({ namespace: cfg.namespace });
        return connection;
      } catch {
        await connection.close();
      }
    }
    if (!alive()) throw new Error('the Temporal dev server exited while starting');
    if (Date.now() > deadline) throw new Error(`the Temporal dev server did not answer on ${address(cfg)} within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Registers missing search attributes (the dev server's --search-attribute applies only when it
 * creates the namespace) and raises the retention from the dev server's 24 h.
 */
export async function ensureNamespace(connection: Connection, cfg: StackConfig): Promise<void> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: cfg.namespace });
  const missing = ALL_SEARCH_ATTRIBUTES.filter((k) => !(k.name in (customAttributes ?? {})));
  if (missing.length > 0) {
    const searchAttributes: Record<string, number> = {};
    for (const k of missing) searchAttributes[k.name] = encodeSearchAttributeIndexedValueType(k.type) ?? 0;
    await connection.operatorService.addSearchAttributes({ namespace: cfg.namespace, searchAttributes });
  }
  const ns = await connection.workflowService.describeNamespace({ namespace: cfg.namespace });
  const seconds = Number(ns.config?.workflowExecutionRetentionTtl?.seconds ?? 0);
  const wanted = cfg.retentionDays * 86400;
  if (seconds !== wanted) {
    await connection.workflowService.updateNamespace({
      namespace: cfg.namespace,
      config: { workflowExecutionRetentionTtl: msToTs(wanted * 1000) },
    });
  }
}
