// A round trip with the real Docker engine through dockerode (set-up provides the engine).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Docker from 'dockerode';

test('dockerode reaches the Docker engine and creates, inspects and removes a volume', async () => {
  const docker = new Docker();
  const ping = await docker.ping();
  assert.equal(String(ping), 'OK');
  const version = await docker.version();
  assert.match(version.ApiVersion, /^\d+\.\d+$/);

  const name = `mars2-test-${process.pid}-${Date.now()}`;
  await docker.createVolume({ Name: name, Labels: { 'mars2.test': '1' } });
  try {
    const info = await docker.getVolume(name).inspect();
    assert.equal(info.Name, name);
    assert.equal(info.Labels['mars2.test'], '1');
  } finally {
    await docker.getVolume(name).remove();
  }
  await assert.rejects(docker.getVolume(name).inspect(), /no such volume/i);
});
