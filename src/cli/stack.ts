// `mars2 up`, `mars2 down`, `mars2 ps`: the embedded stack (src/stack).
import { currentStack, down, status, testStack, uiUrl, up, userStack, type StackConfig, type StackStatus } from '../stack';
import { parseFlags, UserError, type Command } from './command';

const stackFlags = {
  json: { type: 'boolean' },
  'test-stack': { type: 'boolean' }, // the test suite's own stack (.mars2/test-stack)
} as const;

/** The stack's state as `up --json` and `ps --json` print it. */
function statusJson(st: StackStatus): string {
  return JSON.stringify({ server: st.server?.pid ?? null, worker: st.worker?.pid ?? null, address: st.address, ui: st.ui });
}

function pick(values: { 'test-stack'?: boolean }): StackConfig {
  return values['test-stack'] ? testStack() : process.env.MARS2_STACK ? currentStack() : userStack();
}

export const upCommand: Command = {
  name: 'up',
  summary: 'start the embedded stack: Temporal dev server (SQLite) and the worker',
  usage: 'usage: mars2 up [--json]\n\nStarts what is not running, restarts a worker whose code changed, and prints the Web UI address.',
  async run(argv) {
    const { values } = parseFlags(argv, stackFlags);
    const cfg = pick(values);
    const log = values.json ? () => {} : (line: string) => console.log(line);
    let st;
    try {
      st = await up(cfg, log);
    } catch (err) {
      throw new UserError((err as Error).message);
    }
    if (values.json) console.log(statusJson(st));
    else console.log(`Web UI   ${uiUrl(cfg)}`);
    return 0;
  },
};

export const downCommand: Command = {
  name: 'down',
  summary: 'stop the worker and the dev server that `mars2 up` started',
  usage: 'usage: mars2 down\n\nStops exactly the processes `mars2 up` recorded; workflow histories stay in the SQLite file.',
  async run(argv) {
    const { values } = parseFlags(argv, stackFlags);
    await down(pick(values), values.json ? () => {} : (line) => console.log(line));
    return 0;
  },
};

export const psCommand: Command = {
  name: 'ps',
  summary: 'show whether the embedded stack is running',
  usage: 'usage: mars2 ps [--json]',
  async run(argv) {
    const { values } = parseFlags(argv, stackFlags);
    const cfg = pick(values);
    const st = status(cfg);
    if (values.json) {
      console.log(statusJson(st));
    } else {
      console.log(`server   ${st.server ? `running (pid ${st.server.pid}) on ${st.address}` : 'stopped'}`);
      console.log(`worker   ${st.worker ? `running (pid ${st.worker.pid})` : 'stopped'}`);
      if (st.server) console.log(`Web UI   ${st.ui}`);
    }
    return st.server && st.worker ? 0 : 1;
  },
};
