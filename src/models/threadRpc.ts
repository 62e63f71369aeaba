// One request/response RPC over a worker thread, used by the engine (worker.ts) and the trainer
// (train/trainWorker.ts). The client (`startThread`) posts {id, call}, {id, cancel} and {id, close}; the
// server (`serveThread`) answers {id, result} or {id, error: {name, code, message}}. Errors cross as data
// and come back as ThreadError with the same `code`, so callers branch on the code, never on the text.
// A call's AbortSignal reaches the handler: cancelling rejects the call at once ('cancelled') and aborts
// the handler's signal in the thread; a call queued behind others (`oneAtATime`) never starts.
import { parentPort, Worker } from 'node:worker_threads';

export type ThreadErrorCode =
  // bad input: the same request can never succeed
  | 'bad_request'
  | 'bad_sampling'
  | 'prompt_too_long'
  | 'model_missing'
  // the call's end, not a fault
  | 'cancelled'
  // infrastructure: a retry may succeed
  | 'closed'
  | 'worker_exited'
  | 'internal';

const BAD_INPUT: ReadonlySet<ThreadErrorCode> = new Set(['bad_request', 'bad_sampling', 'prompt_too_long', 'model_missing']);

/** An engine or trainer error, on either side of the thread boundary. */
export class ThreadError extends Error {
  override name = 'ThreadError';
  constructor(
    readonly code: ThreadErrorCode,
    message: string,
  ) {
    super(message);
  }

  /** Bad input (a retry of the same request cannot help). */
  get badInput(): boolean {
    return BAD_INPUT.has(this.code);
  }
}

export interface WireError {
  name: string;
  code: ThreadErrorCode;
  message: string;
}

/** Throws ThreadError 'cancelled' when `signal` is aborted. */
export function throwIfCancelled(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new ThreadError('cancelled', `${what} was cancelled`);
}

/**
 * A point where work that holds its thread (ORT runs block it) may stop: lets the messages that arrived
 * meanwhile in (a cancel among them: two macrotask turns pass a poll phase), then throwIfCancelled.
 */
export async function cancelPoint(signal: AbortSignal | undefined, what: string): Promise<void> {
  if (!signal) return;
  await new Promise((r) => setImmediate(() => setImmediate(r)));
  throwIfCancelled(signal, what);
}

type ToThread<Req> = { id: number; call: Req } | { id: number; cancel: true } | { id: number; close: true };
type FromThread = { id: number; result: unknown } | { id: number; error: WireError };

function toWire(err: unknown): WireError {
  if (err instanceof ThreadError) return { name: err.name, code: err.code, message: err.message };
  const e = err instanceof Error ? err : new Error(String(err));
  return { name: e.name, code: 'internal', message: e.message };
}

export interface ThreadClient<Req, Res> {
  call(req: Req, signal?: AbortSignal): Promise<Res>;
  /** Calls sent and not answered yet. */
  readonly pending: number;
  /** The thread has ended (crashed, or closed): every call fails with 'worker_exited' or 'closed'. */
  readonly exited: boolean;
  /** Lets the thread finish its close handler, then terminates it. */
  close(): Promise<void>;
}

/** Starts `entry` (a .ts file that calls serveThread) in a worker thread under tsx, with `data` as workerData. */
export function startThread<Req, Res>(entry: string, data: unknown, label: string): ThreadClient<Req, Res> {
  const boot = `require(${JSON.stringify(require.resolve('tsx/cjs/api'))}).register();\nrequire(${JSON.stringify(entry)});`;
  const worker = new Worker(boot, { eval: true, workerData: data, execArgv: [] });
  const pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let closed = false;
  let exited: ThreadError | null = null;
  const failAll = (err: ThreadError) => {
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  worker.on('message', (m: FromThread) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if ('error' in m) p.reject(new ThreadError(m.error.code, m.error.message));
    else p.resolve(m.result);
  });
  worker.on('error', (err) => failAll(new ThreadError('worker_exited', `${label} thread failed: ${err.message}`)));
  worker.on('exit', (code) => {
    exited = new ThreadError('worker_exited', `${label} thread exited (code ${code})`);
    failAll(exited);
  });
  const send = <T>(msg: ToThread<Req>, signal?: AbortSignal) =>
    new Promise<T>((resolve, reject) => {
      if (exited) return reject(exited);
      if (signal?.aborted) return reject(new ThreadError('cancelled', `${label} call was cancelled`));
      const onAbort = () => {
        if (!pending.delete(msg.id)) return;
        worker.postMessage({ id: msg.id, cancel: true } satisfies ToThread<Req>);
        reject(new ThreadError('cancelled', `${label} call was cancelled`));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = () => signal?.removeEventListener('abort', onAbort);
      pending.set(msg.id, {
        resolve: (v) => (done(), resolve(v)),
        reject: (e) => (done(), reject(e)),
      });
      worker.postMessage(msg);
    });
  return {
    call(req, signal) {
      if (closed) return Promise.reject(new ThreadError('closed', `${label} is closed`));
      return send<Res>({ id: nextId++, call: req }, signal);
    },
    get pending() {
      return pending.size;
    },
    get exited() {
      return exited !== null || closed;
    },
    async close() {
      if (closed) return;
      closed = true;
      await send({ id: nextId++, close: true }).catch(() => undefined);
      await worker.terminate();
    },
  };
}

export interface ThreadHandler<Req, Res> {
  call(req: Req, signal: AbortSignal): Promise<Res>;
  close(): Promise<void>;
}

/**
 * Serves `handler` on this worker thread's parent port. `oneAtATime`: calls (and the close) run in
 * arrival order, each after the one before has ended; a call cancelled while it waits never starts.
 */
export function serveThread<Req, Res>(handler: ThreadHandler<Req, Res>, opts: { oneAtATime?: boolean } = {}): void {
  const port = parentPort;
  if (!port) throw new Error('serveThread must run in a worker thread (started by startThread)');
  const running = new Map<number, AbortController>();
  let queue: Promise<unknown> = Promise.resolve();
  const turn = <T>(work: () => Promise<T>): Promise<T> => {
    if (!opts.oneAtATime) return work();
    const next = queue.then(work);
    queue = next.catch(() => undefined);
    return next;
  };
  const reply = (id: number, work: Promise<unknown>) =>
    work.then(
      (result) => port.postMessage({ id, result: result ?? null } satisfies FromThread),
      (err: unknown) => port.postMessage({ id, error: toWire(err) } satisfies FromThread),
    );
  port.on('message', (msg: ToThread<Req>) => {
    if ('cancel' in msg) {
      running.get(msg.id)?.abort();
      return;
    }
    if ('close' in msg) {
      void reply(msg.id, turn(() => handler.close()));
      return;
    }
    const ctl = new AbortController();
    running.set(msg.id, ctl);
    const work = turn(async () => {
      throwIfCancelled(ctl.signal, 'the call');
      return handler.call(msg.call, ctl.signal);
    });
    void reply(msg.id, work.finally(() => running.delete(msg.id)));
  });
}
