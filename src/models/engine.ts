// The generation engine the activities use: `generate({model, messages|prompt, sampling, seed,
// maxNewTokens})` → text, token ids, per-token sampling and raw log-probs, finish reason, prompt ids.
// Requests go to worker threads (ORT blocks the thread it runs on), each holding its own loaded models;
// a request goes to the worker with the fewest outstanding requests. Within a worker, concurrent
// requests for one model are batched continuously (generator.ts).
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import type { GenerateRequest, GenerateResult, HostOptions } from './host';
import type { WorkerReply, WorkerRequest } from './worker';

export type { GenerateRequest, GenerateResult, SamplingOptions } from './host';
export type { ChatMessage } from './tokenizer';

export interface Engine {
  generate(req: GenerateRequest): Promise<GenerateResult>;
  close(): Promise<void>;
}

export interface EngineOptions extends HostOptions {
  /** Worker threads (default 1; each loads its own copy of every model it serves). */
  workers?: number;
}

interface Slot {
  worker: Worker;
  pending: Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>;
}

/** Starts worker threads that run src/models/worker.ts under tsx. */
export function createEngine(opts: EngineOptions = {}): Engine {
  const { workers = 1, ...host } = opts;
  const boot = `require(${JSON.stringify(require.resolve('tsx/cjs/api'))}).register();\nrequire(${JSON.stringify(join(__dirname, 'worker.ts'))});`;
  let nextId = 1;
  let closed = false;
  const slots: Slot[] = Array.from({ length: Math.max(1, workers) }, () => {
    const worker = new Worker(boot, { eval: true, workerData: host, execArgv: [] });
    const slot: Slot = { worker, pending: new Map() };
    worker.on('message', (m: WorkerReply) => {
      const p = slot.pending.get(m.id);
      if (!p) return;
      slot.pending.delete(m.id);
      if ('error' in m) p.reject(new Error(m.error));
      else p.resolve(m.result);
    });
    worker.on('error', (err) => {
      for (const p of slot.pending.values()) p.reject(err);
      slot.pending.clear();
    });
    worker.on('exit', (code) => {
      for (const p of slot.pending.values()) p.reject(new Error(`engine worker exited (code ${code})`));
      slot.pending.clear();
    });
    return slot;
  });
  const call = <T>(slot: Slot, msg: WorkerRequest) =>
    new Promise<T>((resolve, reject) => {
      slot.pending.set(msg.id, { resolve, reject });
      slot.worker.postMessage(msg);
    });
  return {
    generate(req) {
      if (closed) return Promise.reject(new Error('engine is closed'));
      const slot = slots.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
      return call<GenerateResult>(slot, { id: nextId++, req });
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all(slots.map(async (s) => {
        await call(s, { id: nextId++, close: true }).catch(() => undefined);
        await s.worker.terminate();
      }));
    },
  };
}
