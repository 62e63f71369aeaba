// `mars2` — the command-line entry. Dispatches to src/cli; see `mars2 --help`.
import { commands } from './src/cli/commands';
import { UsageError, UserError, type Command } from './src/cli/command';

async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    const loaded = await Promise.all(Object.values(commands).map((load) => load()));
    const width = Math.max(...loaded.map((c) => c.name.length));
    console.log('usage: mars2 <command> [options]   (mars2 <command> --help for its options)\n');
    for (const c of loaded) console.log(`  ${c.name.padEnd(width)}  ${c.summary}`);
    return argv.length === 0 ? 2 : 0;
  }
  // Two-word commands ('sandbox run') win over one-word ones ('sandbox').
  const two = argv.slice(0, 2).join(' ');
  const name = commands[two] ? two : argv[0];
  const load = commands[name];
  if (!load) {
    const family = Object.keys(commands).filter((c) => c.startsWith(`${argv[0]} `));
    if (family.length > 0) {
      console.error(`mars2: '${argv[0]}' needs a sub-command: ${family.join(', ')}. Run 'mars2 ${family[0]} --help' for its options.`);
      return 2;
    }
    console.error(`mars2: unknown command '${argv[0]}'. Run 'mars2 --help' for the list.`);
    return 2;
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
      console.error(`mars2 ${command.name}: ${err.message}\n\n${command.usage}`);
      return 2;
    }
    if (err instanceof UserError) {
      console.error(`mars2 ${command.name}: ${err.message}`);
      return 1;
    }
    if (err instanceof Error && err.name === 'WorkflowFailedError') {
      // The useful message is the root cause (an activity's ApplicationFailure), not the wrapper.
      let cause: unknown = err;
      while (cause instanceof Error && cause.cause instanceof Error) cause = cause.cause;
      console.error(`mars2 ${command.name}: the workflow failed: ${(cause as Error).message}`);
      return 1;
    }
    throw err;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exitCode = 1;
  },
);
