// Memory that stays flat over policy versions (issue 15 item 4), counted rather than measured (RSS is
// noisy): the live ORT sessions (src/models/ortSessions.ts) and the models a ModelHost holds after each
// version.
//   - ModelHost: ten checkpoint versions of one agent as the workflow asks for them (`<root>/<agent>/v<n>`)
//     leave one model and its two sessions live; a second lineage and the base model sit beside it;
//     close releases every session;
//   - TrainService: ten trainSteps keep one trainer's sessions, and close releases them.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lineageOf, ModelHost } from '../../src/models/host';
import { liveSessions } from '../../src/models/ortSessions';
import { TrainService } from '../../src/models/train/service';

const llama = join(__dirname, '..', 'fixtures', 'models', 'llama');

describe('memory over policy versions', () => {
  test('lineageOf: a run checkpoint `<root>/<agent>/v<n>` at version n belongs to `<root>/<agent>`; any other directory to itself', () => {
    assert.equal(lineageOf('/r/ckpt/coder/v3', 3), '/r/ckpt/coder');
    assert.equal(lineageOf('/r/ckpt/coder/v3', 0), '/r/ckpt/coder/v3');
    assert.equal(lineageOf('/models/base', 2), '/models/base');
  });

  test('ModelHost: ten versions of one agent leave one model and its two sessions live; close releases all', async () => {
    const root = mkdtempSync(join(tmpdir(), 'mars2-memory-'));
    const host = new ModelHost({ threads: 1 });
    const before = liveSessions();
    const req = { prompt: 'def', sampling: { greedy: true }, maxNewTokens: 2 };
    try {
      await host.generate({ ...req, model: llama });
      for (let v = 1; v <= 10; v++) {
        const dir = join(root, 'coder', `v${v}`);
        cpSync(llama, dir, { recursive: true });
        const r = await host.generate({ ...req, model: { dir, version: v } });
        assert.equal(r.version, v);
        assert.deepEqual(host.stats(), { current: 2, retiring: 0 }, `after v${v}: the base model and coder's latest version`);
        assert.equal(liveSessions() - before, 4, `after v${v}: two sessions per loaded model`);
      }
      cpSync(llama, join(root, 'tester', 'v1'), { recursive: true });
      await host.generate({ ...req, model: { dir: join(root, 'tester', 'v1'), version: 1 } });
      assert.deepEqual(host.stats(), { current: 3, retiring: 0 }, "another agent's lineage loads beside coder's");
    } finally {
      await host.close();
      rmSync(root, { recursive: true, force: true });
    }
    assert.equal(liveSessions(), before);
  });

  test('TrainService: ten trainSteps hold one trainer and its sessions; close releases them', async () => {
    const root = mkdtempSync(join(tmpdir(), 'mars2-memory-'));
    const svc = new TrainService({ baseDir: llama, root, threads: 1 });
    const before = liveSessions();
    const samples = [{ promptIds: [5, 17, 42], completionIds: [100, 101], rolloutLogp: [-3, -3], advantage: 1 }, { promptIds: [3, 8], completionIds: [200, 7, 9], rolloutLogp: [-3, -3, -3], advantage: -1 }];
    try {
      let live = 0;
      for (let v = 0; v < 10; v++) {
        // TIS on: the step runs the forward-only session as well as the training one.
        await svc.trainStep({ agent: 'coder', fromVersion: v, samples, hyper: { lr: 1e-3, loss: 'grpo', policy: { klCoef: 0 } } });
        live = v === 0 ? liveSessions() - before : live;
        assert.equal(liveSessions() - before, live, `after v${v + 1}: the same sessions as after v1`);
      }
      assert.ok(live <= 2, `one trainer's training and forward sessions, found ${live}`);
    } finally {
      await svc.close();
      rmSync(root, { recursive: true, force: true });
    }
    assert.equal(liveSessions(), before);
  });
});
