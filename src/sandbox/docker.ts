// The Docker engine client shared by the sandbox: DOCKER_HOST when set, else the default local socket.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';

let shared: Docker | undefined;

export function dockerClient(): Docker {
  shared ??= new Docker();
  return shared;
}

/** Where a client talks to its engine: 'socket /var/run/docker.sock' or 'tcp://host:port'. */
export function engineAddress(docker: Docker): string {
  const m = docker.modem as { socketPath?: string | (() => unknown); host?: string; port?: string | number; protocol?: string };
  // docker-modem's default is a function choosing ~/.docker/run/docker.sock when it exists, else /var/run/docker.sock
  if (typeof m.socketPath === 'function') {
    const user = join(homedir(), '.docker', 'run', 'docker.sock');
    return `socket ${existsSync(user) ? user : '/var/run/docker.sock'}`;
  }
  if (m.socketPath) return `socket ${m.socketPath}`;
  return `${m.protocol ?? 'http'}://${m.host ?? '?'}${m.port ? `:${m.port}` : ''}`;
}

/** An error message for "the engine is not answering", with where it was asked and what to do. */
export function engineDownMessage(err: unknown, docker?: Docker): string {
  const where = docker ? ` on ${engineAddress(docker)}` : '';
  return (
    `the Docker engine${where} does not answer (${(err as Error).message}); ` +
    `start it ('bash scripts/setup docker' starts Debian's dockerd) or point DOCKER_HOST at a running engine, and retry`
  );
}
