import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isRef, refOf, Store, StoreError } from '../../src/store';

const fresh = () => new Store(mkdtempSync(join(tmpdir(), 'mars2-store-')));

test('put returns the content address, get returns the same bytes', async () => {
  const store = fresh();
  const ref = await store.putJson({ tokens: [1, 2, 3] });
  assert.ok(isRef(ref));
  assert.equal(ref, refOf(Buffer.from('{"tokens":[1,2,3]}')));
  assert.deepEqual(await store.getJson(ref), { tokens: [1, 2, 3] });
  assert.equal(await store.has(ref), true);
});

test('putting the same content twice is idempotent and leaves no temp files', async () => {
  const store = fresh();
  const [a, b] = await Promise.all([store.putText('same'), store.putText('same')]);
  assert.equal(a, b);
  const dir = join(store.root, 'objects', a.slice(7, 9));
  assert.deepEqual(readdirSync(dir), [a.slice(9)]);
});

test('a missing or corrupt object is a clear error', async () => {
  const store = fresh();
  const ref = await store.putText('original');
  await assert.rejects(store.getText(refOf(Buffer.from('never stored'))), /is not in the store/);
  writeFileSync(store.path(ref), 'tampered');
  await assert.rejects(store.getText(ref), (err: Error) => err instanceof StoreError && /corrupt/.test(err.message));
  assert.throws(() => store.path('sha256:xyz' as never), /not a store ref/);
});

test('names point at refs and move atomically; bad names are refused', async () => {
  const store = fresh();
  assert.equal(await store.getName('runs/r1/latest'), undefined);
  const v1 = await store.putText('v1');
  const v2 = await store.putText('v2');
  await store.setName('runs/r1/latest', v1);
  await store.setName('runs/r1/latest', v2);
  assert.equal(await store.getName('runs/r1/latest'), v2);
  await assert.rejects(store.setName('../escape', v1), /bad name/);
});
