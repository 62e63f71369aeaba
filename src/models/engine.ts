// The generation engine the activities use: `generate({model, messages|prompt, sampling, seed,
// maxNewTokens}, signal?)` → text, token ids, per-token sampling and raw log-probs, finish reason, prompt
// ids. Requests go to worker threads (ORT blocks the thread it runs on; threadRpc.ts), each holding its
// own loaded models; a request goes to the worker with the fewest outstanding requests. Within a worker,
// concurrent requests for one model are batched continuously (generator.ts); an aborted signal drops the
// request's row at the next decode step. Errors are ThreadErrors: branch on `code`. A thread that died
// (an uncaught error in it) fails its in-flight requests with 'worker_exited' (retryable: the expand is
// retried) and is replaced by a fresh thread at the next request, so one crash does not end the engine.
import { join } from 'node:path';
import type { GenerateRequest, GenerateResult, HostOptions } from './host';
import { startThread, ThreadError, type ThreadClient } from './threadRpc';

export type { GenerateRequest, GenerateResult, SamplingOptions } from './host';
export type { ChatMessage } from './tokenizer';

export interface Engine {
  generate(req: GenerateRequest, signal?: AbortSignal): Promise<GenerateResult>;
  close(): Promise<void>;
}

export interface EngineOptions extends HostOptions {
  /** Worker threads (default 1; each loads its own copy of every model it serves). */
  workers?: number;
}

/** Starts worker threads that run src/models/worker.ts under tsx. */
export function createEngine(opts: EngineOptions = {}): Engine {
  const { workers = 1, ...host } = opts;
  let closed = false;
  const start = () => startThread<GenerateRequest, GenerateResult>(join(__dirname, 'worker.ts'), host, 'engine worker');
  const threads: ThreadClient<GenerateRequest, GenerateResult>[] = Array.from({ length: Math.max(1, workers) }, start);
  return {
    generate(req, signal) {
      if (closed) return Promise.reject(new ThreadError('closed', 'engine is closed'));
      for (let i = 0; i < threads.length; i++) {
        if (!threads[i]!.exited) continue;
        console.error('mars2 engine: an engine worker thread had ended; starting a new one');
        threads[i] = start();
      }
      return threads.reduce((a, b) => (b.pending < a.pending ? b : a)).call(req, signal);
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all(threads.map((t) => t.close()));
    },
  };
}
