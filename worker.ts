// The mars2 worker: serves the workflows in src/workflows and the activities built by
// createActivities on one task queue. Started in the background by `mars2 up`; settings come from the
// environment that `up` sets (MARS2_ADDRESS, MARS2_NAMESPACE, MARS2_TASK_QUEUE, MARS2_HOME,
// MARS2_DETERMINISTIC=1: the engine's deterministic mode; MARS2_ENGINE_THREADS, MARS2_ENGINE_MAX_BATCH,
// MARS2_TRAIN_THREADS, MARS2_SANDBOX_MODE). The store is MARS2_HOME/store; the engine, the sandbox and
// the trainers (one per base model directory and checkpoint root, in a worker thread each, closed when
// idle) start on first use.
import { join } from 'node:path';
import { NativeConnection, Worker } from '@temporalio/worker';
import { availableParallelism } from 'node:os';
import { createActivities } from './src/activities';
import { timeActivities, WorkClock } from './src/activities/workClock';
import type { Engine } from './src/models/engine';
import { TrainerKeep } from './src/models/train/keep';
import type { Sandbox } from './src/sandbox';
import { Store } from './src/store';

/**
 * The engine's settings: MARS2_ENGINE_THREADS, its ORT intra-op threads (default: every core but one,
 * at least one — the engine shares the machine with the sandbox's programs, the Temporal server and
 * this process's main thread, and an intra-op pool as wide as the machine waits at each op for the
 * thread another process took: the RL loop's generation on 2 cores spans 1.6–2.0 s with one thread
 * against 2.2–2.6 s with two, bench/README.md "rl-loop"); MARS2_ENGINE_MAX_BATCH, the rows decoded together
 * (default the generator's, 32).
 */
function engineOptions(): { threads: number; maxBatch?: number } {
  const int = (name: string) => {
    const v = process.env[name];
    if (v === undefined || v === '') return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, found '${v}'`);
    return n;
  };
  const maxBatch = int('MARS2_ENGINE_MAX_BATCH');
  return { threads: int('MARS2_ENGINE_THREADS') ?? Math.max(1, availableParallelism() - 1), ...(maxBatch && { maxBatch }) };
}

async function main(): Promise<void> {
  const address = process.env.MARS2_ADDRESS ?? '127.0.0.1:7233';
  const namespace = process.env.MARS2_NAMESPACE ?? 'mars2';
  const taskQueue = process.env.MARS2_TASK_QUEUE ?? 'mars2';
  const home = process.env.MARS2_HOME ?? join(__dirname, '.mars2');
  const deterministic = process.env.MARS2_DETERMINISTIC === '1';
  const engineOpts = engineOptions();

  let engine: Engine | undefined;
  let sandbox: Promise<Sandbox> | undefined;
  // Each run's trainer, closed when idle or when more are open than that (src/models/train/keep.ts).
  const trainers = new TrainerKeep({
    spawn: (baseDir, root) => {
      const { spawnTrainService } = require('./src/models/train/service') as typeof import('./src/models/train/service');
      return spawnTrainService({ baseDir, root, threads: trainThreads });
    },
    onCloseError: (err) => console.error(`mars2 worker: closing a trainer failed: ${String(err)}`),
  });
  // A training step runs while no tree generates (an iteration's trees are done before its steps): it
  // gets every core, unless MARS2_TRAIN_THREADS says otherwise; one in deterministic mode, where a
  // reduction split over threads must not change a checkpoint's bits.
  const trainThreads = Number(process.env.MARS2_TRAIN_THREADS ?? (deterministic ? 1 : availableParallelism()));
  const clock = new WorkClock();
  const deps = {
    clock,
    store: new Store(join(home, 'store')),
    engine: () => (engine ??= require('./src/models/engine').createEngine({ workers: 1, deterministic, ...engineOpts }) as Engine),
    // A failed start (Docker down) is not kept: the next runTests attempt tries again. Trees run their
    // tests in fork mode, the fastest that keeps the sandbox's isolation and trusted verdicts (programs
    // forked from the warm runner, whose memory holds no other run's tests, inputs or outputs:
    // test/sandbox/attacks.test.ts); MARS2_SANDBOX_MODE=process gives each program a fresh interpreter.
    sandbox: () =>
      (sandbox ??= (require('./src/sandbox') as typeof import('./src/sandbox')).Sandbox.start({
        mode: process.env.MARS2_SANDBOX_MODE === 'process' ? 'process' : 'fork',
      }).catch((err: unknown) => {
        sandbox = undefined;
        throw err;
      })),
    trainer: (baseDir: string, root: string) => trainers.trainer(baseDir, root),
  };

  const connection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection,
    namespace,
    taskQueue,
    workflowsPath: require.resolve('./src/workflows'),
    activities: createActivities(deps),
    interceptors: { activity: [timeActivities(clock)] },
    // On SIGTERM running activities get this long to finish before they are cancelled (temporal.md §3.5).
    shutdownGraceTime: '10s',
    // After a crash, a tree's next workflow task leaves the dead worker's sticky queue this soon (§3.5).
    stickyQueueScheduleToStartTimeout: '3s',
    // A cancellation reaches an activity in a heartbeat's answer: heartbeats go out at least this often
    // (src/activities/heartbeat.ts), so a cancelled expand or trainStep stops within seconds.
    maxHeartbeatThrottleInterval: '1s',
  });
  console.log(`mars2 worker ${process.pid}: namespace ${namespace}, task queue ${taskQueue}, server ${address}, store ${deps.store.root}${deterministic ? ', deterministic engine' : ''}`);
  await worker.run();
  await connection.close();
  await engine?.close();
  await trainers.close();
  await (await sandbox?.catch(() => undefined))?.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
