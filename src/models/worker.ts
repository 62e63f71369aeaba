// Engine worker thread entry: serves a ModelHost (ORT sessions run here, off the caller's event loop)
// over threadRpc.ts; requests run concurrently (the host batches them).
import { workerData } from 'node:worker_threads';
import { ModelHost, type GenerateRequest, type GenerateResult, type HostOptions } from './host';
import { serveThread } from './threadRpc';

const host = new ModelHost(workerData as HostOptions);
serveThread<GenerateRequest, GenerateResult>({ call: (req, signal) => host.generate(req, signal), close: () => host.close() });
