// Trainer worker thread entry: serves a TrainService (ORT training runs here, off the caller's event
// loop) over threadRpc.ts; steps run one at a time, in order, and a step cancelled while queued never
// starts. A base model directory the service cannot read fails every step with 'model_missing'.
import { workerData } from 'node:worker_threads';
import { serveThread, ThreadError } from '../threadRpc';
import { TrainService, type TrainServiceOptions, type TrainStepRequest, type TrainStepResult } from './service';

const opts = workerData as TrainServiceOptions;
let service: TrainService | ThreadError;
try {
  service = new TrainService(opts);
} catch (err) {
  service = new ThreadError('model_missing', `base model ${opts.baseDir}: ${(err as Error).message}`);
}
const ready = service;
serveThread<TrainStepRequest, TrainStepResult>(
  {
    call: (req, signal) => (ready instanceof ThreadError ? Promise.reject(ready) : ready.trainStep(req, signal)),
    close: async () => (ready instanceof ThreadError ? undefined : ready.close()),
  },
  { oneAtATime: true },
);
