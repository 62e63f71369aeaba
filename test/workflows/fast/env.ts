// The fast tier's Temporal environment: one in-memory dev server (the `temporal` that scripts/setup
// provides; no download) with mars2's search attributes, one bundle of src/workflows and one worker, made
// once per process and shared by every test of the tier. Each test serves its own typed fakes under a
// workflow id of its own: an activity goes to the fakes of the longest id that is its workflow's id or a
// prefix of it followed by '-' (children are named `<parent id>-…`).
// Departure: createLocal (the dev server), not the time-skipping Java test server. The workflows start no
// timers, so there is no time to skip; the dev server is on every machine set-up ran on, needs no JRE nor
// a JVM that starts within the SDK's 5 s, and has the real server's semantics (continue-as-new, child
// cancellation, search attributes). A fake that fails must fail non-retryably, or the 1 s retry back-off
// is real time.
import { after } from 'node:test';
import { activityInfo, ApplicationFailure } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Activities } from '../../../src/activities';
import { temporalBinary } from '../../../src/stack/temporal';
import { ALL_SEARCH_ATTRIBUTES } from '../../../src/contracts/searchAttributes';

Runtime.install({ logger: new DefaultLogger('WARN') });

const TASK_QUEUE = 'fast';
/** A test whose workflow hangs fails after this, rather than the tier hanging. */
const TIMEOUT_MS = 30_000;
type Fn = (...args: unknown[]) => Promise<unknown>;
const served = new Map<string, Partial<Activities>>();

/** The fakes serving `workflowId`: its own, or those of the nearest ancestor id. */
function fakesFor(workflowId: string): Partial<Activities> | undefined {
  for (let id = workflowId; ; id = id.slice(0, id.lastIndexOf('-'))) {
    const fakes = served.get(id);
    if (fakes || !id.includes('-')) return fakes;
  }
}

/** The one registered activity: Temporal's dynamic 'default', dispatching on type and workflow id. */
async function route(...args: unknown[]): Promise<unknown> {
  const { activityType, workflowExecution } = activityInfo();
  const fn = (fakesFor(workflowExecution?.workflowId ?? '') as Record<string, Fn> | undefined)?.[activityType];
  if (!fn) throw ApplicationFailure.nonRetryable(`no fake '${activityType}' serves workflow ${workflowExecution?.workflowId}`);
  return fn(...args);
}

let shared: Promise<{ env: TestWorkflowEnvironment; bundle: WorkflowBundleWithSourceMap; stop: () => Promise<void> }> | undefined;

// Registered at load, so that it belongs to the file's root and runs once its last test is done.
after(async () => (await shared)?.stop());

/** Starts the tier's server, bundle and worker on first use; they stop when the process's tests end. */
export function fastEnv(): Promise<TestWorkflowEnvironment> {
  shared ??= (async () => {
    const [bundle, env] = await Promise.all([
      bundleWorkflowCode({ workflowsPath: require.resolve('../../../src/workflows'), logger: new DefaultLogger('WARN') }),
      TestWorkflowEnvironment.createLocal({
        server: {
          executable: { type: 'existing-path', path: temporalBinary() },
          searchAttributes: [...ALL_SEARCH_ATTRIBUTES],
          extraArgs: ['--dynamic-config-value', 'system.enableActivityEagerExecution=true'],
        },
      }),
    ]);
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: TASK_QUEUE, workflowBundle: bundle, activities: { default: route } });
    const running = worker.run();
    const stop = async () => {
      worker.shutdown();
      await running;
      await env.teardown();
    };
    return { env, bundle, stop };
  })();
  return shared.then((s) => s.env);
}

/** The tier's bundle of src/workflows (for replaying a recorded history against today's code). */
export async function fastBundle(): Promise<WorkflowBundleWithSourceMap> {
  await fastEnv();
  return (await shared!).bundle;
}

/**
 * Runs `body` while `activities` serve the workflow `rootId` and its children. `body` gets the client and
 * the task queue to start workflows on.
 */
export async function withFakes<T>(rootId: string, activities: Partial<Activities>, body: (client: Client, taskQueue: string) => Promise<T>): Promise<T> {
  const env = await fastEnv();
  if (served.has(rootId)) throw new Error(`withFakes: '${rootId}' is already served; give each test its own workflow id`);
  served.set(rootId, activities);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    const why = 'a fake that never returns, or a workflow task that keeps failing (the worker logs it above)';
    timer = setTimeout(() => reject(new Error(`fast tier: workflow '${rootId}' did not finish within ${TIMEOUT_MS / 1000} s: ${why}`)), TIMEOUT_MS);
  });
  try {
    return await Promise.race([body(env.client, TASK_QUEUE), timeout]);
  } finally {
    clearTimeout(timer);
    served.delete(rootId);
  }
}
