// The Docker engine client shared by the sandbox: DOCKER_HOST when set, else the default local socket.
import Docker from 'dockerode';

let shared: Docker | undefined;

export function dockerClient(): Docker {
  shared ??= new Docker();
  return shared;
}

/** An error message for "the engine is not answering", with what to do. */
export function engineDownMessage(err: unknown): string {
  return (
    `the Docker engine does not answer (${(err as Error).message}); ` +
    `start it ('bash scripts/setup' starts Debian's dockerd) and retry`
  );
}
