// Engine worker thread entry: owns a ModelHost (ORT sessions run here, off the caller's event loop) and
// answers {id, req} messages with {id, result} or {id, error}.
import { parentPort, workerData } from 'node:worker_threads';
import { ModelHost, type GenerateRequest, type HostOptions } from './host';

export type WorkerRequest = { id: number; req: GenerateRequest } | { id: number; close: true };
export type WorkerReply = { id: number; result: unknown } | { id: number; error: string };

const port = parentPort;
if (!port) throw new Error('src/models/worker.ts must run in a worker thread (see engine.ts)');
const host = new ModelHost(workerData as HostOptions);

port.on('message', (msg: WorkerRequest) => {
  if ('close' in msg) {
    void host.close().finally(() => port.postMessage({ id: msg.id, result: null } satisfies WorkerReply));
    return;
  }
  host.generate(msg.req).then(
    (result) => port.postMessage({ id: msg.id, result } satisfies WorkerReply),
    (err: Error) => port.postMessage({ id: msg.id, error: err.message } satisfies WorkerReply),
  );
});
