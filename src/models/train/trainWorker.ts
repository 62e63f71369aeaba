// Trainer worker thread entry: owns a TrainService (ORT training runs here, off the caller's event loop)
// and answers {id, req} messages with {id, result} or {id, error}. Requests run one at a time, in order.
import { parentPort, workerData } from 'node:worker_threads';
import { TrainService, type TrainServiceOptions, type TrainWorkerReply, type TrainWorkerRequest } from './service';

const port = parentPort;
if (!port) throw new Error('src/models/train/trainWorker.ts must run in a worker thread (see service.ts)');
const service = new TrainService(workerData as TrainServiceOptions);
let queue: Promise<unknown> = Promise.resolve();

port.on('message', (msg: TrainWorkerRequest) => {
  queue = queue.then(async () => {
    try {
      const result = 'close' in msg ? await service.close() : await service.trainStep(msg.req);
      port.postMessage({ id: msg.id, result: result ?? null } satisfies TrainWorkerReply);
    } catch (err) {
      port.postMessage({ id: msg.id, error: (err as Error).message } satisfies TrainWorkerReply);
    }
  });
});
