// Makes the sandbox image present (scripts/setup calls this through scripts/sandbox-image). Prints one line:
// what it did and how long it took. Exit 1 with the reason when it cannot.
import { ensureSandboxImage } from '../src/sandbox/image';

ensureSandboxImage({ log: (line) => console.log(`setup: sandbox    ${line}`) }).then(
  (r) => console.log(`setup: sandbox    ${r.tag}: ${r.action === 'present' ? 'image present' : r.action} (${r.seconds.toFixed(1)}s)`),
  (err: Error) => {
    console.error(`setup: sandbox    could not build the sandbox image: ${err.message}`);
    process.exitCode = 1;
  },
);
