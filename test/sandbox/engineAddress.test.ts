// Where the sandbox says it looked for the Docker engine (the "does not answer" message names it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Docker from 'dockerode';
import { engineAddress, engineDownMessage } from '../../src/sandbox/docker';

test('engineAddress: an explicit socket, a TCP host, and docker-modem\'s default socket (a function, not its source)', () => {
  assert.equal(engineAddress(new Docker({ socketPath: '/tmp/x.sock' })), 'socket /tmp/x.sock');
  assert.equal(engineAddress(new Docker({ host: '10.0.0.2', port: 2375, protocol: 'http' })), 'http://10.0.0.2:2375');
  const saved = process.env.DOCKER_HOST;
  delete process.env.DOCKER_HOST;
  try {
    const def = engineAddress(new Docker());
    assert.match(def, /^socket \/\S*docker\.sock$/);
    assert.match(engineDownMessage(new Error('connect ECONNREFUSED'), new Docker()), /^the Docker engine on socket \/\S*docker\.sock does not answer \(connect ECONNREFUSED\)/);
  } finally {
    if (saved !== undefined) process.env.DOCKER_HOST = saved;
  }
});
