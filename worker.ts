// The mars2 worker: serves the workflows in src/workflows and the activities built by
// createActivities on one task queue. Started in the background by `mars2 up`; settings come from the
// environment that `up` sets (MARS2_ADDRESS, MARS2_NAMESPACE, MARS2_TASK_QUEUE).
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from './src/activities';

async function main(): Promise<void> {
  const address = process.env.MARS2_ADDRESS ?? '127.0.0.1:7233';
  const namespace = process.env.MARS2_NAMESPACE ?? 'mars2';
  const taskQueue = process.env.MARS2_TASK_QUEUE ?? 'mars2';
  const connection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection,
    namespace,
    taskQueue,
    workflowsPath: require.resolve('./src/workflows'),
    activities: createActivities(),
    // On SIGTERM running activities get this long to finish before they are cancelled (temporal.md §3.5).
    shutdownGraceTime: '10s',
  });
  console.log(`mars2 worker ${process.pid}: namespace ${namespace}, task queue ${taskQueue}, server ${address}`);
  await worker.run();
  await connection.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
