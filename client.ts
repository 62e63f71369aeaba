// `mars2` — the command-line entry. Dispatches to src/cli; see `mars2 --help`.
//
// Exit codes: 0 done; 1 a failure the user can act on (a bad config, no server, no worker, an unknown
// run, a workflow that failed or was cancelled); 2 bad arguments; 130 stopped with Ctrl-C (what keeps
// running is said). An expected failure is one line on stderr, never a stack trace; with --json it is
// the object {"error": MESSAGE, "code": EXIT_CODE, "command": NAME}. Only a bug prints a stack.
import { commands } from './src/cli/commands';
import { UsageError, UserError, type Command } from './src/cli/command';

// A reader that went away (`mars2 runs | head -1`) ends the output, not with an EPIPE trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  });
}

/** The gRPC status codes of a server that does not answer: UNAVAILABLE, DEADLINE_EXCEEDED. */
function serverGone(err: unknown): boolean {
  for (let e = err; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (code === 14 || code === 4) return true;
  }
  return false;
}

async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    const loaded = await Promise.all(Object.values(commands).map((load) => load()));
    const width = Math.max(...loaded.map((c) => c.name.length));
    console.log('usage: mars2 <command> [options]   (mars2 <command> --help for its options)\n');
    for (const c of loaded) console.log(`  ${c.name.padEnd(width)}  ${c.summary}`);
    console.log('\nexit codes: 0 done, 1 a failure to act on (said in one line; with --json as {"error", "code"} on stderr), 2 bad arguments, 130 Ctrl-C');
    return argv.length === 0 ? 2 : 0;
  }
  // Two-word commands ('sandbox run') win over one-word ones ('sandbox').
  const two = argv.slice(0, 2).join(' ');
  const name = commands[two] ? two : argv[0];
  const load = commands[name];
  const json = argv.includes('--json');
  const fail = (command: string, message: string, code: number): number => {
    if (json) console.error(JSON.stringify({ error: message, code, command }));
    else console.error(`mars2${command ? ` ${command}` : ''}: ${message}`);
    return code;
  };
  if (!load) {
    const family = Object.keys(commands).filter((c) => c.startsWith(`${argv[0]} `));
    if (family.length > 0) return fail('', `'${argv[0]}' needs a sub-command: ${family.join(', ')}. Run 'mars2 ${family[0]} --help' for its options.`, 2);
    return fail('', `unknown command '${argv[0]}'. Run 'mars2 --help' for the list.`, 2);
  }
  const command: Command = await load();
  const rest = argv.slice(name.split(' ').length);
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(`mars2 ${command.name}: ${command.summary}\n\n${command.usage}`);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      if (json) return fail(command.name, err.message, 2);
      console.error(`mars2 ${command.name}: ${err.message}\n\n${command.usage}`);
      return 2;
    }
    if (err instanceof UserError) return fail(command.name, err.message, 1);
    if (err instanceof Error && err.name === 'WorkflowFailedError') {
      // The useful message is the root cause (an activity's ApplicationFailure), not the wrapper.
      let cause: unknown = err;
      while (cause instanceof Error && cause.cause instanceof Error) cause = cause.cause;
      return fail(command.name, `the workflow failed: ${(cause as Error).message}`, 1);
    }
    if (serverGone(err)) {
      const { address, currentStack } = await import('./src/stack/config');
      return fail(command.name, `the Temporal server on ${address(currentStack())} stopped answering (${(err as Error).message}); start the stack with 'mars2 up'`, 1);
    }
    throw err;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    // A bug: the whole stack, for the report.
    if (process.argv.includes('--json')) console.error(JSON.stringify({ error: err instanceof Error ? err.message : String(err), code: 1, stack: err instanceof Error ? err.stack : undefined }));
    else console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exitCode = 1;
  },
);
