// Trainer worker thread entry: serves a TrainService (ORT training runs here, off the caller's event
// loop) over threadRpc.ts; steps run one at a time, in order, and a step cancelled while queued never starts.
import { workerData } from 'node:worker_threads';
import { serveThread } from '../threadRpc';
import { TrainService, type TrainServiceOptions, type TrainStepRequest, type TrainStepResult } from './service';

const service = new TrainService(workerData as TrainServiceOptions);
serveThread<TrainStepRequest, TrainStepResult>(
  { call: (req, signal) => service.trainStep(req, signal), close: () => service.close() },
  { oneAtATime: true },
);
